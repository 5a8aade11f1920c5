"""A heartbeat file beside the database: its modification time is the last moment the bot
heard from Telegram, so a health check can tell a working bot from one stuck retrying.

In polling mode every successful getUpdates touches it (one returns at least every ten
seconds, updates or not); in webhook mode a job asks Telegram for the webhook's state once a
minute. `glimmers-bot check --running` calls the bot unhealthy when the file is older than
STALE_AFTER or missing. No telegram import here: `check`, run every minute, stays light.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any

from telegram.request import BaseRequest

from bot.runtime.transport import Wrapped

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)
# Touching the file on every request would be a system call per message; this is plenty.
BEAT_EVERY_SECONDS = 10.0


class Heartbeat:
    """The file `<database>-heartbeat`, touched at most every BEAT_EVERY_SECONDS."""

    def __init__(self, database_path: Path) -> None:
        self.path = database_path.with_name(f"{database_path.name}-heartbeat")
        self._last = -BEAT_EVERY_SECONDS

    def beat(self) -> None:
        now = time.monotonic()
        if now - self._last < BEAT_EVERY_SECONDS:
            return
        self._last = now
        try:
            self.path.touch()
        except OSError as exc:  # the health check will say so; the bot itself works on
            log.warning("could not touch the heartbeat file %s: %s", self.path, exc)

    def age(self) -> timedelta | None:
        """How long ago the bot last heard from Telegram; None if it never has."""
        try:
            modified = self.path.stat().st_mtime
        except FileNotFoundError:
            return None
        return timedelta(seconds=max(0.0, time.time() - modified))


class HeartbeatRequest(Wrapped):
    """A request object that beats the heartbeat on each answer Telegram gives with 200."""

    def __init__(self, inner: BaseRequest, heartbeat: Heartbeat) -> None:
        super().__init__(inner)
        self._heartbeat = heartbeat

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)
        if status == HTTPStatus.OK:
            self._heartbeat.beat()
        return status, payload
