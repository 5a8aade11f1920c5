"""The update processor: different people's updates side by side, each person's in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.runtime.updatelog import timed


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Runs different people's updates concurrently, and each person's strictly in order.

    A conversation is a sequence: two updates from one person must never interleave, but one
    person's slow moment should not hold up everyone else. Each update's handling is timed
    and logged in one line (bot/runtime/updatelog.py).
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _person(update)
        if key is None:
            await timed(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                await timed(update, coroutine)
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key]
                del self._locks[key]

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
