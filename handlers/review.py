"""Looking back: the weekly recap with its chart, /history, /search, stars, and /anchor."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.domain.search import folded, matches, words_of
from bot.runtime.services import Ctx
from bot.ui import callbacks as cb
from bot.ui import keyboards, render, texts
from handlers.common import edit_quietly, ids, must_wait, own_glimmer, pressed
from handlers.flows import send_recap, zone_of_user
from storage.models import Findable

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


# The names a glimmer's sense and body cue are found by: what their buttons say.
FOLDED_SENSES = {key: folded(name) for key, name in texts.SENSE_LABELS.items()}
FOLDED_BODY_CUES = {key: folded(name) for key, name in texts.BODY_LABELS.items()}


def _holds(words: tuple[str, ...]) -> Callable[[Findable], bool]:
    def holds(glimmer: Findable) -> bool:
        return matches(
            words,
            (
                folded(glimmer.text),
                FOLDED_SENSES.get(glimmer.sense or ""),
                FOLDED_BODY_CUES.get(glimmer.body_cue or ""),
                folded(glimmer.body_note) if glimmer.body_note else None,
            ),
        )

    return holds


async def _search(context: Ctx, user_id: int, words: tuple[str, ...], page: int) -> tuple[str, Any]:
    svc = context.svc
    found = await svc.glimmers.find(user_id=user_id, wanted=_holds(words))
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
    user_id, chat_id = ids(update)
    message = update.effective_message
    assert message is not None
    words = words_of(" ".join(context.args or ()))
    if not words:
        await message.reply_html(texts.SEARCH_ASK)
        return
    wait = must_wait(context.svc.limits.searches, user_id, context.svc.clock.now())
    if wait:
        await message.reply_html(texts.SEARCH_RESTING.format(wait=wait))
        return
    context.svc.searches.remember(user_id, words)
    text, markup = await _search(context, user_id, words, 1)
    await context.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)


async def search_page(update: Update, context: Ctx) -> None:
    found = await pressed(update)
    if found is None:
        return
    query, action = found
    user_id, _ = ids(update)
    words = context.svc.searches.get(user_id)
    if words is None:
        await query.answer(texts.SEARCH_GONE)
        return
    wait = must_wait(context.svc.limits.searches, user_id, context.svc.clock.now())
    if wait:
        await query.answer(texts.SEARCH_RESTING_POPUP.format(wait=wait))
        return
    await query.answer()
    text, markup = await _search(context, user_id, words, action.page)
    await edit_quietly(query, text, markup, last=context.svc.edits)


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
    app.add_handler(CommandHandler("anchor", anchor_command, new))
    app.add_handler(CallbackQueryHandler(recap_week, pattern=cb.pattern(cb.RECAP_WEEK)))
    app.add_handler(CallbackQueryHandler(history_page, pattern=cb.pattern(cb.HISTORY_PAGE)))
    app.add_handler(CallbackQueryHandler(search_page, pattern=cb.pattern(cb.SEARCH_PAGE)))
    app.add_handler(CallbackQueryHandler(open_glimmer, pattern=cb.pattern(cb.OPEN)))
    app.add_handler(CallbackQueryHandler(toggle_star, pattern=cb.pattern(cb.STAR)))
    app.add_handler(CallbackQueryHandler(anchor_again, pattern=cb.pattern(cb.ANCHOR)))
