"""End to end: the guided "notice and savour" conversation, restarts and timeouts included."""

from __future__ import annotations

from pathlib import Path

from bot.ui import texts
from sandbox.botapi import BotMessage, FakeTelegram, FakeUser
from tests.conftest import BotRunner, running


async def glimmer_row(runner: BotRunner, user_id: int) -> dict[str, object]:
    row = await runner.services.db.fetchone(
        "SELECT * FROM glimmers WHERE user_id = ? ORDER BY id DESC LIMIT 1", (user_id,)
    )
    assert row is not None
    return dict(row)


async def begin(user: FakeUser, text: str) -> BotMessage:
    """/glimmer, then the glimmer's words; returns the question that follows (the sense)."""
    await user.send("/glimmer")
    assert (await user.reply()).text == texts.ASK_TEXT
    await user.send(text)
    return await user.reply()


async def answer(user: FakeUser, message: BotMessage, button: str) -> BotMessage:
    """Press a step's button; the question keeps the answer and loses its buttons."""
    await user.press(message, button)
    edited = await user.wait_edit(message.message_id)
    assert edited.buttons == []
    return await user.reply()


async def test_every_step_including_the_timed_follow_up(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    mo = fake.user(201, "Mo")
    await mo.send("/glimmer")
    assert (await mo.reply()).text == texts.ASK_TEXT
    await mo.send("my daughter's laugh from the next room")
    sense = await mo.reply()
    assert sense.text == texts.ASK_SENSE
    assert len(sense.button_texts()) == 11  # ten senses and Skip
    body = await answer(mo, sense, texts.SENSE_LABELS["sound"])
    assert body.text == texts.ASK_BODY
    assert (await glimmer_row(runner, 201))["sense"] == "sound"  # written as it is given
    ladder = await answer(mo, body, texts.BODY_LABELS["chest"])
    assert ladder.text == texts.ASK_LADDER
    pause = await answer(mo, ladder, texts.LADDER_LABELS["mobilised"])
    assert "20 seconds" in pause.text
    assert pause.button_texts() == [
        "Begin · 20 s",
        "10 s",
        "30 s",
        "60 s",
        texts.BUTTON_SKIP_PAUSE,
    ]
    await mo.press(pause, "10 s")
    pausing = await mo.wait_edit(pause.message_id)
    assert "10 seconds" in pausing.text
    assert pausing.button_texts() == [texts.BUTTON_SKIP_PAUSE]
    # The JobQueue sends the follow-up after the pause (10 s at test speed: 0.5 s), not at once.
    await mo.no_reply(wait=0.3)
    landed = await mo.reply(timeout=5)
    assert landed.text == texts.ASK_LANDED
    after = await answer(mo, landed, "4")
    assert after.text == texts.ASK_LADDER_AFTER
    await mo.press(after, texts.LADDER_LABELS["safe"])
    summary = await mo.reply()
    assert summary.text.startswith(texts.SUMMARY_TITLE)
    assert "my daughter's laugh from the next room" in summary.text
    assert "Ladder: 🟠 Mobilised, on edge → 🟢 Safe & connected" in summary.text
    assert "Landed: 4 of 5" in summary.text
    assert summary.button_texts() == [texts.BUTTON_EDIT, texts.BUTTON_DELETE, texts.BUTTON_STAR]
    row = await glimmer_row(runner, 201)
    assert row["status"] == "complete"
    assert (row["sense"], row["body_cue"], row["ladder_before"], row["ladder_after"]) == (
        "sound",
        "chest",
        "mobilised",
        "safe",
    )
    assert (row["savour_seconds"], row["landed"]) == (10, 4)
    # The chosen length is offered first next time.
    user = await runner.services.users.get(user_id=201)
    assert user is not None and user.savour_seconds == 10


async def test_every_step_can_be_skipped(fake: FakeTelegram, runner: BotRunner) -> None:
    nia = fake.user(202)
    sense = await begin(nia, "a warm radiator")
    body = await answer(nia, sense, texts.BUTTON_SKIP)
    ladder = await answer(nia, body, texts.BUTTON_SKIP)
    pause = await answer(nia, ladder, texts.BUTTON_SKIP)
    await nia.press(pause, texts.BUTTON_SKIP_PAUSE)
    summary = await nia.reply()
    assert summary.text.startswith(texts.SUMMARY_TITLE)
    assert "Brought by" not in summary.text and "Landed" not in summary.text
    row = await glimmer_row(runner, 202)
    assert row["status"] == "complete" and row["text"] == "a warm radiator"


async def test_skipping_during_the_pause_cancels_the_follow_up(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    oz = fake.user(203)
    sense = await begin(oz, "sunlight")
    body = await answer(oz, sense, texts.BUTTON_SKIP)
    ladder = await answer(oz, body, texts.BUTTON_SKIP)
    pause = await answer(oz, ladder, texts.BUTTON_SKIP)
    await oz.press(pause, "60 s")
    pausing = await oz.wait_edit(pause.message_id)
    await oz.press(pausing, texts.BUTTON_SKIP_PAUSE)
    assert (await oz.reply()).text.startswith(texts.SUMMARY_TITLE)
    await oz.no_reply(wait=3.5)  # 60 s at test speed is 3 s: no follow-up comes


async def test_somewhere_else_takes_the_persons_own_words(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    pat = fake.user(204)
    sense = await begin(pat, "the dog leaning on my leg")
    body = await answer(pat, sense, texts.SENSE_LABELS["people"])
    ask = await answer(pat, body, texts.BUTTON_SOMEWHERE_ELSE)
    assert ask.text == texts.ASK_BODY_TEXT
    await pat.send("my hands went soft")
    assert (await pat.reply()).text == texts.ASK_LADDER
    row = await glimmer_row(runner, 204)
    assert row["body_note"] == "my hands went soft" and row["body_cue"] is None


async def test_cancel_leaves_kindly_and_keeps_what_was_typed(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    quin = fake.user(205)
    await begin(quin, "the first sip of coffee")
    await quin.send("/cancel")
    assert (await quin.reply()).text == texts.CANCELLED_KEPT
    row = await glimmer_row(runner, 205)
    assert row["status"] == "complete" and row["text"] == "the first sip of coffee"
    await quin.send("/cancel")
    assert (await quin.reply()).text == texts.NOTHING_TO_CANCEL
    # Back outside the conversation, text is quick-logged again.
    await quin.send("a kind email")
    assert (await quin.reply()).text == "Kept: “a kind email” ✨"


async def test_typing_where_a_button_is_expected_keeps_both(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    ray = fake.user(206)
    await begin(ray, "blossom on the path")  # now the sense question waits for a tap
    await ray.send("oh and the sky was pink")
    assert (await ray.reply()).text == "Kept: “oh and the sky was pink” ✨"
    rows = await runner.services.db.fetchall(
        "SELECT text, status FROM glimmers WHERE user_id = 206 ORDER BY id"
    )
    assert [(r["text"], r["status"]) for r in rows] == [
        ("blossom on the path", "complete"),
        ("oh and the sky was pink", "complete"),
    ]


async def test_savour_it_and_add_details_start_from_a_quick_glimmer(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    sam = fake.user(207)
    await sam.send("a friend's voice note")
    kept = await sam.reply()
    await sam.press(kept, texts.BUTTON_DETAILS)
    sense = await sam.reply()
    assert sense.text == texts.ASK_SENSE
    await answer(sam, sense, texts.SENSE_LABELS["sound"])
    await sam.press(kept, texts.BUTTON_SAVOUR)
    ladder = await sam.reply()
    assert ladder.text == texts.ASK_LADDER
    pause = await answer(sam, ladder, texts.LADDER_LABELS["shutdown"])
    await sam.press(pause, texts.BUTTON_SKIP_PAUSE)
    summary = await sam.reply()
    assert "a friend's voice note" in summary.text and "👂 Sound" in summary.text
    rows = await runner.services.db.fetchall("SELECT id FROM glimmers WHERE user_id = 207")
    assert len(rows) == 1


async def test_edit_and_delete_from_the_summary(fake: FakeTelegram, runner: BotRunner) -> None:
    tam = fake.user(208)
    sense = await begin(tam, "warm bread smell")
    body = await answer(tam, sense, texts.SENSE_LABELS["smell"])
    ladder = await answer(tam, body, texts.BUTTON_SKIP)
    pause = await answer(tam, ladder, texts.BUTTON_SKIP)
    await tam.press(pause, texts.BUTTON_SKIP_PAUSE)
    summary = await tam.reply()
    await tam.press(summary, texts.BUTTON_EDIT)
    ask = await tam.reply()
    assert "warm bread smell" in ask.text and ask.button_texts() == [texts.BUTTON_KEEP_TEXT]
    await tam.send("warm bread smell from the bakery")
    assert (await tam.reply()).text == texts.ASK_SENSE
    row = await glimmer_row(runner, 208)
    assert row["text"] == "warm bread smell from the bakery" and row["sense"] == "smell"
    await tam.send("/cancel")
    await tam.reply()
    await tam.press(summary, texts.BUTTON_DELETE)
    confirm = await tam.wait_edit(summary.message_id)
    assert confirm.button_texts() == [texts.BUTTON_DELETE_YES, texts.BUTTON_DELETE_NO]
    await tam.press(confirm, texts.BUTTON_DELETE_NO)
    kept = await tam.wait_edit(summary.message_id)
    assert kept.button_texts() == [texts.BUTTON_EDIT, texts.BUTTON_DELETE, texts.BUTTON_STAR]
    await tam.press(kept, texts.BUTTON_DELETE)
    confirm = await tam.wait_edit(summary.message_id)
    await tam.press(confirm, texts.BUTTON_DELETE_YES)
    gone = await tam.wait_edit(summary.message_id)
    assert gone.text == texts.DELETED
    assert await runner.services.glimmers.count(user_id=208) == 0


async def test_restart_mid_conversation_continues_it(fake: FakeTelegram, runner: BotRunner) -> None:
    uma = fake.user(209)
    sense = await begin(uma, "the hum of the fridge at night")
    body = await answer(uma, sense, texts.SENSE_LABELS["sound"])
    await answer(uma, body, texts.BUTTON_SOMEWHERE_ELSE)
    await runner.restart()
    # The persisted state says we are waiting for the body in her own words.
    await uma.send("in my jaw, unclenching")
    ladder = await uma.reply()
    assert ladder.text == texts.ASK_LADDER
    pause = await answer(uma, ladder, texts.LADDER_LABELS["safe"])
    await uma.press(pause, texts.BUTTON_SKIP_PAUSE)
    summary = await uma.reply()
    assert "in my jaw, unclenching" in summary.text
    assert "👂 Sound" in summary.text


async def test_restart_during_the_pause_still_sends_the_follow_up(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    vic = fake.user(210)
    sense = await begin(vic, "a hug at the station")
    body = await answer(vic, sense, texts.BUTTON_SKIP)
    ladder = await answer(vic, body, texts.BUTTON_SKIP)
    pause = await answer(vic, ladder, texts.BUTTON_SKIP)
    await vic.press(pause, "30 s")  # 1.5 s at test speed
    await vic.wait_edit(pause.message_id)
    await runner.restart()
    landed = await vic.reply(timeout=6)
    assert landed.text == texts.ASK_LANDED
    await vic.no_reply(wait=2)  # exactly one follow-up


async def test_a_conversation_left_alone_times_out_and_keeps_the_words(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running(fake, tmp_path, timeout_seconds=1) as runner:
        wes = fake.user(211)
        sense = await begin(wes, "light on the river")
        body = await answer(wes, sense, texts.SENSE_LABELS["sight"])
        assert body.text == texts.ASK_BODY
        kept = await wes.reply(timeout=5)
        assert kept.text.startswith(texts.TIMED_OUT_KEPT)
        assert "light on the river" in kept.text and "👀 Sight" in kept.text
        row = await glimmer_row(runner, 211)
        assert row["status"] == "complete" and row["sense"] == "sight"
        # After the timeout, a text is a fresh quick glimmer, not an answer to the old question.
        await wes.send("a second thought")
        assert (await wes.reply()).text == "Kept: “a second thought” ✨"


async def test_the_timeout_still_applies_after_a_restart(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running(fake, tmp_path, timeout_seconds=2) as runner:
        xan = fake.user(212)
        await begin(xan, "the smell of a new book")
        await runner.restart()
        kept = await xan.reply(timeout=6)
        assert kept.text.startswith(texts.TIMED_OUT_KEPT)
        assert (await glimmer_row(runner, 212))["status"] == "complete"
