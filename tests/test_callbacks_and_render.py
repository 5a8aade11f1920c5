"""Callback data parsing and message rendering: pure functions, no Telegram."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.ui import callbacks as cb
from bot.ui import keyboards, render, texts
from sandbox.botapi import render_html, utf16_len
from storage.models import Glimmer
from tests.factories import make_glimmer

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def glimmer(**fields: object) -> Glimmer:
    return make_glimmer(7, NOW, **{"text": "warm tea", "source_message_id": 5, **fields})


@pytest.mark.parametrize(
    "data",
    ["sv:1", "un:99", "s:12:sight", "s:12:-", "b:3:+", "b:3:chest", "p:4:60", "p:4:0", "r:5:5"],
)
def test_valid_callback_data_round_trips(data: str) -> None:
    action = cb.parse(data)
    assert action is not None
    assert cb.make(action.name, action.number, action.arg) == data


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "sv",
        "sv:",
        "sv:abc",
        "sv:0",
        "sv:-1",
        "sv:1:extra",
        "zz:1",
        "s:1",
        "s:1:lava",
        "p:1:15",
        "r:1:6",
        "sv:1'; DROP TABLE glimmers; --",
        "s:1:sight\n",
        "sv:" + "9" * 30,
        "lg:1",
        "cn",
        "rw:0",
    ],
)
def test_malformed_or_tampered_callback_data_is_rejected(data: str | None) -> None:
    assert cb.parse(data) is None


def test_every_button_fits_telegrams_64_byte_limit() -> None:
    biggest = 10**18 - 1
    for name in ("sv", "ad", "un", "svm", "adm", "ed", "dl", "dx", "dk", "k"):
        assert len(cb.make(name, biggest).encode()) <= 64
    for arg in ("memory", "shutdown", "mobilised", "+", "-", "60"):
        for name in ("s", "b", "l", "a", "p"):
            if cb.parse(f"{name}:1:{arg}"):
                assert len(cb.make(name, biggest, arg).encode()) <= 64


def test_each_button_says_what_its_number_carries() -> None:
    assert cb.parse("sv:12").glimmer_id == 12  # type: ignore[union-attr]
    assert cb.parse("cn:704").user_id == 704  # type: ignore[union-attr]
    assert cb.parse("hp:3").page == 3  # type: ignore[union-attr]
    assert cb.parse(cb.make(cb.RECAP_WEEK, 0)).weeks_back == 0  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        _ = cb.parse("cn:704").glimmer_id  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        _ = cb.parse("sv:12").user_id  # type: ignore[union-attr]


def test_recap_weeks_stop_ten_years_back() -> None:
    assert cb.parse(cb.make(cb.RECAP_WEEK, cb.WEEKS_BACK_MOST)) is not None
    assert cb.parse(f"rw:{cb.WEEKS_BACK_MOST + 2}") is None
    oldest = keyboards.recap_nav(cb.WEEKS_BACK_MOST).inline_keyboard[0]
    assert [b.text for b in oldest] == [texts.BUTTON_NEXT_WEEK]


def test_every_settings_choice_round_trips_and_fits() -> None:
    for arg in cb.ACTIONS[cb.SETTINGS].args or ():
        action = cb.parse(f"se:{10**18 - 1}:{arg}")
        assert action is not None and action.setting.encode() == arg
        assert len(cb.make(cb.SETTINGS, action.user_id, arg).encode()) <= 64
    assert cb.parse("se:1:t1200").setting == cb.Setting(cb.Choice.CHECKIN_AT, 1200)  # type: ignore[union-attr]
    assert cb.parse("se:1:rd6").setting == cb.Setting(cb.Choice.RECAP_DAY, 6)  # type: ignore[union-attr]
    for tampered in ("t1201", "t01200", "d7", "rd", "s15", "rt0420x", "nap"):
        assert cb.parse(f"se:1:{tampered}") is None


def test_saved_line_escapes_and_shortens_user_text() -> None:
    line = render.saved([glimmer(text="<b>bold</b> & " + "x" * 200)])
    assert "<b>" not in line
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in line
    assert line.endswith("…” ✨")


def test_saved_line_counts_several() -> None:
    assert render.saved([glimmer(id=1), glimmer(id=2), glimmer(id=3)]) == (
        texts.SAVED_MANY.format(count=3)
    )


def test_checkin_reply_is_thanked() -> None:
    assert render.saved([glimmer()], checkin=True).startswith("Thank you")


def test_summary_shows_only_what_was_answered() -> None:
    bare = render.summary(glimmer())
    assert "Brought by" not in bare and "Ladder" not in bare and "Landed" not in bare
    full = render.summary(
        glimmer(
            sense="sound",
            body_cue="chest",
            ladder_before="mobilised",
            ladder_after="safe",
            savour_seconds=20,
            landed=4,
        )
    )
    assert "Brought by: 👂 Sound" in full
    assert "Felt: Warmth in the chest" in full
    assert "Ladder: 🟠 Mobilised, on edge → 🟢 Safe &amp; connected" in full
    assert "Savoured for 20 seconds" in full
    assert "Landed: 4 of 5" in full


def test_summary_prefers_the_persons_own_words_for_the_body() -> None:
    text = render.summary(glimmer(body_cue="chest", body_note="in my <hands>"))
    assert "Felt: in my &lt;hands&gt;" in text


def test_summary_of_the_longest_message_stays_within_telegrams_limit() -> None:
    text = render.summary(glimmer(text="é" * 4096, body_note="b" * 4096, sense="sight"))
    assert len(text.encode("utf-16-le")) // 2 <= 4096


@pytest.mark.parametrize("char", ["😀", "👩\u200d👩\u200d👧", "a😀"])
def test_text_of_emoji_is_measured_as_telegram_counts_it(char: str) -> None:
    # Found by tests/test_fuzz_updates.py: 3000 emoji in /anchor made a 6000-unit message.
    plain, _ = render_html(render.anchor(glimmer(text=char * 3000), ZoneInfo("UTC")))
    assert utf16_len(plain) <= 4096
    short = render.shorten(char * 100, 21)
    assert short.endswith("…") and render.utf16_len(short) <= 21
    assert "\ufffd" not in short.encode("utf-16-le").decode("utf-16-le", "replace")


def test_help_includes_the_support_message_escaped() -> None:
    text = render.help_text("Call <your clinic> & ask")
    assert "Call &lt;your clinic&gt; &amp; ask" in text
    assert "not a crisis service" in text
