"""Turn glimmers into message text (HTML). Pure: no Telegram, no database.

Everything a person wrote is escaped here, and quoted text is shortened so a message always
stays inside Telegram's 4096-character limit (the stored glimmer is never shortened).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.domain.checkins import ALL_DAYS_MASK, WEEKDAYS_MASK, hhmm
from bot.domain.flashback import Flashback, Kind
from bot.domain.recap import WeekRecap
from bot.ui import texts
from bot.ui.callbacks import Choice
from bot.ui.export import count_phrase, day_and_year
from bot.ui.importing import Found
from bot.ui.language import day_names, format_day, zone_name
from bot.ui.summary import Summary
from storage.models import Glimmer, User

SHORT_QUOTE = 80
TAGS_LISTED = 60  # in /tags' text; the most used have buttons too
TAG_CHARS = 40
LONG_QUOTE = 3000


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is often two)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _utf16_prefix(text: str, units: int) -> str:
    if text.isascii():
        return text[:units]
    # A character cut in half (the first half of a surrogate pair) is dropped.
    return text.encode("utf-16-le")[: 2 * units].decode("utf-16-le", "ignore")


def shorten(text: str, limit: int) -> str:
    """At most `limit` UTF-16 units (Telegram's measure), cut at a word boundary where one is
    near, with an ellipsis."""
    flat = " ".join(text.split())
    if utf16_len(flat) <= limit:
        return flat
    cut = _utf16_prefix(flat, limit - 1)
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
    many = texts.SAVED_CHECKIN_MANY if checkin else texts.SAVED_MANY
    return many.format(count=len(glimmers))


def edited(glimmers: Sequence[Glimmer]) -> str:
    if len(glimmers) == 1:
        return texts.EDITED_ONE.format(text=quote(glimmers[0].text))
    return texts.EDITED_MANY.format(count=len(glimmers))


def body_label(glimmer: Glimmer, most: int = 200) -> str | None:
    if glimmer.body_note:
        return escape(shorten(glimmer.body_note, most), quote=False)
    if glimmer.body_cue:
        return label(texts.BODY_LABELS.get(glimmer.body_cue))
    return None


def summary(glimmer: Glimmer, *, title: str | None = None) -> str:
    """The saved glimmer with every answer given; unanswered steps are simply left out."""
    lines = [
        f"<b>{title or texts.SUMMARY_TITLE}</b>",
        "",
        f"<i>{quote(glimmer.text, LONG_QUOTE)}</i>",
        "",
    ]
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


def _support(support_message: str | None) -> str:
    """Where to find urgent support: the operator's words, or the bot's own in the person's
    language."""
    return escape(support_message or texts.SUPPORT_DEFAULT, quote=False)


def help_text(support_message: str | None) -> str:
    return texts.HELP.format(support=_support(support_message))


def _day(d: date) -> str:
    """A day as "Sat 3 Jan", in the words and order of the person's language."""
    return format_day(d, "MMMEd")


def wait_phrase(wait: timedelta) -> str:
    """A wait in words, rounded up: "a minute", "7 minutes", "3 hours"."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    if minutes < 60:
        return texts.WAIT_A_MINUTE if minutes == 1 else texts.WAIT_MINUTES.format(count=minutes)
    hours = math.ceil(minutes / 60)
    return texts.WAIT_AN_HOUR if hours == 1 else texts.WAIT_HOURS.format(count=hours)


def recap_text(recap: WeekRecap, *, streaks: bool = True, earlier: bool = False) -> str:
    """The weekly recap in words: what was noticed, never a grade. `earlier`: a week before
    this one (◀), which an empty week's words speak of as past."""
    start, end = _day(recap.start), _day(recap.end)
    if recap.total == 0:
        empty = texts.RECAP_EMPTY_EARLIER if earlier else texts.RECAP_EMPTY
        return empty.format(start=start, end=end)
    lines = [
        texts.RECAP_TITLE.format(start=start, end=end),
        "",
        texts.RECAP_COUNT.format(
            glimmers=texts.RECAP_GLIMMERS.format(count=recap.total),
            days=texts.RECAP_DAYS.format(count=recap.days_with_glimmers),
        ),
    ]
    if recap.senses:
        senses = ", ".join(
            f"{label(texts.SENSE_LABELS[code])} ({count})" for code, count in recap.senses[:3]
        )
        lines.append(texts.RECAP_SENSES.format(senses=senses))
    if recap.body_cues:
        cues = ", ".join(
            f"{label(texts.BODY_PHRASES[code])} ({count})" for code, count in recap.body_cues[:3]
        )
        lines.append(texts.RECAP_BODY.format(cues=cues))
    if recap.tags:
        tags = ", ".join(
            texts.TAG_ENTRY.format(tag=quote(tag, TAG_CHARS), count=count)
            for tag, count in recap.tags[:3]
        )
        lines.append(texts.RECAP_TAGS.format(tags=tags))
    # Only what moved: "0 of 3 ended closer" would count what did not happen.
    if recap.savoured == 1 and recap.closer_to_safe:
        lines.append(texts.RECAP_SHIFT_ONE)
    elif recap.closer_to_safe:
        lines.append(texts.RECAP_SHIFT.format(closer=recap.closer_to_safe, savoured=recap.savoured))
    if streaks and recap.streak_days >= 2:
        lines.append(texts.RECAP_STREAK.format(days=recap.streak_days))
    if recap.top is not None:
        lines += ["", texts.RECAP_TOP.format(text=quote(recap.top.text, 300))]
    if recap.samples:
        lines += ["", texts.RECAP_SAMPLES]
        lines += [f"• {quote(g.text, 120)}" for g in recap.samples[:3]]
    lines += ["", texts.RECAP_INVITE]
    return "\n".join(lines)


def recap_caption(
    recap: WeekRecap, busiest: date | None, top_sense: str | None, *, earlier: bool = False
) -> str:
    """Says in words what the chart shows, for anyone who cannot see it."""
    start, end = _day(recap.start), _day(recap.end)
    if recap.total == 0 or busiest is None:
        empty = texts.RECAP_CAPTION_EMPTY_EARLIER if earlier else texts.RECAP_CAPTION_EMPTY
        return empty.format(start=start, end=end)
    sense = (
        texts.RECAP_CAPTION_TOP_SENSE.format(sense=label(texts.SENSE_LABELS[top_sense]))
        if top_sense
        else ""
    )
    return texts.RECAP_CAPTION.format(
        start=start, end=end, total=recap.total, busiest=_day(busiest), top_sense=sense
    )


def history_page(
    glimmers: Sequence[Glimmer], *, page: int, pages: int, first_number: int, zone: ZoneInfo
) -> str:
    if not glimmers:
        return texts.HISTORY_EMPTY
    title = texts.HISTORY_TITLE.format(page=page, pages=pages)
    return "\n".join([title, "", *_entries(glimmers, first_number, zone)])


def search_words(words: Sequence[str]) -> str:
    return texts.SEARCH_QUOTED.format(words=escape(" ".join(words), quote=False))


def search_page(
    glimmers: Sequence[Glimmer],
    *,
    words: Sequence[str],
    count: int,
    page: int,
    pages: int,
    first_number: int,
    zone: ZoneInfo,
) -> str:
    if not glimmers:
        return texts.SEARCH_NONE.format(words=search_words(words))
    title = texts.SEARCH_TITLE.format(
        words=search_words(words), count=count, page=page, pages=pages
    )
    return "\n".join([title, "", *_entries(glimmers, first_number, zone)])


def tags(counts: Sequence[tuple[str, int]]) -> str:
    """/tags: each tag with how many glimmers carry it, the most used first."""
    if not counts:
        return texts.TAGS_NONE
    listed = " · ".join(
        texts.TAG_ENTRY.format(tag=quote(tag, TAG_CHARS), count=count)
        for tag, count in counts[:TAGS_LISTED]
    )
    text = texts.TAGS_TITLE.format(tags=listed)
    if len(counts) > TAGS_LISTED:
        text += texts.TAGS_MORE.format(count=len(counts) - TAGS_LISTED)
    return text


def flashback(chosen: Flashback) -> str:
    day = _day(chosen.day) if chosen.day else ""
    if chosen.kind is Kind.YEARS_AGO:
        title = texts.FLASHBACK_YEARS_AGO.format(years=chosen.years)
    elif chosen.kind is Kind.MONTH_AGO:
        title = texts.FLASHBACK_MONTH_AGO.format(date=day)
    else:
        title = texts.FLASHBACK_STARRED.format(date=day)
    return texts.FLASHBACK.format(title=title, text=quote(chosen.glimmer.text, 1500))


def import_found(found: Found, zone: ZoneInfo) -> str:
    count = len(found.entries)
    entries = texts.IMPORT_ENTRIES.format(count=count)
    skipped = texts.IMPORT_SKIPPED.format(count=found.skipped) if found.skipped else ""
    return texts.IMPORT_FOUND.format(
        count=entries,
        source=texts.IMPORT_SOURCES[found.source.value],
        first=day_and_year(found.first.astimezone(zone).date()),
        last=day_and_year(found.last.astimezone(zone).date()),
        skipped=skipped,
    )


def summary_caption(made: Summary) -> str:
    return texts.REPORT_CAPTION.format(count=count_phrase(made.count))


def plain_parts(text: str, most: int = 4000) -> list[str]:
    """Plain text as messages, each at most `most` UTF-16 units as Telegram counts them once
    the HTML escaping is read back; split at line ends (a longer line, where it must)."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.splitlines():
        if utf16_len(line) > most and current:
            parts.append(escape("\n".join(current), quote=False))
            current, size = [], 0
        while utf16_len(line) > most:
            head = _utf16_prefix(line, most)
            parts.append(escape(head, quote=False))
            line = line[len(head) :]
        units = utf16_len(line) + 1
        if current and size + units > most:
            parts.append(escape("\n".join(current), quote=False))
            current, size = [], 0
        current.append(line)
        size += units
    if current:
        parts.append(escape("\n".join(current), quote=False))
    return parts


def import_done(added: int, already: int) -> str:
    if not added:
        return texts.IMPORT_NOTHING_NEW
    glimmers = count_phrase(added)
    if already:
        were = texts.IMPORT_ALREADY.format(count=already)
        return texts.IMPORT_DONE_ALREADY.format(added=glimmers, already=were)
    return texts.IMPORT_DONE.format(added=glimmers)


def _entries(glimmers: Sequence[Glimmer], first_number: int, zone: ZoneInfo) -> list[str]:
    """Numbered lines, one a glimmer: its day, words, sense, body cue, and a star."""
    lines = []
    for number, glimmer in enumerate(glimmers, start=first_number):
        tags = [label(texts.SENSE_LABELS[glimmer.sense])] if glimmer.sense else []
        # Ten to a page, each quoted briefly, so a page of the longest stays one message.
        body = body_label(glimmer, 60)
        if body:
            tags.append(body)
        if glimmer.starred:
            tags.append("★")
        lines.append(
            texts.HISTORY_ENTRY.format(
                number=number,
                date=_day(glimmer.created_at.astimezone(zone).date()),
                text=quote(glimmer.text, 200),
                tags=f" ({', '.join(tags)})" if tags else "",
            )
        )
    return lines


def anchor(glimmer: Glimmer, zone: ZoneInfo) -> str:
    return texts.ANCHOR.format(
        date=_day(glimmer.created_at.astimezone(zone).date()), text=quote(glimmer.text, 2000)
    )


def anchor_empty(support_message: str | None) -> str:
    return texts.ANCHOR_EMPTY.format(support=_support(support_message))


# -- /settings ---------------------------------------------------------------------------------


def days_phrase(mask: int) -> str:
    if mask == ALL_DAYS_MASK:
        return texts.EVERY_DAY
    if mask == WEEKDAYS_MASK:
        return texts.WEEKDAYS
    return ", ".join(name for day, name in enumerate(day_names()) if mask >> day & 1)


def _checkin_plan(user: User) -> str:
    if not user.checkins_on:
        return texts.SETTINGS_CHECKIN_OFF
    if user.window_start is not None and user.window_end is not None:
        plan = texts.SETTINGS_CHECKIN_WINDOW.format(
            start=hhmm(user.window_start),
            end=hhmm(user.window_end),
            days=days_phrase(user.checkin_days),
        )
    else:
        plan = texts.SETTINGS_CHECKIN_AT.format(
            time=hhmm(user.checkin_minute), days=days_phrase(user.checkin_days)
        )
    if user.paused_until:
        plan = texts.SETTINGS_CHECKIN_PAUSED.format(plan=plan, date=_day(user.paused_until))
    return plan


def _on(flag: bool) -> str:
    return texts.SETTINGS_ON if flag else texts.SETTINGS_OFF


def settings_summary(user: User, default_zone: str) -> str:
    """Every preference in a few lines, above the settings menu."""
    recap = (
        texts.SETTINGS_RECAP_AT.format(
            day=day_names("wide")[user.recap_day], time=hhmm(user.recap_minute)
        )
        if user.recap_on
        else texts.SETTINGS_OFF
    )
    return (
        texts.SETTINGS_TITLE
        + "\n\n"
        + texts.SETTINGS_SUMMARY.format(
            checkin=_checkin_plan(user),
            zone=zone_name(user.timezone or default_zone),
            skip=_on(user.skip_if_logged),
            savour=texts.SETTINGS_SECONDS.format(count=user.savour_seconds),
            ladder=_on(user.ask_ladder),
            recap=recap,
            streaks=_on(user.streaks_on),
            flashbacks=texts.FLASHBACKS_WHEN[user.flashbacks],
            language=texts.LANGUAGE_NAME,
        )
    )


def settings_question(choice: Choice) -> str:
    """The question above a settings submenu."""
    questions = {
        Choice.TIME: texts.ASK_CHECKIN_TIME,
        Choice.DAYS: texts.ASK_DAYS,
        Choice.PAUSE: texts.ASK_PAUSE_CHECKINS,
        Choice.SAVOUR: texts.ASK_SAVOUR,
        Choice.RECAP: texts.ASK_RECAP,
        Choice.LANGUAGE: texts.LANGUAGE_ASK,
    }
    return questions[choice]
