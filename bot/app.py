"""Assemble the Application: settings in, a ready-to-run python-telegram-bot app out."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.domain.clock import Clock, SystemClock
from bot.runtime import transport
from bot.runtime.heartbeat import Heartbeat, HeartbeatRequest
from bot.runtime.intake import DurableQueue, WrittenDownFirst
from bot.runtime.processor import PerUserUpdateProcessor
from bot.runtime.ratelimit import PriorityRateLimiter
from bot.runtime.services import SERVICES_KEY, Ctx, Services, Timing, services_of
from bot.runtime.updatelog import name_handlers
from bot.settings import Settings
from bot.ui.keyboards import command_menu
from bot.ui.language import ENGLISH, LANGUAGES, speaking
from handlers import (
    bring_in,
    checkin,
    errors,
    glimmer,
    privacy,
    quicklog,
    review,
    settings,
    start,
)
from storage.db import Database
from storage.persistence import SqlitePersistence

log = logging.getLogger(__name__)

# Different people's updates run side by side (each person's stay in order). Measured with
# bench/quicklog.py: beyond about 32 the extra tasks cost more than they overlap.
CONCURRENT_UPDATES = 32
# One connection per update being handled: with fewer, one person's stream of replies held
# connections others' replies waited for (bench/fairness.py: p99 1.45x with 8, 1.13x with 32).
# The httpx transport keeps 8 (transport.HTTPX_POOL_SIZE).
CONNECTION_POOL_SIZE = CONCURRENT_UPDATES
# Seconds a call may wait for one of those connections before it fails with TimedOut.
POOL_TIMEOUT = 30.0


def build_application(
    settings: Settings, *, clock: Clock | None = None, timing: Timing | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    clock = clock or SystemClock()
    timing = timing or Timing()
    db = Database(settings.database_path)
    # Polling: a batch's writes go together, and the next getUpdates waits for them. A
    # webhook's 200 confirms each update, so there each put waits for its write.
    intake = DurableQueue(wait_for_writes=bool(settings.webhook_url))
    base_url = settings.telegram_api_base_url
    requests = transport.build_requests(
        settings.telegram_transport,
        base_url=base_url,
        proxy=settings.proxy_url,
        connection_pool_size=CONNECTION_POOL_SIZE,
        pool_timeout=POOL_TIMEOUT,
    )
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .context_types(ContextTypes(context=Ctx))
        .persistence(SqlitePersistence(db, clock.now))
        .update_queue(intake)
        .concurrent_updates(PerUserUpdateProcessor(CONCURRENT_UPDATES, intake))
        .rate_limiter(
            PriorityRateLimiter(
                max_per_second=settings.telegram_max_messages_per_second,
                max_retries=3,
                network_backoff=timing.network_backoff,
            )
        )
        .request(requests.calls)
        # getUpdates waits for the last batch to be written down before it confirms it, and
        # its answers keep the heartbeat file fresh for the health check.
        .get_updates_request(
            WrittenDownFirst(
                HeartbeatRequest(requests.get_updates, Heartbeat(settings.database_path)), intake
            )
        )
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
    )
    if base_url.endswith("/bot"):
        builder = builder.base_file_url(base_url.removesuffix("/bot") + "/file/bot")
    app = builder.build()
    services = Services(settings=settings, db=db, clock=clock, timing=timing)
    app.bot_data[SERVICES_KEY] = services
    intake.attach(services.intake, clock, retry_after=timing.unreached_retry.total_seconds())
    register_handlers(app, timing)
    return app


def register_handlers(app: Application[Any, Any, Any, Any, Any, Any], timing: Timing) -> None:
    """Order matters: specific handlers first, the guided conversation, then catch-alls."""
    start.register_gate(app)
    start.register(app)
    privacy.register(app)
    quicklog.register(app)
    checkin.register(app)
    review.register(app)
    bring_in.register(app)
    settings.register(app, timing.conversation_timeout)
    glimmer.register(app, timing.conversation_timeout)
    privacy.register_after_conversations(app)
    quicklog.register_catch_alls(app)
    start.register_catch_alls(app)
    errors.register(app)
    name_handlers(app)


async def on_startup(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    svc = services_of(app)
    await svc.db.open()
    # Telegram's command menu: English for everyone, and one for each language the bot
    # speaks, shown to people whose app is set to it; sent side by side.
    menus = []
    for code in LANGUAGES:
        with speaking(code):
            menus.append((command_menu(), None if code == ENGLISH else code))
    try:
        await asyncio.gather(
            *(app.bot.set_my_commands(menu, language_code=code) for menu, code in menus)
        )
    except TelegramError as exc:
        log.warning("could not register the command menu: %s", exc)
    await glimmer.restore_timers(app)
    assert isinstance(app.update_queue, DurableQueue)
    await svc.intake.sweep(before=svc.clock.now() - INTAKE_MARKS_KEPT)
    await app.update_queue.replay(app.bot)
    start_sweeping(app)
    await checkin.schedule_missing(app)
    checkin.start_ticking(app)


# How long a handled update's marker stays, so a redelivery of it is recognised: far longer
# than it takes Telegram to hear it arrived (the next getUpdates, or the webhook's answer).
INTAKE_MARKS_KEPT = timedelta(minutes=10)


def start_sweeping(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    async def sweep(context: Ctx) -> None:
        await context.svc.intake.sweep(before=context.svc.clock.now() - INTAKE_MARKS_KEPT)

    assert app.job_queue is not None
    seconds = INTAKE_MARKS_KEPT.total_seconds()
    app.job_queue.run_repeating(sweep, interval=seconds, first=seconds, name="intake-sweep")


async def on_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    svc = services_of(app)
    svc.close()
    await svc.db.close()
