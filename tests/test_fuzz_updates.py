"""Property-based fuzzing through the real Application: random updates of every kind two
people can send, odd text included. Nothing may reach the error handler, Telegram may refuse
nothing the bot sends, and one person's updates never touch the other's glimmers."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sandbox.botapi import FakeTelegram, FakeUser, rejection_lines
from tests.conftest import BotRunner, running
from tests.dbfile import sqlite_file

A, B = 1401, 1402
UPDATE_LINE = re.compile(r"update id=(\d+) kind=\w+ handler=\S+ ms=\S+ outcome=(\w+)")
COMMANDS = [
    "start",
    "help",
    "about",
    "g",
    "glimmer",
    "settings",
    "recap",
    "history",
    "anchor",
    "privacy",
    "forget",
    "cancel",
    "export",
    "nonsense",
    "g@glimmers_test_bot",
    "start@other_bot",
]

odd_pieces = st.sampled_from(
    [
        "\u200d",  # zero-width joiner
        "\u200f",  # right-to-left mark
        "\u202e",  # right-to-left override
        "\u200b\ufeff",
        "👩\u200d👩\u200d👧",
        "مرحبا",
        "<b> & </i>",
        "&amp; &lt; &#0; &#xD800;",
        "<a href='javascript:x'>",
        "</code><pre>",
        "\x00\x01\x07\x1b[31m",
        "\r\n\t",
        "\n\n- ",
        "  ",
        "/g",
        "%s %d {0} {text}",
        "x" * 10_000,
        "😀" * 3000,
        "- a\n" * 400,
    ]
)
lone_surrogate = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
words = st.text(
    alphabet=st.one_of(st.characters(), lone_surrogate), max_size=40
)  # any code point at all
texts = st.lists(st.one_of(words, odd_pieces, lone_surrogate), min_size=1, max_size=4).map("".join)
callback_data = st.one_of(
    st.text(max_size=64),
    st.builds(
        lambda name, a, b: f"{name}:{a}:{b}",
        st.sampled_from(
            [
                "un",
                "s",
                "b",
                "l",
                "p",
                "r",
                "a",
                "ed",
                "dl",
                "dx",
                "ho",
                "st",
                "se",
                "fg",
                "hp",
                "rw",
                "svm",
                "cn",
                "cr",
                "k",
                "an",
                "zz",
            ]
        ),
        st.one_of(st.integers(-5, 3), st.integers(), st.sampled_from([A, B])),
        st.one_of(st.text(max_size=8), st.integers(), st.just("yes")),
    ),
)


@dataclass(frozen=True)
class Act:
    kind: str
    text: str = ""
    pick: int = 0


acts = st.one_of(
    st.builds(Act, st.just("text"), texts),
    st.builds(
        Act,
        st.just("command"),
        st.tuples(st.sampled_from(COMMANDS), texts).map(
            lambda c: f"/{c[0]} {c[1]}" if c[1][:1] != "\n" else f"/{c[0]}{c[1]}"
        ),
    ),
    st.builds(Act, st.just("edit"), texts, st.integers(0, 50)),
    st.builds(Act, st.just("photo"), st.one_of(st.just(""), texts)),
    st.builds(Act, st.sampled_from(["voice", "sticker", "location", "contact", "video_note"])),
    st.builds(Act, st.just("press"), st.just(""), st.integers(0, 200)),
    st.builds(Act, st.just("press_data"), callback_data, st.integers(0, 200)),
    st.builds(Act, st.just("press_other"), st.just(""), st.integers(0, 200)),
)


def buttons(user: FakeUser) -> list[tuple[int, str]]:
    """(message id, callback data) of every button the bot showed this person."""
    return [
        (message.message_id, data)
        for message in user.inbox
        if not message.deleted
        for row in message.buttons
        for _, data in row
        if data
    ]


async def perform(me: FakeUser, other: FakeUser, act: Act, sent: list[int]) -> None:
    if act.kind in ("text", "command"):
        sent.append((await me.send(act.text))["message_id"])
    elif act.kind == "edit" and sent:
        await me.edit(sent[act.pick % len(sent)], act.text)
    elif act.kind == "edit":
        sent.append((await me.send(act.text))["message_id"])
    elif act.kind == "photo":
        await me.send_photo(act.text or None)
    elif act.kind == "press":
        mine = buttons(me)
        if mine:
            message_id, data = mine[act.pick % len(mine)]
            await me.press_data(message_id, data)
    elif act.kind == "press_other":  # the other person's button data, on a message here
        theirs, live = buttons(other), [m.message_id for m in me.inbox if not m.deleted]
        if theirs and live:
            _, data = theirs[act.pick % len(theirs)]
            await me.press_data(live[act.pick % len(live)], data)
    elif act.kind == "press_data":
        # Any data, on a message of the bot's in this chat (an app can press nothing else).
        live = [m.message_id for m in me.inbox if not m.deleted]
        if live:
            await me.press_data(live[act.pick % len(live)], act.text)
    else:
        await getattr(me, f"send_{act.kind}")()


def glimmers_of(db_path: Path, user_id: int) -> list[tuple[Any, ...]]:
    """A person's glimmers as stored, read on a fresh read-only connection (the savouring
    follow-up's own bookkeeping left out: it may run at any time)."""
    with sqlite_file(db_path, readonly=True) as conn:
        return conn.execute(
            "SELECT id, text, sense, body_cue, body_note, ladder_before, ladder_after,"
            " savour_seconds, landed, status, starred, source_message_id, source_line"
            " FROM glimmers WHERE user_id = ? ORDER BY id",
            (user_id,),
        ).fetchall()


