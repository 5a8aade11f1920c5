"""Looking back: the weekly recap with its chart, /history, /search, /tags, /summary, stars
and /anchor."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from functools import partial
from typing import Any

from telegram import CallbackQuery, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.domain.search import tag_counts, words_of
from bot.runtime.services import Ctx
from bot.ui import callbacks as cb
from bot.ui import keyboards, render, summary, texts
from bot.ui.language import current, in_language
from bot.ui.summary import build_summary
from handlers.common import edit_quietly, holds_words, ids, must_wait, own_glimmer, pressed
from handlers.flows import send_recap, zone_of_user

log = logging.getLogger(__name__)

PAGE_SIZE = 10


async def recap_command(update: Update, context: Ctx) -> None:
    user_id, chat_id = ids(update)
    message = update.effective_message
    assert message is not None
    wait = must_wait(context.svc.limits.recaps, user_id, context.svc.clock.now())
    if wait:
        await message.reply_html(texts.RECAP_RESTING.format(wait=wait))
        return
    await send_recap(context.bot, context.svc, user_id, chat_id, 0)


async def recap_week(update: Update, context: Ctx) -> None:
    found = await pressed(update)
    user_id, chat_id = ids(update)
    if found is None:
        return
    query, action = found
    wait = must_wait(context.svc.limits.recaps, user_id, context.svc.clock.now())
    if wait:
        await query.answer(texts.RECAP_RESTING_POPUP.format(wait=wait))
        return
    await query.answer()
    await send_recap(context.bot, context.svc, user_id, chat_id, action.weeks_back)


async def _history(context: Ctx, user_id: int, page: int) -> tuple[str, Any]:
    svc = context.svc
    total = await svc.glimmers.count(user_id=user_id)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    first = (page - 1) * PAGE_SIZE
    glimmers = await svc.glimmers.page(user_id=user_id, offset=first, limit=PAGE_SIZE)
    zone = await zone_of_user(svc, user_id)
    text = render.history_page(glimmers, page=page, pages=pages, first_number=first + 1, zone=zone)
    markup = keyboards.history(glimmers, page=page, pages=pages, first_number=first + 1)
    return text, markup if glimmers else None


async def history_command(update: Update, context: Ctx) -> None:
    if context.args:  # "/history #rain": the glimmers with that tag (or those words)
        await search_command(update, context)
        return
    user_id, chat_id = ids(update)
    text, markup = await _history(context, user_id, 1)
    await context.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)


async def history_page(update: Update, context: Ctx) -> None:
    found = await pressed(update)
    if found is None:
        return
    query, action = found
    user_id, _ = ids(update)
    await query.answer()
    text, markup = await _history(context, user_id, action.page)
    await edit_quietly(query, text, markup, last=context.svc.edits)


async def _search(context: Ctx, user_id: int, words: tuple[str, ...], page: int) -> tuple[str, Any]:
    svc = context.svc
    found = await svc.glimmers.find(user_id=user_id, wanted=holds_words(words))
    pages = max(1, math.ceil(len(found) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    first = (page - 1) * PAGE_SIZE
    glimmers = await svc.glimmers.by_ids(
        user_id=user_id, glimmer_ids=found[first : first + PAGE_SIZE]
    )
    zone = await zone_of_user(svc, user_id)
    text = render.search_page(
        glimmers,
        words=words,
        count=len(found),
        page=page,
        pages=pages,
        first_number=first + 1,
        zone=zone,
    )
    if not glimmers:
        return text, None
    markup = keyboards.history(
        glimmers, page=page, pages=pages, first_number=first + 1, turn=cb.SEARCH_PAGE
    )
    return text, markup


async def search_command(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    words = words_of(" ".join(context.args or ()))
    if not words:
        await message.reply_html(texts.SEARCH_ASK)
        return
    user_id, _ = ids(update)
    wait = must_wait(context.svc.limits.searches, user_id, context.svc.clock.now())
    if wait:
        await message.reply_html(texts.SEARCH_RESTING.format(wait=wait))
        return
    await _show_search(update, context, words)


async def _show_search(update: Update, context: Ctx, words: tuple[str, ...]) -> None:
    """The first page of a search, as a new message; its page buttons look again."""
    user_id, chat_id = ids(update)
    text, markup = await _search(context, user_id, words, 1)
    sent = await context.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
    context.svc.searches.remember(user_id, sent.message_id, words)


async def tags_command(update: Update, context: Ctx) -> None:
    user_id, chat_id = ids(update)
    svc = context.svc
    wait = must_wait(svc.limits.searches, user_id, svc.clock.now())
    if wait:
        message = update.effective_message
        assert message is not None
        await message.reply_html(texts.SEARCH_RESTING.format(wait=wait))
        return
    counts = await svc.glimmers.look_through(
        user_id=user_id, judge=lambda items: tag_counts(item.text for _, item in items)
    )
    shown = counts[: cb.TAGS_SHOWN_MOST]
    markup = keyboards.tags(shown) if shown else None
    sent = await context.bot.send_message(
        chat_id=chat_id, text=render.tags(counts), reply_markup=markup
    )
    svc.tags_shown.remember(user_id, sent.message_id, tuple(tag for tag, _ in shown))


async def _searching_press(
    update: Update,
    context: Ctx,
    recall: Callable[[int, int, cb.Action], tuple[str, ...] | None],
) -> tuple[CallbackQuery, cb.Action, tuple[str, ...]] | None:
    """A press that searches: the words `recall` finds in memory for it (by person, pressed
    message and button), once the press is answered; None (and a kind pop-up) when they are
    gone or searching must rest."""
    found = await pressed(update)
    if found is None:
        return None
    query, action = found
    user_id, _ = ids(update)
    message_id = query.message.message_id if query.message is not None else 0
    words = recall(user_id, message_id, action)
    if words is None:
        gone = texts.TAGS_GONE if action.name == cb.TAG else texts.SEARCH_GONE
        await query.answer(gone)
        return None
    wait = must_wait(context.svc.limits.searches, user_id, context.svc.clock.now())
    if wait:
        await query.answer(texts.SEARCH_RESTING_POPUP.format(wait=wait))
        return None
    await query.answer()
    return query, action, words


async def tag_pressed(update: Update, context: Ctx) -> None:
    def tag_words(user_id: int, message_id: int, action: cb.Action) -> tuple[str, ...] | None:
        shown = context.svc.tags_shown.get(user_id, message_id)
        if shown is None or action.shown >= len(shown):
            return None
        return words_of("#" + shown[action.shown])

    if pressing := await _searching_press(update, context, tag_words):
        await _show_search(update, context, pressing[2])


async def search_page(update: Update, context: Ctx) -> None:
    def its_words(user_id: int, message_id: int, action: cb.Action) -> tuple[str, ...] | None:
        return context.svc.searches.get(user_id, message_id)

    if pressing := await _searching_press(update, context, its_words):
        query, action, words = pressing
        user_id, _ = ids(update)
        text, markup = await _search(context, user_id, words, action.page)
        await edit_quietly(query, text, markup, last=context.svc.edits)


async def summary_command(update: Update, context: Ctx) -> None:
    user_id, chat_id = ids(update)
    await context.bot.send_message(
        chat_id=chat_id, text=texts.REPORT_ASK, reply_markup=keyboards.summary_spans(user_id)
    )


async def summary_span(update: Update, context: Ctx) -> None:
    found = await pressed(update)
    if found is None:
        return
    query, action = found
    user_id, chat_id = ids(update)
    svc = context.svc
    span = action.arg or "all"
    chosen = texts.REPORT_CHOSEN.format(span=texts.BUTTON_REPORT[span])
    asked = query.message
    if asked is not None and svc.edits.same((chat_id, asked.message_id), (chosen, None)):
        await query.answer()  # pressed twice: the summary is already on its way
        return
    now = svc.clock.now()
    # The PDF is drawn in the worker process that charts and exports share.
    wait = must_wait(svc.limits.exports, user_id, now)
    if wait:
        await query.answer(texts.REPORT_RESTING_POPUP.format(wait=wait))
        return
    await query.answer()
    await edit_quietly(query, chosen, last=svc.edits)
    rows = await svc.glimmers.export_rows(user_id=user_id)
    zone = await zone_of_user(svc, user_id)
    try:
        made = await asyncio.get_running_loop().run_in_executor(
            svc.worker_pool(),
            partial(
                in_language,
                current(),
                build_summary,
                glimmers=rows,
                zone_name=zone.key,
                now=now,
                start=summary.since(now, span),
            ),
        )
    except Exception:
        log.exception("a summary could not be made")
        await context.bot.send_message(chat_id=chat_id, text=texts.REPORT_FAILED)
        return
    if made is None:
        await context.bot.send_message(chat_id=chat_id, text=texts.REPORT_NONE)
        return
    day = now.astimezone(zone).date().isoformat()
    await context.bot.send_document(
        chat_id=chat_id,
        document=InputFile(made.pdf, filename=texts.REPORT_FILE_NAME.format(day=day)),
        caption=render.summary_caption(made),
    )
    await context.bot.send_message(chat_id=chat_id, text=texts.REPORT_TEXT_INTRO)
    for part in render.plain_parts(made.text):
        await context.bot.send_message(chat_id=chat_id, text=part)


async def open_glimmer(update: Update, context: Ctx) -> None:
    found = await own_glimmer(update, context.svc.glimmers)
    if found is None:
        return
    query, _, glimmer = found
    _, chat_id = ids(update)
    await query.answer()
    await context.bot.send_message(
        chat_id=chat_id,
        text=render.summary(glimmer, title=render.label(texts.BUTTON_OPEN_TITLE)),
        reply_markup=keyboards.summary(glimmer.id, starred=glimmer.starred),
    )


async def toggle_star(update: Update, context: Ctx) -> None:
    svc = context.svc
    found = await own_glimmer(update, svc.glimmers)
    if found is None:
        return
    query, _, glimmer = found
    user_id, _ = ids(update)
    starred = not glimmer.starred
    await svc.glimmers.update(
        user_id=user_id, glimmer_id=glimmer.id, now=svc.clock.now(), starred=int(starred)
    )
    await query.answer(texts.STARRED if starred else texts.UNSTARRED)
    markup = keyboards.summary(glimmer.id, starred=starred)
    await edit_quietly(query, None, markup, last=svc.edits)


async def send_anchor(context: Ctx, user_id: int, chat_id: int, not_id: int | None) -> None:
    svc = context.svc
    choices = await svc.glimmers.anchor_ids(user_id=user_id)
    if len(choices) > 1 and not_id in choices:
        choices.remove(not_id)
    glimmer = (
        await svc.glimmers.get(user_id=user_id, glimmer_id=svc.rng.choice(choices))
        if choices
        else None
    )
    if glimmer is None:
        await context.bot.send_message(
            chat_id=chat_id, text=render.anchor_empty(svc.settings.support_message)
        )
        return
    zone = await zone_of_user(svc, user_id)
    await context.bot.send_message(
        chat_id=chat_id,
        text=render.anchor(glimmer, zone),
        reply_markup=keyboards.anchor(glimmer.id),
    )


async def anchor_command(update: Update, context: Ctx) -> None:
    user_id, chat_id = ids(update)
    await send_anchor(context, user_id, chat_id, None)


async def anchor_again(update: Update, context: Ctx) -> None:
    found = await pressed(update)
    if found is None:
        return
    query, action = found
    user_id, chat_id = ids(update)
    await query.answer()
    await send_anchor(context, user_id, chat_id, action.glimmer_id)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("recap", recap_command, new))
    app.add_handler(CommandHandler("history", history_command, new))
    app.add_handler(CommandHandler("search", search_command, new))
    app.add_handler(CommandHandler("tags", tags_command, new))
    app.add_handler(CommandHandler("summary", summary_command, new))
    app.add_handler(CommandHandler("anchor", anchor_command, new))
    app.add_handler(CallbackQueryHandler(recap_week, pattern=cb.pattern(cb.RECAP_WEEK)))
    app.add_handler(CallbackQueryHandler(history_page, pattern=cb.pattern(cb.HISTORY_PAGE)))
    app.add_handler(CallbackQueryHandler(search_page, pattern=cb.pattern(cb.SEARCH_PAGE)))
    app.add_handler(CallbackQueryHandler(tag_pressed, pattern=cb.pattern(cb.TAG)))
    app.add_handler(CallbackQueryHandler(summary_span, pattern=cb.pattern(cb.SUMMARY)))
    app.add_handler(CallbackQueryHandler(open_glimmer, pattern=cb.pattern(cb.OPEN)))
    app.add_handler(CallbackQueryHandler(toggle_star, pattern=cb.pattern(cb.STAR)))
    app.add_handler(CallbackQueryHandler(anchor_again, pattern=cb.pattern(cb.ANCHOR)))
