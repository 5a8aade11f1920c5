"""Webhook mode's HTTP server, on aiohttp: a request is judged before its body is read.

PTB's own webhook server (tornado) reads a whole body, up to 100 MB, before it looks at the
secret, and offers no way to set a limit: six 90 MiB posts without the secret took the bot to
663 MB. This server answers 403 to a missing or wrong secret and 413 to a body over
`MAX_BODY_BYTES` from the headers alone, and aiohttp stops reading a body that runs past the
limit without saying its length. A good update goes into the application's update queue
(the durable intake, which writes it down first), and only then does Telegram get its 200.
This is PTB's documented way to bring a custom webhook server: updates go into
`Application.update_queue`, and `setWebhook` is the caller's (bot/lifecycle.py).
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes (a 4,096-character message with its entities, a
# reply's quoted message); 1 MiB is far above any of them.
MAX_BODY_BYTES = 1 << 20
# How long a stop waits for requests in flight (each is a write to the intake).
STOP_GRACE_SECONDS = 3.0


class WebhookServer:
    """Serves POSTs to one path on one address; everything else is 404 or 405."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        *,
        listen: str,
        port: int,
        path: str,
        secret: str,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self._app = app
        self._listen, self._port = listen, port
        self._secret = secret.encode()
        self._max_body = max_body
        web_app = web.Application(client_max_size=max_body)
        web_app.router.add_post("/" + path.strip("/"), self._receive)
        self._runner = web.AppRunner(
            web_app, access_log=None, handle_signals=False, shutdown_timeout=STOP_GRACE_SECONDS
        )

    async def start(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, self._listen, self._port).start()

    async def stop(self) -> None:
        """Stops listening and lets requests in flight finish (their updates are written)."""
        await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode(errors="replace")
        if not hmac.compare_digest(given, self._secret):
            # Never log what was given: it might be a near miss of the real secret.
            log.info("webhook: refused a request without the right secret")
            return web.Response(status=403)
        if request.content_length is not None and request.content_length > self._max_body:
            return web.Response(status=413)
        try:
            data = json.loads(await request.read())
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past reason
            return web.Response(status=400)
        try:
            update = Update.de_json(data, self._app.bot) if isinstance(data, dict) else None
        except Exception:  # any malformed field (the body is not logged)
            update = None
        if update is None:
            return web.Response(status=400)
        await self._app.update_queue.put(update)
        return web.Response(status=200)
