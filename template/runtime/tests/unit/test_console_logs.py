"""LOG_FORMAT=console writes what a request carried without letting it steer the
terminal: control characters come out escaped."""

import logging

import pytest
import structlog

from durable_jobs._core.logs import configure_logging

ESCAPE = "\x1b[2J\x1b]0;owned\x07"


def test_a_control_sequence_in_a_logged_value_is_escaped(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "console")
    try:
        structlog.get_logger("access").info("request", path=f"/jobs/{ESCAPE}")
        logging.getLogger("uvicorn.error").warning("bad path %s", ESCAPE)
        written = capfd.readouterr().err
    finally:
        configure_logging("INFO", "json")
    assert "\x1b" not in written
    assert "\x07" not in written
    assert written.count("\\x1b[2J\\x1b]0;owned\\x07") == 2
