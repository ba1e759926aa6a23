"""The article's example, both ways: a best-effort notice with BackgroundTasks and a
durable welcome e-mail through the transactional outbox.

The user and the welcome e-mail's job commit in one transaction: either both exist
or neither does. Whatever happens to this process or the broker after the commit, the
relay publishes the job; signing up works even while the broker is down.
"""

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, HTTPException, Path, Response
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy.exc import IntegrityError

from durable_jobs import PRINTABLE
from durable_jobs.database import stage
from durable_jobs.web import ADMIN_ONLY, ADMIN_RESPONSES, Body, JobAccepted, Problem, accepted
from durable_jobs.web_database import DATABASE_UNAVAILABLE, SessionDep

from ..db.models import User
from ..jobs.welcome_email import WelcomeEmail, send_welcome_email

router = APIRouter(tags=["signup"])
log = logging.getLogger(__name__)


class SignupRequest(Body):
    email: EmailStr = Field(
        description="An address a welcome e-mail can reach: one on a reserved or "
        "special-use domain (example.test, localhost, .invalid) is refused with 422."
    )
    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)


class SignupAccepted(BaseModel):
    user_id: int
    welcome_email: JobAccepted


class UserOut(BaseModel):
    id: int
    email: str
    name: str


def announce_signup(user_id: int) -> None:
    # Best effort on purpose: runs in this process after the response, once, with no
    # retry. If the process dies first the notice is lost, which is acceptable here.
    log.info("new signup: user %s", user_id)


@router.post(
    "/signup",
    status_code=201,
    responses={
        409: {"model": Problem, "description": "The e-mail address is taken"},
        **DATABASE_UNAVAILABLE,
    },
)
async def signup(
    body: SignupRequest, background: BackgroundTasks, response: Response, session: SessionDep
) -> SignupAccepted:
    email = str(body.email).lower()
    user = User(email=email, name=body.name)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise HTTPException(409, "An account for this e-mail address exists already.") from None
    job = stage(
        session, send_welcome_email, WelcomeEmail(user_id=user.id, email=email, name=user.name)
    )
    await session.commit()
    background.add_task(announce_signup, user.id)
    welcome = accepted(job, response)
    response.headers["Location"] = f"/users/{user.id}"
    return SignupAccepted(user_id=user.id, welcome_email=welcome)


# PostgreSQL bigint ids.
UserId = Annotated[int, Path(gt=0, le=2**63 - 1)]


# A user's e-mail address and name are personal data: operators only (ADMIN_TOKEN).
@router.get(
    "/users/{user_id}",
    dependencies=[ADMIN_ONLY],
    responses={
        **ADMIN_RESPONSES,
        404: {"model": Problem, "description": "No such user, or no ADMIN_TOKEN is set"},
        **DATABASE_UNAVAILABLE,
    },
)
async def get_user(user_id: UserId, session: SessionDep) -> UserOut:
    user = await session.get(User, user_id)
    if user is None:
        raise HTTPException(404, f"No user with id {user_id}.")
    return UserOut(id=user.id, email=user.email, name=user.name)
