"""Looking back: the weekly recap with its chart, /history, stars, and /anchor."""

from __future__ import annotations

import math
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.runtime.services import Ctx
from bot.ui import callbacks as cb
from bot.ui import keyboards, render, texts
from handlers.common import edit_quietly, ids, must_wait, own_glimmer, pressed
from handlers.flows import send_recap, zone_of_user

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
    app.add_handler(CommandHandler("anchor", anchor_command, new))
    app.add_handler(CallbackQueryHandler(recap_week, pattern=cb.pattern(cb.RECAP_WEEK)))
    app.add_handler(CallbackQueryHandler(history_page, pattern=cb.pattern(cb.HISTORY_PAGE)))
    app.add_handler(CallbackQueryHandler(open_glimmer, pattern=cb.pattern(cb.OPEN)))
    app.add_handler(CallbackQueryHandler(toggle_star, pattern=cb.pattern(cb.STAR)))
    app.add_handler(CallbackQueryHandler(anchor_again, pattern=cb.pattern(cb.ANCHOR)))
