"""The copy module: every name defined once, every template fillable, HTML well formed."""

import re
from collections import Counter
from pathlib import Path

from bot.ui import texts
from sandbox.botapi import render_html

SOURCE = Path(texts.__file__).read_text(encoding="utf-8")


def test_no_text_is_defined_twice() -> None:
    names = re.findall(r"^([A-Z][A-Z0-9_]*) = ", SOURCE, re.MULTILINE)
    assert [name for name, count in Counter(names).items() if count > 1] == []


def test_every_message_is_valid_telegram_html_once_filled() -> None:
    for name in dir(texts):
        value = getattr(texts, name)
        if name.isupper() and isinstance(value, str):
            filled = re.sub(r"\{[a-z_]+\}", "x", value)
            render_html(filled)  # raises on a bare "&", "<" or a bad tag


def test_no_scolding_words() -> None:
    lowered = SOURCE.lower()
    for banned in ("you missed", "you forgot", "you failed", "streak broken", "you should"):
        assert banned not in lowered
