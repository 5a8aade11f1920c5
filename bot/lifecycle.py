"""The bot's life from start to stop, each problem in one line and Ctrl-C obeyed at once.

PTB's `run_polling` and `run_webhook` print tracebacks for start-up problems (a rejected
token, no network), ignore Ctrl-C while a request hangs, and log a traceback for each retry
when the network drops. This runs the same steps PTB documents for custom start-up
(`Application.initialize`, `post_init`, `Updater.start_polling` or a webhook server of our
own (bot/runtime/webhook.py) with `setWebhook`, `Application.start`, and the reverse on the
way out), with:

- `initialize` (getMe first) retried with backoff while Telegram can't be reached, said once;
- a rejected token or a database that can't be opened ending the start in one line;
- polling errors reported through `start_polling`'s `error_callback`, one WARNING each;
- SIGINT and SIGTERM cancelling whatever is running, then a clean stop (persistence flushed).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot.cli import EXIT_SETTINGS, CommandError
from bot.runtime import transport
from bot.runtime.heartbeat import Heartbeat
from bot.runtime.logs import redact
from bot.runtime.ratelimit import retry_seconds
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.runtime.webhook import WebhookServer

log = logging.getLogger("bot")

App = Application[Any, Any, Any, Any, Any, Any]
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0


def run(app: App, settings: Settings) -> int:
    """Runs the bot until Ctrl-C or SIGTERM; returns the exit code."""
    try:
        asyncio.run(serve(app, settings))
    except CommandError as exc:  # a start-up problem, said in one line
        print(f"glimmers-bot: {redact(str(exc), settings.secrets)}", file=sys.stderr)
        return exc.code
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass  # a second Ctrl-C while stopping: stop now
    log.info("stopped")
    return 0


async def serve(app: App, settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    started = False
    server: WebhookServer | None = None
    try:
        await connect(app, settings)
        started = True
        name = app.bot.username
        log.info(
            "connected to Telegram as @%s over %s; database at %s",
            name,
            transport.describe(settings.telegram_transport, settings.proxy_url),
            settings.database_path,
        )
        log.info("open https://t.me/%s in Telegram and send /start", name)
        if app.post_init:
            await app.post_init(app)
        server = await start_updates(app, settings)
        await app.start()
        await asyncio.Future()  # runs until a signal cancels this task
    except asyncio.CancelledError:
        task.uncancel()  # Ctrl-C or SIGTERM: not an error, stop cleanly below
    finally:
        await stop(app, started, server)


async def connect(app: App, settings: Settings) -> None:
    """`Application.initialize`, whose getMe is the first call to Telegram, and which opens
    the database (persistence). Network failures are retried with backoff until Telegram
    answers; anything that waiting won't mend ends the start."""
    try:
        await until_answered(settings, app.initialize, refused="Telegram refused to start the bot")
    except InvalidToken:
        # PTB's message holds the token itself; never pass it on.
        raise CommandError(
            "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN is the whole token "
            "from @BotFather (and TELEGRAM_API_BASE_URL, if you changed it)",
            EXIT_SETTINGS,
        ) from None
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(
            f"cannot open the database {settings.database_path}: {exc}; check "
            "DATABASE_PATH, and that its folder is writable by this user"
        ) from None


def unreachable(settings: Settings, exc: TelegramError) -> str:
    """Why Telegram can't be reached, and what to check, in one line."""
    host = urlsplit(settings.telegram_api_base_url).netloc
    reason = str(exc) or type(exc).__name__
    proxy = proxy_for(settings.telegram_api_base_url)
    if proxy is not None:
        variable, address = proxy
        return (
            f"cannot reach Telegram ({host}) through the proxy {address} set in {variable} "
            f"({reason}): check that the proxy runs and its address is right"
        )
    return (
        f"cannot reach Telegram ({host}): {reason}; check the network connection, a firewall, "
        "or TELEGRAM_API_BASE_URL if you changed it"
    )


