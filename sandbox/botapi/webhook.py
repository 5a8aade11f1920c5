"""Webhook delivery: setWebhook, and POSTing each update to the bot's URL, oldest first and
one at a time, as Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import aiohttp

from sandbox.botapi.common import (
    DEFAULT_ALLOWED_UPDATES,
    SECRET_HEADER,
    WEBHOOK_PORTS,
    WEBHOOK_RETRY_SECONDS,
    WEBHOOK_SECRET,
    JsonDict,
    _as_bool,
    _as_int,
    _as_json,
    _bad_request,
    _Call,
    _now,
    _wait_until,
)

if TYPE_CHECKING:
    pass


@dataclass
class Webhook:
    """What the bot's last successful setWebhook asked for."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


class WebhookDelivery:
    """FakeTelegram's webhook methods and its delivery loop."""

    # What it uses of FakeTelegram (server.py), which sets them.
    token: str
    allow_local_http_webhook: bool
    webhook_errors: list[str]
    _queue: deque[tuple[int, str, JsonDict]]
    _updates_changed: asyncio.Event
    _poll_generation: int
    _closing: bool
    webhook: Webhook | None
    _webhook_task: asyncio.Task[None] | None

    def _poke(self) -> None:
        raise NotImplementedError  # FakeTelegram's own

    def _confirm(self, offset: int) -> None:
        raise NotImplementedError  # FakeTelegram's own

    def _collect(self, limit: int) -> list[JsonDict]:
        raise NotImplementedError  # FakeTelegram's own

    async def _delete_webhook(self, call: _Call) -> bool:
        if _as_bool(call.params.get("drop_pending_updates", False)) and self._queue:
            self._queue.clear()
            self._poke()
        await self._stop_delivering()
        self.webhook = None
        return True

    async def _get_webhook_info(self, call: _Call) -> JsonDict:
        pending = len(self._queue)
        info: JsonDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        hook = self.webhook
        if hook is not None:
            info["url"] = hook.url
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _set_webhook(self, call: _Call) -> bool:
        params = call.params
        url = params.get("url")
        if url is None:
            raise _bad_request("url is empty")
        url = str(url).strip()
        if not url:  # an empty url removes the webhook, as deleteWebhook does
            return await self._delete_webhook(call)
        self._check_webhook_url(url)
        secret = params.get("secret_token")
        if secret is not None and not WEBHOOK_SECRET.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if allowed is not None:
            allowed = _as_json(allowed, "allowed updates")
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise _bad_request("allowed_updates must be an Array of String")
        max_connections = _as_int(params, "max_connections", required=False) or 40
        if not 1 <= max_connections <= 100:
            raise _bad_request("invalid max_connections specified")
        if _as_bool(params.get("drop_pending_updates", False)) and self._queue:
            self._queue.clear()
            self._poke()
        await self._stop_delivering()
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        hook = Webhook(
            url=url,
            secret_token=None if secret is None else str(secret),
            allowed_updates=allowed,
            max_connections=max_connections,
        )
        self.webhook = hook
        # A waiting getUpdates ends; from now on updates go to the webhook.
        self._poll_generation += 1
        self._updates_changed.set()
        self._webhook_task = asyncio.create_task(self._deliver(hook))
        return True

    def _check_webhook_url(self, url: str) -> None:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise _bad_request("bad webhook: invalid URL") from None
        if not parts.hostname:
            raise _bad_request("bad webhook: invalid URL")
        local_http = (
            self.allow_local_http_webhook
            and parts.scheme == "http"
            and parts.hostname == "127.0.0.1"
        )
        if local_http:
            return
        if parts.scheme != "https":
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if port is not None and port not in WEBHOOK_PORTS:
            raise _bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )

    async def _stop_delivering(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver(self, hook: Webhook) -> None:
        """POST queued updates to the webhook one at a time, oldest first, until it changes."""
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token is not None else {}
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not self._closing:
                batch: list[JsonDict] = []

                def ready() -> bool:
                    nonlocal batch
                    batch = self._collect(1)
                    return bool(batch) or self._closing

                with contextlib.suppress(TimeoutError):
                    await _wait_until(self._updates_changed, ready, 3600)
                if not batch:
                    continue
                update = batch[0]
                error = await self._post_update(session, hook, update, headers)
                if error is None:
                    self._confirm(int(update["update_id"]) + 1)
                    continue
                hook.last_error_date = _now()
                hook.last_error_message = error
                self.webhook_errors.append(error)
                self._poke()
                await asyncio.sleep(WEBHOOK_RETRY_SECONDS)

    @staticmethod
    async def _post_update(
        session: aiohttp.ClientSession, hook: Webhook, update: JsonDict, headers: dict[str, str]
    ) -> str | None:
        """Deliver one update; returns None when the bot took it, else Telegram's error text."""
        try:
            async with session.post(hook.url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"Connection failed: {type(exc).__name__}"
