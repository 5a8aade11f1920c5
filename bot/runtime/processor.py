"""The update processor: different people's updates side by side, each person's in order."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.runtime.intake import DurableQueue
from bot.runtime.updatelog import UNREACHED, timed

# Updates may wait their turn in any number; only CONCURRENT_UPDATES are handled at once.
WAITING_UPDATES_LIMIT = 1_000_000


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Runs different people's updates concurrently, and each person's strictly in order.

    A conversation is a sequence: two updates from one person must never interleave, but one
    person's slow moment should not hold up everyone else. So an update first waits its turn
    behind the same person's earlier ones, holding nothing shared, and only then takes one of
    the shared slots: one person's backlog never fills the slots others need. Each update's
    handling is timed and logged in one line (bot/runtime/updatelog.py), then marked handled
    in the durable intake; once the bot is stopping, updates still waiting their turn are
    left there for the next start.
    """

    def __init__(self, max_concurrent_updates: int, intake: DurableQueue | None = None) -> None:
        # PTB's own slot is taken before do_process_update runs, that is before an update
        # waits its turn; so PTB's limit is set out of reach and the real one taken here.
        super().__init__(WAITING_UPDATES_LIMIT)
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._intake = intake
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _person(update)
        if key is None:
            await self._handle(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                await self._handle(update, coroutine)
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key]
                del self._locks[key]

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self._intake is not None and self._intake.closing:
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never started: the update waits in the intake
            return
        async with self._slots:
            outcome = await timed(update, coroutine)
        if self._intake is not None:
            if outcome == UNREACHED and self._intake.unreached(update):
                return  # stays written down, and is handled again shortly
            await self._intake.handled(update)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _person(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user:
        return update.effective_user.id
    if update.effective_chat:
        return update.effective_chat.id
    return None
