"""End to end: bringing a journal in from a file: the bot's own export, Daylio, Presently."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from bot.ui import texts
from sandbox.botapi import BotMessage, FakeTelegram, FakeUser
from tests.conftest import BotRunner

DAYLIO = (
    "full_date,date,weekday,time,mood,activities,note_title,note\r\n"
    '2018-05-18,May 18,Friday,11:54 pm,rad,"friends | movies / tv","Film night","Laughing'
    ' with <b>Jo</b><br>till late &amp; happy"\r\n'
    '2018-05-17,May 17,Thursday,21:10,meh,"work","",""\r\n'
    '2018-05-16,May 16,Wednesday,7:05 am,good,"","","Birdsong at the window"\r\n'
)
PRESENTLY = (
    "entryDate,entryContent\n"
    '2023-01-03,"Warm soup after the walk"\n'
    '2024-05-02,"Sunlight on the desk, and a kind email"\n'
)


async def rows(runner: BotRunner, user_id: int) -> list[dict[str, Any]]:
    return await runner.services.glimmers.export_rows(user_id=user_id)


async def offer(person: FakeUser, data: bytes, name: str) -> BotMessage:
    await person.send_document(data, name)
    return await person.reply(timeout=10)


async def bring_in(person: FakeUser, asked: BotMessage) -> str:
    await person.press(asked, texts.BUTTON_IMPORT_YES)
    return (await person.wait_edit(asked.message_id, timeout=10)).text


async def test_an_export_comes_back_whole_and_twice_adds_nothing(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    amy = fake.user(901)
    await amy.send("- rain on the skylight #home\n- =a sum that isn't one\n- 'tea' with Jo")
    await amy.reply()
    await amy.send("/glimmer")
    await amy.reply()
    await amy.send("a blackbird at dusk")
    question = await amy.reply()
    await amy.press(question, texts.SENSE_LABELS["sound"])
    question = await amy.reply()
    await amy.press(question, texts.BODY_LABELS["chest"])
    await amy.reply()
    await amy.send("/cancel")
    await amy.reply()
    await amy.send("/export")
    _, json_file, csv_file, _, _ = await amy.replies(5, timeout=20)
    assert json_file.document is not None and csv_file.document is not None
    mine = await rows(runner, 901)
    fields = ("text", "sense", "body_cue", "created_at", "starred")

    def same(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted(
            tuple(row[f] if f != "created_at" else row[f][:19] for f in fields) for row in found
        )

    for person_id, data, name in (
        (902, json_file.document, "g.json"),
        (903, csv_file.document, "g.csv"),
    ):
        ben = fake.user(person_id)
        asked = await offer(ben, data, name)
        assert asked.text.startswith("I found 4 entries in this file (this bot's")
        assert asked.button_texts() == [texts.BUTTON_IMPORT_YES, texts.BUTTON_IMPORT_NO]
        assert (
            await bring_in(ben, asked)
            == "Brought in: 4 glimmers. ✨ /history shows them among the rest."
        )
        assert same(await rows(runner, person_id)) == same(mine)
        again = await offer(ben, data, name)
        assert await bring_in(ben, again) == texts.IMPORT_NOTHING_NEW
        assert len(await rows(runner, person_id)) == 4
    # Into the journal it came from: all already here.
    asked = await offer(amy, json_file.document, "g.json")
    assert await bring_in(amy, asked) == texts.IMPORT_NOTHING_NEW
    assert fake.rejections == []


async def test_a_daylio_export_brings_notes_with_tags_and_mood(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    cat = fake.user(904)
    asked = await offer(cat, DAYLIO.encode(), "daylio_export.csv")
    assert asked.text == (
        "I found 2 entries in this file (a Daylio export), 16 May 2018 to 18 May 2018."
        " 1 without any words will be left out.\n\n"
        "Shall I bring them into your glimmers? Anything already here is left as it is."
    )
    assert (
        await bring_in(cat, asked)
        == "Brought in: 2 glimmers. ✨ /history shows them among the rest."
    )
    texts_kept = sorted(row["text"] for row in await rows(runner, 904))
    assert texts_kept == [
        "Birdsong at the window\nMood: good",
        "Film night\nLaughing with Jo\ntill late & happy\n#friends #movies_tv\nMood: rad",
    ]
    times = sorted(row["created_at"][:16] for row in await rows(runner, 904))
    assert times == ["2018-05-16T06:05", "2018-05-18T22:54"]  # 07:05, 23:54 in London (UTC+1)
    await cat.send("/tags")
    assert "#friends (1) · #movies_tv (1)" in (await cat.reply()).text


async def test_a_presently_export_and_a_press_twice_brings_it_in_once(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    dan = fake.user(905)
    asked = await offer(dan, PRESENTLY.encode(), "presently.csv")
    assert "2 entries in this file (a Presently export), 3 Jan 2023 to 2 May 2024." in asked.text
    await dan.press(asked, texts.BUTTON_IMPORT_YES)
    await dan.press(asked, texts.BUTTON_IMPORT_YES)
    done = await dan.wait_edit(asked.message_id, timeout=10)
    assert done.text.startswith("Brought in: 2 glimmers.")
    await fake.wait_idle()
    assert len(await rows(runner, 905)) == 2
    assert dan.message(asked.message_id).text == done.text


def _journal(**fields: Any) -> bytes:
    """Our JSON export holding one glimmer, with `fields` changed."""
    entry = {"text": "sun on the wall", "created_at": "2024-01-01T10:00:00Z", **fields}
    return json.dumps({"schema_version": 1, "glimmers": [entry]}).encode()


BAD_FILES = [
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "photo.csv", texts.IMPORT_NOT_TEXT),
    (b'{"schema_version": 1, "glimmers": [', "g.json", texts.IMPORT_BAD_JSON),
    (
        json.dumps(
            {
                "schema_version": 1,
                "glimmers": [
                    {"text": "ok", "created_at": "2024-01-01T10:00:00Z"},
                    {"text": "x", "created_at": "soon"},
                ],
            }
        ).encode(),
        "g.json",
        texts.IMPORT_BAD_ENTRY.format(number=2, what=texts.IMPORT_WHAT["time"]),
    ),
    (
        json.dumps(
            {
                "schema_version": 1,
                "glimmers": [
                    {"text": "x", "created_at": "2024-01-01T10:00:00Z", "sense": "telepathy"}
                ],
            }
        ).encode(),
        "g.json",
        texts.IMPORT_BAD_ENTRY.format(number=1, what=texts.IMPORT_WHAT["sense"]),
    ),
    (b"name,amount\nrent,500\n", "bank.csv", texts.IMPORT_UNKNOWN),
    (
        b"entryDate,entryContent\nlast tuesday,hello\n",
        "p.csv",
        texts.IMPORT_BAD_DATE.format(number=2),
    ),
    (b"", "empty.csv", texts.IMPORT_EMPTY),
    (
        b"entryDate,entryContent\n0202-05-01,a typo for 2020\n",
        "p.csv",
        texts.IMPORT_BAD_WHEN.format(number=1),
    ),
    (
        b"entryDate,entryContent\n2999-05-01,from the future\n",
        "p.csv",
        texts.IMPORT_BAD_WHEN.format(number=1),
    ),
    (
        _journal(created_at="0005-01-02T00:00:00+00:00"),
        "g.json",
        texts.IMPORT_BAD_WHEN.format(number=1),
    ),
    (
        _journal(starred="false"),
        "g.json",
        texts.IMPORT_BAD_ENTRY.format(number=1, what=texts.IMPORT_WHAT["star"]),
    ),
    (
        _journal(landed=True),
        "g.json",
        texts.IMPORT_BAD_ENTRY.format(number=1, what=texts.IMPORT_WHAT["landed"]),
    ),
    (
        _journal(savour_seconds=True),
        "g.json",
        texts.IMPORT_BAD_ENTRY.format(number=1, what=texts.IMPORT_WHAT["savouring"]),
    ),
    (
        _journal(text="\u200b\u200b"),
        "g.json",
        texts.IMPORT_BAD_ENTRY.format(number=1, what=texts.IMPORT_WHAT["words"]),
    ),
    (
        _journal(text="a\x00b"),
        "g.json",
        texts.IMPORT_BAD_ENTRY.format(number=1, what=texts.IMPORT_WHAT["words"]),
    ),
    (
        b'{"schema_version": 1, "glimmers": [{"text": "a\\ud800b",'
        b' "created_at": "2024-01-01T10:00:00Z"}]}',
        "g.json",
        texts.IMPORT_BAD_ENTRY.format(number=1, what=texts.IMPORT_WHAT["words"]),
    ),
    (
        b'{"schema_version": 1, "glimmers": [], "n": ' + b"9" * 5000 + b"}",
        "g.json",
        texts.IMPORT_UNKNOWN,
    ),
    (b"full_date,mood,note\n2018-05-18,rad,hello\n", "daylio.csv", texts.IMPORT_UNKNOWN),
]


@pytest.mark.parametrize(("data", "name", "said"), BAD_FILES)
async def test_a_file_that_cant_be_read_changes_nothing_and_says_why(
    fake: FakeTelegram, runner: BotRunner, data: bytes, name: str, said: str
) -> None:
    eve = fake.user(906)
    reply = await offer(eve, data, name)
    assert reply.text == said.replace("<b>", "").replace("</b>", "")
    assert reply.buttons == []
    assert await rows(runner, 906) == []


async def test_a_file_too_big_is_refused_before_it_is_fetched(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    fay = fake.user(907)
    await fay.send_document(b"entryDate,entryContent\n", "huge.csv", size=30 * 1024 * 1024)
    assert (await fay.reply()).text.startswith("That file is too big for me (5 MB at most).")
    assert fake.downloads == []


async def test_an_older_question_or_one_from_before_a_restart_brings_nothing_in(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    gus = fake.user(908)
    first = await offer(gus, PRESENTLY.encode(), "one.csv")
    second = await offer(gus, DAYLIO.encode(), "two.csv")
    query = await gus.press(first, texts.BUTTON_IMPORT_YES)
    assert (await gus.callback_answer(query))["text"] == texts.IMPORT_GONE
    await gus.press(second, texts.BUTTON_IMPORT_NO)
    assert (await gus.wait_edit(second.message_id)).text == texts.IMPORT_NOT_NOW
    third = await offer(gus, DAYLIO.encode(), "two.csv")
    await runner.restart()
    query = await gus.press(third, texts.BUTTON_IMPORT_YES)
    assert (await gus.callback_answer(query))["text"] == texts.IMPORT_GONE
    assert await rows(runner, 908) == []


async def test_a_file_that_is_no_journal_keeps_its_caption_as_a_glimmer(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    hal = fake.user(909)
    await hal.send_document(
        b"%PDF-1.4 not a journal", "sunset.pdf", "application/pdf", caption="sunset over the bay"
    )
    assert (await hal.reply()).text.startswith("Kept: “sunset over the bay”")
    assert fake.downloads == []


async def test_a_day_brings_in_at_most_its_allowance_and_a_full_day_says_when(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    ida = fake.user(910)

    def presently(first: int, count: int) -> bytes:
        start = date(1980, 1, 1)
        lines = [
            f"{(start + timedelta(days=(first + n) // 3)).isoformat()},moment {first + n}"
            for n in range(count)
        ]
        return ("entryDate,entryContent\n" + "\n".join(lines)).encode()

    first = await offer(ida, presently(0, 15_000), "one.csv")
    assert (await bring_in(ida, first)).startswith("Brought in: 15,000 glimmers.")
    second = await offer(ida, presently(15_000, 6_000), "two.csv")
    said = await bring_in(ida, second)
    assert said.startswith("That's more than I can bring in today: there's room for 5,000")
    assert len(await rows(runner, 910)) == 15_000


async def test_pages_of_the_longest_glimmers_stay_one_message(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    jon = fake.user(911)
    entries = [
        {
            "text": f"lorem {n} " + "ipsum & <dolor> " * 250,
            "body_note": "a long note " * 340,
            "created_at": f"2024-01-{n + 1:02d}T10:00:00Z",
            "sense": "sound",
            "starred": True,
        }
        for n in range(12)
    ]
    data = json.dumps({"schema_version": 1, "glimmers": entries}).encode()
    asked = await offer(jon, data, "long.json")
    assert (await bring_in(jon, asked)).startswith("Brought in: 12 glimmers.")
    for command in ("/history", "/search lorem", "/tags", "/summary"):
        await jon.send(command)
        assert (await jon.reply()).text
    assert fake.rejections == []


def test_what_bringing_in_says_reads_well_for_one_and_many() -> None:
    from bot.ui.render import import_done

    assert import_done(2, 1) == "Brought in: 2 glimmers; 1 was already here. ✨"
    assert import_done(1, 3) == "Brought in: 1 glimmer; 3 were already here. ✨"
    assert import_done(0, 3) == texts.IMPORT_NOTHING_NEW
