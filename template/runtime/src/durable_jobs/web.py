"""The runtime's HTTP face, for the API and its routes (the worker never imports it)."""

from ._web.admin import ADMIN_ONLY, ADMIN_RESPONSES
from ._web.app_factory import create_api
from ._web.dependencies import JobsDep, SettingsDep
from ._web.errors import unavailable
from ._web.http_limits import LimitedHttpToolsProtocol as HttpProtocol
from ._web.job_routes import QUEUE_UNAVAILABLE, accepted
from ._web.schemas import Body, JobAccepted, Problem

__all__ = [
    "ADMIN_ONLY",
    "ADMIN_RESPONSES",
    "QUEUE_UNAVAILABLE",
    "Body",
    "HttpProtocol",
    "JobAccepted",
    "JobsDep",
    "Problem",
    "SettingsDep",
    "accepted",
    "create_api",
    "unavailable",
]
