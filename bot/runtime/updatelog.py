"""One INFO line per handled update: its kind, the handler, how long it took, the outcome.

Nothing a person wrote or is called goes in: the kind is a field name, the handler a
function's dotted name. Handlers note their name in a per-update slot (a context variable
set by the update processor; handlers run in the processor's task); the error handler marks
the slot as failed.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, BaseHandler, ConversationHandler

log = logging.getLogger("bot.updates")

OK, ERROR, UNHANDLED = "ok", "error", "unhandled"
# Telegram could not be reached to answer: nothing is wrong with the update, try it later.
UNREACHED = "unreached"

# Field names of Update, most common first (UpdateType values are the attribute names).
_KINDS: tuple[str, ...] = tuple(Update.ALL_TYPES)


class _Slot:
    __slots__ = ("failed", "handler", "unreached")

    def __init__(self) -> None:
        self.handler: str | None = None
        self.failed = False
        self.unreached = False


_current: ContextVar[_Slot | None] = ContextVar("glimmers_update_slot", default=None)


def mark_failed(*, unreached: bool = False) -> None:
    """Called by the error handler: the update being handled ended in an exception; with
    `unreached`, because Telegram could not be reached."""
    slot = _current.get()
    if slot is not None:
        slot.failed = True
        slot.unreached = unreached


def kind_of(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    for kind in _KINDS:
        if getattr(update, kind) is not None:
            return kind
    return "unknown"


async def timed(update: object, coroutine: Awaitable[Any]) -> str:
    """Run one update's handling and log its line; used by the update processor. Returns the
    outcome."""
    slot = _Slot()
    token = _current.set(slot)
    start = time.perf_counter()
    outcome = ERROR
    try:
        await coroutine
        if slot.failed:
            outcome = UNREACHED if slot.unreached else ERROR
        else:
            outcome = OK if slot.handler else UNHANDLED
    finally:
        _current.reset(token)
        if log.isEnabledFor(logging.INFO):
            log.info(
                "update id=%s kind=%s handler=%s ms=%.1f outcome=%s",
                getattr(update, "update_id", None),
                kind_of(update),
                slot.handler or "none",
                (time.perf_counter() - start) * 1000,
                outcome,
            )
    return outcome


Callback = Callable[[Any, Any], Coroutine[Any, Any, Any]]


def _named(callback: Callback, *, filter_only: bool) -> Callback:
    name = f"{callback.__module__}.{callback.__qualname__}"

    @functools.wraps(callback)
    async def noted(update: object, context: Any) -> Any:
        slot = _current.get()
        if slot is None:  # a conversation timeout run by the job queue: no update line
            return await callback(update, context)
        if not filter_only:
            slot.handler = name
            return await callback(update, context)
        try:
            return await callback(update, context)
        except ApplicationHandlerStop:
            slot.handler = name  # a gate counts as the handler only when it stops the update
            raise

    return noted


def _handlers(
    handlers: Iterable[BaseHandler[Any, Any, Any]],
) -> Iterable[BaseHandler[Any, Any, Any]]:
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            yield from _handlers(handler.entry_points)
            for state in handler.states.values():
                yield from _handlers(state)
            yield from _handlers(handler.fallbacks)
        else:
            yield handler


def name_handlers(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Let every registered handler note its name for the update line. Handlers in negative
    groups (the gate) only filter: they are named only when they stop an update."""
    seen: set[int] = set()
    for group, handlers in app.handlers.items():
        for handler in _handlers(handlers):
            if id(handler) in seen:
                continue
            seen.add(id(handler))
            handler.callback = _named(handler.callback, filter_only=group < 0)
