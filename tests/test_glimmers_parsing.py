"""Splitting a quick message into glimmers."""

import pytest

from bot.domain.glimmers import clean, split_glimmers, strip_marker, visible


def test_one_line_is_one_glimmer() -> None:
    assert split_glimmers("the kettle's first whistle") == ["the kettle's first whistle"]


def test_several_lines_make_several_glimmers_and_blank_lines_are_ignored() -> None:
    text = "birdsong at dawn\n\n   \nwarm mug in my hands\nmy cat purring  "
    assert split_glimmers(text) == ["birdsong at dawn", "warm mug in my hands", "my cat purring"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- sunlight", "sunlight"),
        ("* sunlight", "sunlight"),
        ("• sunlight", "sunlight"),
        ("– sunlight", "sunlight"),
        ("1. sunlight", "sunlight"),
        ("12) sunlight", "sunlight"),
        ("(3) sunlight", "sunlight"),
        ("a) sunlight", "sunlight"),
        ("- [ ] sunlight", "sunlight"),
        ("- [x] sunlight", "sunlight"),
        ("  -   sunlight  ", "sunlight"),
    ],
)
def test_list_markers_are_stripped(line: str, expected: str) -> None:
    assert strip_marker(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "3 birds on a wire",
        "1.5 hours of sun",
        "-5 degrees and still lovely",
        "A. because it was an A grade day",
        "I. Smith's bakery smell",
        "😊 a smile from the bus driver",
        "שלום, a neighbour's greeting",
    ],
)
def test_content_that_only_looks_like_a_marker_is_kept(line: str) -> None:
    assert split_glimmers(line) == [line]


def test_a_line_that_is_only_a_marker_is_dropped() -> None:
    assert split_glimmers("- \n*\n1.\n- real one") == ["real one"]


def test_nothing_but_space_gives_nothing() -> None:
    assert split_glimmers(" \n\t\n") == []


def test_windows_line_endings() -> None:
    assert split_glimmers("one\r\ntwo\r\n") == ["one", "two"]


@pytest.mark.parametrize(
    "odd", ["\x0b", "\x0c", "\u2028", "\u2029", "\x1c", "\x1d", "\x1e", "\x85"]
)
def test_only_line_feeds_and_carriage_returns_end_a_line(odd: str) -> None:
    assert len(split_glimmers(f"a warm{odd}mug")) == 1


def test_control_characters_are_never_stored() -> None:
    assert split_glimmers("tea\x00 for\x0btwo\x07") == ["tea for two"]
    assert clean("tab\tand\nline") == "tab\tand\nline"


@pytest.mark.parametrize("blank", ["\u200b\u200b", "\u200d", "\ufeff \u2060", "\u3164", "\u2800"])
def test_a_line_with_nothing_visible_is_not_a_glimmer(blank: str) -> None:
    assert not visible(blank)
    assert split_glimmers(f"{blank}\nsun on the wall\n- {blank}") == ["sun on the wall"]
