"""Telegram's overall send limit, shared so that replies to people come before broadcasts.

Telegram accepts about 30 messages a second from a bot. A Sunday recap or a 20:00 check-in
can queue thousands of sends at once; with one first-come-first-served queue (PTB's
AIORateLimiter) someone who writes to the bot meanwhile would wait minutes for the reply.
Here a send marked ``Lane.BULK`` takes a slot only when no reply is waiting for one, and at
most one bulk send waits at the limiter at a time, so a reply waits at most one slot.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]


# A failed request is tried again after 0.5 s, 1 s and 2 s, then given up.
NETWORK_RETRIES = 3
NETWORK_BACKOFF = 0.5


class Lane(enum.Enum):
    """How urgent a send is; replies to what a person just did are the default."""

    BULK = "bulk"


class PriorityRateLimiter(BaseRateLimiter[Lane]):
    """One overall rate for messages to chats; replies go ahead of bulk sends.

    RetryAfter from Telegram pauses the chat it names (every send, for a request without a
    chat) for the time it asks, then the request is tried again, up to ``max_retries`` times:
    one person tripping Telegram's per-chat limit never slows anyone else. A request to a
    chat that fails on the way (a dropped connection, a 5xx from Telegram's front end) is
    tried again after a short wait, up to NETWORK_RETRIES times, with one WARNING line each;
    a time-out is not, as the message may have arrived. Requests without a chat (getUpdates,
    answerCallbackQuery) are not counted, as in PTB's AIORateLimiter.
    """

    def __init__(
        self, *, max_per_second: float, max_retries: int, network_backoff: float = NETWORK_BACKOFF
    ) -> None:
        self._network_backoff = network_backoff
        self._limiter = AsyncLimiter(max_per_second, 1) if max_per_second > 0 else None
        self._max_retries = max_retries
        self._replies_waiting = 0
        self._no_replies_waiting = asyncio.Event()
        self._no_replies_waiting.set()
        self._bulk_turn = asyncio.Lock()
        # Telegram's RetryAfter: no request to a chat (key None: to any) goes out before
        # this event loop time.
        self._paused_until: dict[object, float] = {}

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Lane | None,
    ) -> Result:
        """Wait for a slot (replies first), send, and wait out Telegram's RetryAfter."""
        chat = data.get("chat_id")
        loop = asyncio.get_running_loop()
        slowed = failed = 0
        while True:
            try:
                # Wait out a pause before taking a slot, and again after: slots must not pile
                # up during a pause and then all go at once when it ends.
                await self._wait_out_pause(loop, chat)
                if chat is not None:
                    await self._take_slot(bulk=rate_limit_args is Lane.BULK)
                    await self._wait_out_pause(loop, chat)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                slowed += 1
                if slowed > self._max_retries:
                    raise
                seconds = retry_seconds(exc)
                log.info("Telegram asked to slow down: pausing a chat for %.1f s", seconds)
                # Overlapping pauses: the later end wins.
                until = loop.time() + seconds + 0.1
                self._paused_until[chat] = max(self._paused_until.get(chat, 0.0), until)
            except (BadRequest, TimedOut):
                # Refused by Telegram (PTB counts BadRequest as a NetworkError), or it may
                # have arrived after all: never sent again.
                raise
            except NetworkError as exc:
                failed += 1
                if chat is None or failed > NETWORK_RETRIES:
                    raise  # only what goes to a person is tried again here
                wait = self._network_backoff * 2 ** (failed - 1)
                log.warning(
                    "%s failed (%s); trying again in %.1f s (%d of %d)",
                    endpoint,
                    exc,
                    wait,
                    failed,
                    NETWORK_RETRIES,
                )
                await asyncio.sleep(wait)

    async def _wait_out_pause(self, loop: asyncio.AbstractEventLoop, chat: object) -> None:
        # A loop, not an Event: a later RetryAfter may move the end further out meanwhile.
        while (left := self._pause_left(loop, chat)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)

    def _pause_left(self, loop: asyncio.AbstractEventLoop, chat: object) -> float:
        now = loop.time()
        left = 0.0
        for key in (None, chat):
            until = self._paused_until.get(key)
            if until is None:
                continue
            if until <= now:
                del self._paused_until[key]  # over: nothing kept per chat
            else:
                left = max(left, until - now)
        return left

    async def _take_slot(self, *, bulk: bool) -> None:
        if self._limiter is None:
            return
        if bulk:
            async with self._bulk_turn:
                await self._no_replies_waiting.wait()
                await self._limiter.acquire()
            return
        self._replies_waiting += 1
        self._no_replies_waiting.clear()
        try:
            await self._limiter.acquire()
        finally:
            self._replies_waiting -= 1
            if not self._replies_waiting:
                self._no_replies_waiting.set()


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked to wait, in seconds (PTB gives an int or a timedelta)."""
    pause = exc.retry_after
    return float(pause) if isinstance(pause, int | float) else pause.total_seconds()
