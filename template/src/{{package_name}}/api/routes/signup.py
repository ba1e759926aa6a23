"""The article's example, both ways: a best-effort notice with BackgroundTasks and a
durable welcome e-mail through Celery."""

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, HTTPException, Path, Response
from fastapi.concurrency import run_in_threadpool

from ...jobs.catalog import WELCOME_EMAIL
from ...jobs.payloads import WelcomeEmail
from ...jobs.sending import BrokerUnavailable
from ..dependencies import JobsDep, UsersDep
from ..request_id import current_request_id
from ..schemas import Problem, SignupAccepted, SignupRequest, UserOut
from ..users import EmailTaken, User
from .jobs import QUEUE_UNAVAILABLE, accepted

router = APIRouter(tags=["signup"])
log = logging.getLogger(__name__)


def announce_signup(user: User) -> None:
    # Best effort on purpose: runs in this process after the response, once, with no
    # retry. If the process dies first the notice is lost, which is acceptable here.
    log.info("new signup: user %s", user.id)


@router.post(
    "/signup",
    status_code=201,
    responses={
        409: {"model": Problem, "description": "The e-mail address is taken"},
        **QUEUE_UNAVAILABLE,
    },
)
async def signup(
    body: SignupRequest,
    background: BackgroundTasks,
    response: Response,
    users: UsersDep,
    jobs: JobsDep,
) -> SignupAccepted:
    email = str(body.email).lower()
    try:
        user = await run_in_threadpool(users.create, email, body.name)
    except EmailTaken:
        raise HTTPException(409, f"An account for {email} exists already.") from None
    try:
        job = await jobs.enqueue(
            WELCOME_EMAIL,
            WelcomeEmail(user_id=user.id, email=email, name=user.name),
            request_id=current_request_id(),
        )
    except BrokerUnavailable:
        # No account without its welcome e-mail: undo, so a retry starts clean.
        await run_in_threadpool(users.delete, user.id)
        raise
    background.add_task(announce_signup, user)
    welcome = accepted(job, response)
    response.headers["Location"] = f"/users/{user.id}"
    return SignupAccepted(user_id=user.id, welcome_email=welcome)


# SQLite row ids are signed 64-bit integers.
UserId = Annotated[int, Path(gt=0, le=2**63 - 1)]


@router.get("/users/{user_id}", responses={404: {"model": Problem}})
async def get_user(user_id: UserId, users: UsersDep) -> UserOut:
    user = await run_in_threadpool(users.get, user_id)
    if user is None:
        raise HTTPException(404, f"No user with id {user_id}.")
    return UserOut(id=user.id, email=user.email, name=user.name)
