"""Turn glimmers into message text (HTML). Pure: no Telegram, no database.

Everything a person wrote is escaped here, and quoted text is shortened so a message always
stays inside Telegram's 4096-character limit (the stored glimmer is never shortened).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot import texts
from storage.models import Glimmer

SHORT_QUOTE = 80
LONG_QUOTE = 3000


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary where one is near, with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


def quote(text: str, limit: int = SHORT_QUOTE) -> str:
    return escape(shorten(text, limit), quote=False)


def label(text: str | None) -> str:
    """A button label placed into HTML text ("Safe & connected" needs its "&" escaped)."""
    return escape(text, quote=False) if text else ""


def answered(question_html: str, answer_label: str) -> str:
    """A question message after it was answered: the question, then the chosen answer."""
    return f"{question_html}\n<i>→ {label(answer_label)}</i>"


def saved(glimmers: Sequence[Glimmer], *, checkin: bool = False) -> str:
    if len(glimmers) == 1:
        template = texts.SAVED_CHECKIN_ONE if checkin else texts.SAVED_ONE
        return template.format(text=quote(glimmers[0].text))
    template = texts.SAVED_CHECKIN_MANY if checkin else texts.SAVED_MANY
    return template.format(count=len(glimmers))


def edited(glimmers: Sequence[Glimmer]) -> str:
    if len(glimmers) == 1:
        return texts.EDITED_ONE.format(text=quote(glimmers[0].text))
    return texts.EDITED_MANY.format(count=len(glimmers))


def body_label(glimmer: Glimmer) -> str | None:
    if glimmer.body_note:
        return escape(shorten(glimmer.body_note, 200), quote=False)
    if glimmer.body_cue:
        return label(texts.BODY_LABELS.get(glimmer.body_cue))
    return None


def summary(glimmer: Glimmer, *, title: str = texts.SUMMARY_TITLE) -> str:
    """The saved glimmer with every answer given; unanswered steps are simply left out."""
    lines = [f"<b>{title}</b>", "", f"<i>{quote(glimmer.text, LONG_QUOTE)}</i>", ""]
    if glimmer.sense:
        lines.append(texts.SUMMARY_SENSE.format(value=label(texts.SENSE_LABELS[glimmer.sense])))
    body = body_label(glimmer)
    if body:
        lines.append(texts.SUMMARY_BODY.format(value=body))
    before = label(texts.LADDER_LABELS.get(glimmer.ladder_before or ""))
    after = label(texts.LADDER_LABELS.get(glimmer.ladder_after or ""))
    if before and after:
        lines.append(texts.SUMMARY_LADDER_SHIFT.format(before=before, after=after))
    elif before or after:
        lines.append(texts.SUMMARY_LADDER.format(value=before or after))
    if glimmer.savour_seconds:
        lines.append(texts.SUMMARY_SAVOURED.format(seconds=glimmer.savour_seconds))
    if glimmer.landed:
        lines.append(texts.SUMMARY_LANDED.format(value=glimmer.landed))
    return "\n".join(lines).rstrip()


def ask_new_text(glimmer: Glimmer) -> str:
    return texts.ASK_NEW_TEXT.format(text=quote(glimmer.text, LONG_QUOTE))


def help_text(support_message: str) -> str:
    return texts.HELP.format(support=escape(support_message, quote=False))