def proxy_for(url: str) -> tuple[str, str] | None:
    """The proxy httpx takes from the environment for `url`: the variable that set it, and
    its address without any user name or password."""
    scheme = urlsplit(url).scheme
    for name in (f"{scheme}_proxy", "all_proxy"):
        for variable in (name.upper(), name):
            value = os.environ.get(variable, "").strip()
            if value:
                parts = urlsplit(value if "://" in value else f"http://{value}")
                address = parts.netloc.rpartition("@")[2]  # no user name or password
                return variable, f"{parts.scheme}://{address}"
    return None


async def start_updates(app: App, settings: Settings) -> WebhookServer | None:
    """Polling, or the webhook server; either way the first call (deleteWebhook or
    setWebhook) is retried through network failures. Returns the webhook server, if any."""
    assert app.updater is not None
    if not settings.webhook_url:
        await app.updater.start_polling(
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
            bootstrap_retries=-1,
            error_callback=polling_trouble,
        )
        return None
    # Imported only in webhook mode: aiohttp's server side is 18 ms of a polling bot's start.
    from bot.runtime.webhook import WebhookServer

    assert settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    # The path is WEBHOOK_URL's own, so a reverse proxy forwards it unchanged.
    server = WebhookServer(
        app,
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        path=settings.webhook_path,
        secret=secret,
    )
    try:
        await server.start()
    except OSError as exc:
        await server.stop()
        raise CommandError(
            f"cannot listen on {settings.webhook_listen}:{settings.webhook_port} for the "
            f"webhook: {exc.strerror or exc}; check WEBHOOK_LISTEN and WEBHOOK_PORT"
        ) from None
    log.info(
        "webhook mode: listening on %s:%d at /%s",
        settings.webhook_listen,
        settings.webhook_port,
        settings.webhook_path,
    )
    try:
        await until_answered(
            settings,
            lambda: app.bot.set_webhook(
                url=settings.webhook_url or "",
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
                secret_token=secret,
            ),
            refused=(
                "Telegram refused the webhook (check WEBHOOK_URL: a public https address "
                "Telegram can reach, on port 443, 80, 88 or 8443)"
            ),
        )
    except BaseException:
        await server.stop()
        raise
    # No getUpdates to keep the heartbeat fresh: ask Telegram about the webhook each minute.
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        webhook_pulse,
        interval=60,
        first=1,
        name="heartbeat",
        data=Heartbeat(settings.database_path),
    )
    return server


async def until_answered(
    settings: Settings, call: Callable[[], Awaitable[object]], *, refused: str
) -> None:
    """Make a call to Telegram (getMe at start-up, setWebhook), retried with backoff while
    Telegram can't be reached (said once) or asks to slow down. A refusal ends the start in
    one line beginning with `refused`; a rejected token is left to the caller."""
    delay = FIRST_RETRY_SECONDS
    said = False
    while True:
        try:
            await call()
            return
        except InvalidToken:
            raise
        except BadRequest as exc:  # a NetworkError to PTB, but waiting won't mend it
            raise CommandError(f"{refused}: {exc}") from None
        except RetryAfter as exc:
            wait = max(delay, retry_seconds(exc))
        except NetworkError as exc:  # TimedOut included
            if not said:
                log.warning("%s; trying again until it answers", unreachable(settings, exc))
                said = True
            wait = delay
        except TelegramError as exc:
            raise CommandError(f"{refused}: {exc}") from None
        await asyncio.sleep(wait)
        delay = min(delay * 2, LONGEST_RETRY_SECONDS)


def polling_trouble(exc: TelegramError) -> None:
    """`start_polling`'s error_callback: PTB retries with backoff; one line each time."""
    log.warning("no answer from Telegram while polling (%s); trying again", exc)


async def webhook_pulse(context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.get_webhook_info()
    heartbeat = context.job.data if context.job else None
    if isinstance(heartbeat, Heartbeat):
        heartbeat.beat()


async def stop(app: App, started: bool, server: WebhookServer | None = None) -> None:
    """The reverse of the start, as far as it got; persistence is flushed by `stop`."""
    if server is not None:
        await server.stop()
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if started:
        await app.shutdown()
    else:
        await app.bot.shutdown()  # its HTTP clients may be open though getMe failed
    if app.post_shutdown:
        await app.post_shutdown(app)
