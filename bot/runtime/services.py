"""What every handler can reach: the services of this bot, through a typed context."""

from __future__ import annotations

import multiprocessing
import os
import random
import threading
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar, cast

from telegram.ext import Application, CallbackContext, ExtBot

from bot.domain.clock import Clock
from bot.domain.flood import ReplyBudget
from bot.domain.limits import Limits
from bot.runtime.intake import RETRY_AFTER_SECONDS
from bot.runtime.ratelimit import NETWORK_BACKOFF
from bot.settings import Settings
from bot.ui.importing import Waiting
from storage.checkins import CheckinRepository
from storage.db import Database
from storage.glimmers import GlimmerRepository
from storage.intake import IntakeRepository
from storage.schedule import ScheduleRepository
from storage.stats import StatsRepository
from storage.users import UserRepository


@dataclass(frozen=True)
class Timing:
    """Waits the bot makes; tests shrink them instead of sleeping through real ones."""

    conversation_timeout: timedelta = timedelta(minutes=15)
    savour_scale: float = 1.0  # multiplies the savouring pause before the follow-up
    # After a flood of messages, how long a pause before "kept N more" (bot/domain/flood.py).
    flood_quiet: timedelta = timedelta(seconds=3)
    # A request that failed on the way is tried again after this, then twice as long...
    network_backoff: float = NETWORK_BACKOFF
    # A message whose reply could not reach Telegram is handled again after this (times the
    # number of tries so far).
    unreached_retry: timedelta = timedelta(seconds=RETRY_AFTER_SECONDS)


class LastEdits:
    """What the bot last put in each message it edited (the most recent few thousand), so a
    button pressed twice in quick succession doesn't repeat an edit Telegram would refuse."""

    def __init__(self, size: int = 5000) -> None:
        self._size = size
        self._seen: OrderedDict[tuple[int, int], tuple[str | None, object]] = OrderedDict()

    def same(self, key: tuple[int, int], content: tuple[str | None, object]) -> bool:
        return self._seen.get(key) == content

    def remember(self, key: tuple[int, int], content: tuple[str | None, object]) -> None:
        self._seen[key] = content
        self._seen.move_to_end(key)
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)

    def forget(self, chat_id: int) -> None:
        """Drop whatever the bot put in that chat's messages (/forget)."""
        for key in [key for key in self._seen if key[0] == chat_id]:
            del self._seen[key]


T = TypeVar("T")


class PerPerson(Generic[T]):
    """Something kept in memory for each of the most recent few thousand people: the last
    /search's words, the tags /tags showed. Lost on a restart, so buttons that need it say
    so and ask again."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._kept: OrderedDict[int, T] = OrderedDict()

    def get(self, user_id: int) -> T | None:
        return self._kept.get(user_id)

    def remember(self, user_id: int, value: T) -> None:
        self._kept[user_id] = value
        self._kept.move_to_end(user_id)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)

    def forget(self, user_id: int) -> None:
        self._kept.pop(user_id, None)


class PerMessage(Generic[T]):
    """Something kept for each of a person's latest few messages from the bot: the words
    behind a /search result's page buttons, the tags behind a /tags list's buttons. An older
    message's buttons keep their own; one from before a restart asks again."""

    def __init__(self, people: int = 10_000, messages: int = 20) -> None:
        self._people: PerPerson[OrderedDict[int, T]] = PerPerson(people)
        self._most = messages

    def get(self, user_id: int, message_id: int) -> T | None:
        kept = self._people.get(user_id)
        return kept.get(message_id) if kept is not None else None

    def remember(self, user_id: int, message_id: int, value: T) -> None:
        kept = self._people.get(user_id) or OrderedDict()
        kept[message_id] = value
        while len(kept) > self._most:
            kept.popitem(last=False)
        self._people.remember(user_id, kept)

    def forget(self, user_id: int) -> None:
        self._people.forget(user_id)


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    timing: Timing
    rng: random.Random = field(default_factory=random.Random)
    users: UserRepository = field(init=False)
    glimmers: GlimmerRepository = field(init=False)
    checkins: CheckinRepository = field(init=False)
    schedule: ScheduleRepository = field(init=False)
    stats: StatsRepository = field(init=False)
    intake: IntakeRepository = field(init=False)

    groups_left: set[int] = field(init=False, default_factory=set)
    replies: ReplyBudget = field(init=False, default_factory=ReplyBudget)
    edits: LastEdits = field(init=False, default_factory=LastEdits)
    limits: Limits = field(init=False, default_factory=Limits)
    searches: PerMessage[tuple[str, ...]] = field(init=False, default_factory=PerMessage)
    tags_shown: PerMessage[tuple[str, ...]] = field(init=False, default_factory=PerMessage)
    # A journal file read and waiting for "Bring them in", for the most recent thousand people.
    imports: PerPerson[Waiting] = field(init=False, default_factory=lambda: PerPerson(1000))
    # People whose chat has its own command menu in their language, set in this run.
    chat_menus: set[int] = field(init=False, default_factory=set)
    _worker_pool: ProcessPoolExecutor | None = field(init=False, default=None)

    def forget(self, *, user_id: int, chat_id: int) -> None:
        """/forget: drop what this process holds in memory of the person and their chat
        (texts of edited messages, history pages included, the flood count, the limits, the
        last search and tags, a file waiting to be brought in)."""
        self.replies.forget(user_id)
        self.searches.forget(user_id)
        self.tags_shown.forget(user_id)
        self.imports.forget(user_id)
        self.chat_menus.discard(user_id)
        self.edits.forget(chat_id)
        self.limits.forget(user_id)

    def worker_pool(self) -> ProcessPoolExecutor:
        """A separate process for CPU-heavy work (recap charts, exports), started on first use.

        A thread is not enough: matplotlib holds the interpreter lock, and ten charts drawn
        in threads slowed everyone else's replies ten-fold at p99 (bench/recap.py).
        "spawn" because forking a process that runs threads is unsafe.
        """
        if self._worker_pool is None:
            self._worker_pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_background_worker,
            )
        return self._worker_pool

    def close(self) -> None:
        if self._worker_pool is not None:
            self._worker_pool.shutdown(wait=True, cancel_futures=True)
            self._worker_pool = None

    def __post_init__(self) -> None:
        self.users = UserRepository(self.db)
        self.glimmers = GlimmerRepository(self.db, self.settings.text_box)
        self.checkins = CheckinRepository(self.db)
        self.schedule = ScheduleRepository(self.db)
        self.stats = StatsRepository(self.db)
        self.intake = IntakeRepository(self.db, self.settings.text_box)


WORKER_NICENESS = 10  # 0 is normal, 19 the lowest priority


def _background_worker() -> None:
    """Runs first in the worker process: let the operating system prefer the bot's own
    process, so a burst of charts or exports takes spare CPU, not time from replies; and end
    with the bot, however it ends (a kill -9 or a crash skips every clean shutdown)."""
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
    threading.Thread(
        target=_end_with, args=(os.getppid(),), name="end-with-the-bot", daemon=True
    ).start()


ORPHAN_CHECK_SECONDS = 1.0


def _end_with(parent: int) -> None:
    """When the bot is gone, the worker is adopted by another process: leave at once."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)


SERVICES_KEY = "services"


def services_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    return cast(Services, application.bot_data[SERVICES_KEY])


class Ctx(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context every handler and job gets: `context.svc` is this bot's Services."""

    @property
    def svc(self) -> Services:
        return services_of(self.application)
