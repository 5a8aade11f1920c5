"""Logging set-up for the entry point: quiet httpx, one line for a lost connection, and never
let a bot token reach a log."""

from __future__ import annotations

import logging
import re
import sys
import threading
from types import TracebackType
from typing import Any

from telegram import Update
from telegram.error import BadRequest, NetworkError

TOKEN_PATTERN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
REDACTED = "[redacted-token]"


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return TOKEN_PATTERN.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrites each record so anything shaped like a bot token is replaced, traceback included."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = secrets
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self._secrets)
        record.args = None
        if record.exc_info:
            record.exc_text = redact(
                self._formatter.formatException(record.exc_info), self._secrets
            )
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._secrets)
        return True


_PLAIN_WORD = re.compile(r"[\w.:/-]{0,64}")
HIDDEN = "[hidden]"


def _hide(arg: Any) -> Any:
    if arg is None or isinstance(arg, (bool, int, float)):
        return arg
    if isinstance(arg, str):
        return arg if _PLAIN_WORD.fullmatch(arg) else HIDDEN
    if isinstance(arg, Update):
        return arg.update_id
    if isinstance(arg, (tuple, list)) and all(isinstance(part, int) for part in arg):
        return arg  # update ids
    return HIDDEN


class HidePayloads(logging.Filter):
    """Keeps what people wrote and are called out of python-telegram-bot's own log lines.

    At DEBUG, PTB logs every request and answer whole ("Calling Bot API endpoint `%s` with
    parameters `%s`", "Processing update %s"): names, usernames, glimmers. Its arguments are
    kept only when they are numbers, ids or single words such as an endpoint's name; anything
    else, a whole request or answer or a sentence, becomes "[hidden]" (an update, its id).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("telegram") and record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_hide(arg) for arg in args)
        return True


class OneLineNetworkErrors(logging.Filter):
    """A lost connection to Telegram is weather, not a bug. PTB logs some network failures
    with a whole traceback (the last getUpdates while stopping, a webhook's set-up), and so
    does the error handler for a reply that could not be sent: keep one WARNING line, with
    the error's own words. BadRequest (a NetworkError in PTB) is the bot's mistake: kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class QuietOverlappingTicks(logging.Filter):
    """Drops APScheduler's warning that a job was skipped because it is still running.

    The check-in tick allows one run at a time on purpose: a big round takes minutes to send
    at Telegram's pace, and the skipped ticks' people are picked up by the next one.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in str(record.msg)


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    logging.getLogger("bot").critical("uncaught error", exc_info=(kind, error, trace))


def configure_logging(level: int, secrets: tuple[str, ...] = ()) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(HidePayloads())  # before RedactTokens, which merges the arguments in
    handler.addFilter(OneLineNetworkErrors())
    handler.addFilter(RedactTokens(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and the URL holds the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters (people's words) at DEBUG.
    logging.getLogger("aiosqlite").setLevel(max(level, logging.INFO))
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
    # An uncaught exception is printed by sys.excepthook, past every filter above; send it
    # through the same handler, so a token in its message is redacted there too.
    sys.excepthook = _log_uncaught
    threading.excepthook = lambda args: _log_uncaught(
        args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback
    )
    scheduler = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, QuietOverlappingTicks) for f in scheduler.filters):
        scheduler.addFilter(QuietOverlappingTicks())