class Watch(logging.Handler):
    """Collects the per-update lines and anything logged at ERROR or above."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.outcomes: dict[int, str] = {}
        self.errors: list[str] = []
        self.changed = asyncio.Event()  # set on each update line (logged in the bot's loop)

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        match = UPDATE_LINE.match(message) if record.name == "bot.updates" else None
        if match:
            self.outcomes[int(match[1])] = match[2]
            self.changed.set()
        if record.levelno >= logging.ERROR:
            formatted = logging.Formatter().format(record)
            self.errors.append(f"{record.name}: {formatted}")


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[tuple[BotRunner, Watch]]:
    watch = Watch()
    updates, root = logging.getLogger("bot.updates"), logging.getLogger()
    saved = updates.level
    updates.setLevel(logging.INFO)
    root.addHandler(watch)
    try:
        async with running(fake, tmp_path) as runner:  # also checks rejections at the end
            yield runner, watch
    finally:
        root.removeHandler(watch)
        updates.setLevel(saved)


async def handled(fake: FakeTelegram, watch: Watch, first: int) -> None:
    """Wait until every update from ``first`` on has its line: all handlers are done."""
    wanted = range(first, fake.last_update_id + 1)
    async with asyncio.timeout(20):
        while not all(update_id in watch.outcomes for update_id in wanted):
            watch.changed.clear()
            await watch.changed.wait()


@settings(
    max_examples=100,
    derandomize=True,  # one bot for all examples: same examples each run, a stable suite
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mine=st.lists(acts, min_size=1, max_size=5), theirs=st.lists(acts, min_size=1, max_size=5))
async def test_random_updates_break_nothing_and_stay_with_their_sender(
    fake: FakeTelegram, bot: tuple[BotRunner, Watch], mine: list[Act], theirs: list[Act]
) -> None:
    runner, watch = bot
    watch.errors.clear()
    refused = len(fake.rejections)
    ann, ben = fake.user(A, "Ann"), fake.user(B, "Ben")
    # Ann first, then Ben; Ann's glimmers must come through Ben's updates unchanged.
    first = fake.last_update_id + 1
    sent: list[int] = []
    for act in mine:
        await perform(ann, ben, act, sent)
    await handled(fake, watch, first)
    before = glimmers_of(runner.db_path, A)
    second = fake.last_update_id + 1
    sent = []
    for act in theirs:
        await perform(ben, ann, act, sent)
    await handled(fake, watch, second)
    assert glimmers_of(runner.db_path, A) == before
    failed = {i: o for i, o in watch.outcomes.items() if i >= first and o == "error"}
    assert not failed and not watch.errors, (failed, watch.errors[:1])
    assert fake.rejections[refused:] == [], rejection_lines(fake.rejections[refused:])
