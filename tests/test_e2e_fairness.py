"""End to end: one person's backlog never holds up everyone else."""

from __future__ import annotations

from sandbox.botapi import FakeTelegram
from tests.conftest import BotRunner

BACKLOG = 80


async def test_a_burst_of_commands_from_one_person_does_not_queue_others_behind_it(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    busy, other = fake.user(951), fake.user(952)
    await busy.send("a first glimmer, so /anchor has one to show")
    await busy.reply()
    for _ in range(BACKLOG):
        await busy.send("/anchor")  # each waits for the one before: same person, in order
    await other.send("the smell of toast")
    assert (await other.reply(timeout=30)).text.startswith("Kept")
    # More than the 32 shared slots were waiting; the other person was answered while most
    # of the backlog was still to come, not after it.
    assert len(busy.inbox) - 1 < BACKLOG / 2
    await busy.replies(BACKLOG, timeout=60)
