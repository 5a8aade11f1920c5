"""The durable intake: every message is written down before Telegram is told it arrived.

PTB's Updater (polling) and its webhook server both hand each update to the application's
update queue with `await queue.put(update)`, and only then confirm it to Telegram (the next
getUpdates offset, or the webhook's 200). `DurableQueue` is that queue: its `put` writes the
update to the `intake` table first. The update processor marks it handled when done; at
start-up whatever was written but not handled (a crash, or a stop) is replayed. Saving is
idempotent, so a replay never makes a second glimmer, and an update Telegram delivers again
is recognised and skipped.

On a stop, PTB puts its stop signal in this queue: from then on updates still waiting are
left in the intake for the next start instead of being handled, so a stop takes seconds even
with hundreds of replies queued behind Telegram's send limit.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from typing import Any

from telegram import Bot, Update
from telegram.request import BaseRequest

from bot.domain.clock import Clock
from bot.runtime.transport import Wrapped
from storage.intake import IntakeRepository

log = logging.getLogger(__name__)


def carries_words(update: Update) -> bool:
    """Messages and their edits are written down: they hold what people wrote. A button press
    is not: replayed after a crash it would answer a query Telegram has expired, and a press
    that got no answer is simply pressed again."""
    return update.message is not None or update.edited_message is not None


# A message whose reply could not reach Telegram is handled again after 5 s, 10 s, 15 s...
RETRIES_WHEN_UNREACHED = 5
RETRY_AFTER_SECONDS = 5.0


# Update ids remembered to recognise a redelivery: those still in the intake table (loaded at
# start-up) and those seen since, the oldest forgotten beyond this many.
REMEMBERED_IDS = 100_000


class DurableQueue(asyncio.Queue[object]):
    """The application's update queue, writing messages down before they are confirmed.

    In webhook mode `put` waits for the write (the 200 answer confirms the update). In
    polling mode it lets the writes of a whole getUpdates batch go together as one statement
    and hands the updates on at once; `WrittenDownFirst`, the getUpdates request, waits for
    those writes before the next getUpdates, which is what confirms the batch to Telegram.
    """

    def __init__(self, *, wait_for_writes: bool = True) -> None:
        super().__init__()
        self._wait_for_writes = wait_for_writes
        self._writes: dict[int, asyncio.Future[None]] = {}
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._repo: IntakeRepository | None = None
        self._clock: Clock | None = None
        self.closing = False
        """True once the application is stopping: waiting updates stay written down."""
        self._tries: dict[int, int] = {}
        self._retry_after = RETRY_AFTER_SECONDS
        self._later: set[asyncio.Task[None]] = set()
        # The latest getUpdates batch as Telegram sent it, by update id: written down as it
        # came, instead of rebuilding each update's JSON from PTB's objects (a tenth of the
        # CPU a quick glimmer costs, measured with py-spy).
        self._as_sent: dict[int, dict[str, Any]] = {}

    def arrived(self, body: bytes) -> None:
        """A getUpdates answer, before PTB reads it: keep the messages' JSON as sent."""
        self._as_sent.clear()  # the batch before was all handed on before this was asked for
        try:
            updates = json.loads(body).get("result")
        except (ValueError, AttributeError):
            return
        if not isinstance(updates, list):
            return
        for data in updates:
            if isinstance(data, dict) and ("message" in data or "edited_message" in data):
                update_id = data.get("update_id")
                if isinstance(update_id, int):
                    self._as_sent[update_id] = data

    def attach(self, repo: IntakeRepository, clock: Clock, *, retry_after: float) -> None:
        self._repo, self._clock, self._retry_after = repo, clock, retry_after

    async def put(self, item: object) -> None:
        if not isinstance(item, Update):
            self.closing = True  # PTB's stop signal
        elif carries_words(item) and self._repo is not None:
            if item.update_id in self._seen:
                # Delivered again: already waiting here, or already handled. A webhook's 200
                # must still wait for the first delivery's write.
                writing = self._writes.get(item.update_id)
                if writing is not None and self._wait_for_writes:
                    await asyncio.shield(writing)
                return
            self._remember(item.update_id)
            write = asyncio.ensure_future(
                self._write_down(item, self._as_sent.pop(item.update_id, None))
            )
            self._writes[item.update_id] = write
            write.add_done_callback(lambda _: self._writes.pop(item.update_id, None))
            if self._wait_for_writes:
                await asyncio.shield(write)
        await super().put(item)

    def _remember(self, update_id: int) -> None:
        self._seen[update_id] = None
        if len(self._seen) > REMEMBERED_IDS:
            self._seen.popitem(last=False)

    async def _write_down(self, update: Update, as_sent: dict[str, Any] | None) -> None:
        assert self._repo is not None and self._clock is not None
        user = update.effective_user
        data = as_sent if as_sent is not None else update.to_dict()
        try:
            await self._repo.write(
                update_id=update.update_id,
                user_id=user.id if user is not None else None,
                payload=json.dumps(data, ensure_ascii=False),
                now=self._clock.now(),
            )
        except Exception as exc:
            # The database is full or failing: the update is handled anyway, so the person
            # hears honestly whether their words were kept, rather than nothing at all.
            log.warning("could not write update %s down: %s", update.update_id, exc)

    async def written(self) -> None:
        """Wait until every update handed on so far is written down. The writes go on if the
        waiter is cancelled (as PTB cancels a getUpdates when the bot stops): they hold
        updates that are already on their way to the handlers."""
        if self._writes:
            await asyncio.wait(list(self._writes.values()))

    async def handled(self, update: object) -> None:
        if self._repo is None or not isinstance(update, Update) or not carries_words(update):
            return
        self._tries.pop(update.update_id, None)
        writing = self._writes.get(update.update_id)
        if writing is not None:
            await asyncio.wait([writing])  # its row must exist before it is marked handled
        try:
            await self._repo.done(update.update_id)
        except Exception as exc:
            log.warning("could not mark update %s handled: %s", update.update_id, exc)

    def unreached(self, update: object) -> bool:
        """Telegram could not be reached while handling this update: handle it again a little
        later (saving is idempotent, so only the missing reply is new). True if it will be;
        after RETRIES_WHEN_UNREACHED it waits in the intake for the next start instead."""
        if self._repo is None or not isinstance(update, Update) or not carries_words(update):
            return False
        tries = self._tries.get(update.update_id, 0) + 1
        if tries > RETRIES_WHEN_UNREACHED or self.closing:
            self._tries.pop(update.update_id, None)
            return False
        self._tries[update.update_id] = tries
        task = asyncio.ensure_future(self._again(update, self._retry_after * tries))
        self._later.add(task)
        task.add_done_callback(self._later.discard)
        return True

    async def _again(self, update: Update, delay: float) -> None:
        await asyncio.sleep(delay)
        if not self.closing:
            await super().put(update)

    async def replay(self, bot: Bot) -> int:
        """Queue what was written down but not handled before the last stop; how many."""
        assert self._repo is not None
        for update_id in await self._repo.ids():
            self._remember(update_id)
        count = 0
        for payload in await self._repo.pending():
            data: dict[str, Any] = json.loads(payload)
            update = Update.de_json(data, bot)
            if update is not None:
                await super().put(update)
                count += 1
        if count:
            log.info("replaying %d updates received before the last stop", count)
        return count


class WrittenDownFirst(Wrapped):
    """The request getUpdates goes through: before asking for more updates (which tells
    Telegram the last ones arrived) it waits until those are written down."""

    def __init__(self, inner: BaseRequest, queue: DurableQueue) -> None:
        super().__init__(inner)
        self._queue = queue

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await self._queue.written()
        status, body = await super().do_request(*args, **kwargs)
        if status == 200:
            self._queue.arrived(body)
        return status, body
