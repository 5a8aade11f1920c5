"""The guided conversation: notice a glimmer, then pause and savour it.

Steps: the glimmer's words, the sense that brought it, where it was felt in the body, the
ladder now, a timed savouring pause with a follow-up (how much it landed, the ladder again),
then a summary. Each answer is written to the glimmer's row the moment it is given.

Buttons carry the glimmer id (see bot/ui/callbacks.py) and are entry points in every state, so a
button still does the right thing after a restart, even if the persisted conversation state
lags one step behind. Typed text is what the state decides: the glimmer's words, a body cue
in the person's own words, or, anywhere else, a new quick glimmer that ends the conversation.
"""

from __future__ import annotations

import logging
import warnings
from datetime import datetime, timedelta
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.glimmers import SAVOUR_CHOICES
from bot.runtime.services import Ctx, Services, services_of
from bot.ui import callbacks as cb
from bot.ui import keyboards, render, texts
from handlers.common import (
    cancel_jobs,
    edit_quietly,
    follow_up_job,
    ids,
    message_text,
    own_glimmer,
    timeout_job,
)
from handlers.flows import forget_button, keep_text
from storage.models import Glimmer

log = logging.getLogger(__name__)

CONVERSATION_NAME = "glimmer"
END = ConversationHandler.END
(
    ASK_TEXT,
    SENSE,
    BODY,
    BODY_TEXT,
    LADDER,
    PAUSE,
    SAVOURING,
    LANDED,
    LADDER_AFTER,
) = range(9)

WORDS = filters.UpdateType.MESSAGE & ((filters.TEXT & ~filters.COMMAND) | filters.CAPTION)


def _fresh(svc: Services, moment: datetime | None) -> bool:
    return moment is not None and svc.clock.now() - moment < svc.timing.conversation_timeout


def _cancel_follow_up(job_queue: JobQueue[Any] | None, user_id: int) -> None:
    cancel_jobs(job_queue, follow_up_job(user_id))


def schedule_follow_up(
    job_queue: JobQueue[Any], *, user_id: int, chat_id: int, glimmer_id: int, delay: float
) -> None:
    _cancel_follow_up(job_queue, user_id)
    job_queue.run_once(
        savour_follow_up,
        when=max(delay, 0.0),
        data={"glimmer_id": glimmer_id},
        name=follow_up_job(user_id),
        chat_id=chat_id,
        user_id=user_id,
    )


async def _send(context: Ctx, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> None:
    await context.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)


async def _close_drafts(context: Ctx, user_id: int) -> None:
    """Complete whatever glimmer was in progress, keeping every answer already given."""
    _cancel_follow_up(context.job_queue, user_id)
    await context.svc.glimmers.complete_drafts(user_id=user_id, now=context.svc.clock.now())


# --- Entry: /glimmer and "Log a glimmer" ----------------------------------------------------


async def start_glimmer(update: Update, context: Ctx) -> int:
    user_id, chat_id = ids(update)
    svc = context.svc
    now = svc.clock.now()
    await svc.users.ensure(user_id=user_id, now=now)
    await _close_drafts(context, user_id)
    await svc.users.set_glimmer_asked(user_id=user_id, now=now)
    if update.callback_query:
        await update.callback_query.answer()
    await _send(context, chat_id, texts.ASK_TEXT, None)
    return ASK_TEXT


# --- Typed answers ------------------------------------------------------------------------


async def got_text(update: Update, context: Ctx) -> int:
    """ASK_TEXT: the glimmer's words (a new glimmer, or new words for one being edited)."""
    message = update.effective_message
    assert message is not None
    user_id, chat_id = ids(update)
    svc = context.svc
    now = svc.clock.now()
    text = message_text(message).strip()
    draft = await svc.glimmers.active_draft(user_id=user_id)
    if draft is not None and _fresh(svc, draft.updated_at):
        glimmer = await svc.glimmers.update(
            user_id=user_id, glimmer_id=draft.id, now=now, text=text
        )
    else:
        user = await svc.users.get(user_id=user_id)
        if draft is not None or user is None or not _fresh(svc, user.glimmer_asked_at):
            # The question was asked too long ago (say, before a restart): this text is a
            # new quick glimmer, not an answer.
            return await moved_on(update, context)
        glimmer = await svc.glimmers.start_draft(
            user_id=user_id, chat_id=chat_id, message_id=message.message_id, text=text, now=now
        )
    if glimmer is None:
        return END
    await _send(context, chat_id, texts.ASK_SENSE, keyboards.senses(glimmer.id))
    return SENSE


async def got_body_text(update: Update, context: Ctx) -> int:
    """BODY or BODY_TEXT: where it was felt, in the person's own words."""
    message = update.effective_message
    assert message is not None
    user_id, chat_id = ids(update)
    svc = context.svc
    draft = await svc.glimmers.active_draft(user_id=user_id)
    if draft is None or not _fresh(svc, draft.updated_at):
        return await moved_on(update, context)
    await svc.glimmers.update(
        user_id=user_id,
        glimmer_id=draft.id,
        now=svc.clock.now(),
        body_cue=None,
        body_note=message_text(message).strip(),
    )
    return await _after_body(context, user_id, chat_id, draft.id)


async def moved_on(update: Update, context: Ctx) -> int:
    """Text where a button was expected: keep the glimmer in progress, and keep this text too."""
    message = update.effective_message
    assert message is not None
    user_id, _ = ids(update)
    await _close_drafts(context, user_id)
    await keep_text(update, context, message, message_text(message))
    return END


# --- Button answers -------------------------------------------------------------------------


async def on_button(update: Update, context: Ctx) -> int | None:
    """Every step's buttons. Returns the next state, or None to stay where we are."""
    found = await own_glimmer(update, context.svc.glimmers)
    if found is None:
        return None
    query, action, glimmer = found
    user_id, chat_id = ids(update)
    step = _STEPS[action.name]
    return await step(context, query, glimmer, action.arg, user_id, chat_id)


async def _reopen(context: Ctx, glimmer: Glimmer) -> Glimmer:
    svc = context.svc
    if not glimmer.is_draft:
        _cancel_follow_up(context.job_queue, glimmer.user_id)
    reopened = await svc.glimmers.reopen(
        user_id=glimmer.user_id, glimmer_id=glimmer.id, now=svc.clock.now()
    )
    return reopened or glimmer


async def _set(context: Ctx, glimmer: Glimmer, **fields: Any) -> None:
    await context.svc.glimmers.update(
        user_id=glimmer.user_id, glimmer_id=glimmer.id, now=context.svc.clock.now(), **fields
    )


async def _record_answer(context: Ctx, query: CallbackQuery, answer: str) -> None:
    """Show the chosen answer under its question and take the buttons away."""
    await query.answer()
    message = query.message
    question = message.text_html if isinstance(message, Message) and message.text else ""
    await edit_quietly(query, render.answered(question, answer), last=context.svc.edits)


async def step_savour(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int:
    glimmer = await _reopen(context, glimmer)
    await query.answer()
    user = await context.svc.users.get(user_id=user_id)
    if user is not None and user.ask_ladder:
        await _send(
            context, chat_id, texts.ASK_LADDER, keyboards.ladder(glimmer.id, cb.LADDER_BEFORE)
        )
        return LADDER
    return await _ask_pause(context, user_id, chat_id, glimmer.id)


async def step_details(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int:
    glimmer = await _reopen(context, glimmer)
    await query.answer()
    await _send(context, chat_id, texts.ASK_SENSE, keyboards.senses(glimmer.id))
    return SENSE


async def step_edit(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int:
    glimmer = await _reopen(context, glimmer)
    await query.answer()
    await _send(context, chat_id, render.ask_new_text(glimmer), keyboards.keep_text(glimmer.id))
    return ASK_TEXT


async def step_keep_text(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int:
    glimmer = await _reopen(context, glimmer)
    await _record_answer(context, query, texts.BUTTON_KEEP_TEXT)
    await _send(context, chat_id, texts.ASK_SENSE, keyboards.senses(glimmer.id))
    return SENSE


async def step_sense(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int:
    glimmer = await _reopen(context, glimmer)
    sense = None if arg == cb.SKIP else arg
    await _set(context, glimmer, sense=sense)
    await _record_answer(context, query, texts.SENSE_LABELS[sense] if sense else texts.BUTTON_SKIP)
    await _send(context, chat_id, texts.ASK_BODY, keyboards.body(glimmer.id))
    return BODY


async def step_body(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int:
    glimmer = await _reopen(context, glimmer)
    if arg == cb.OTHER:
        await _record_answer(context, query, texts.BUTTON_SOMEWHERE_ELSE)
        await _send(context, chat_id, texts.ASK_BODY_TEXT, None)
        return BODY_TEXT
    cue = None if arg == cb.SKIP else arg
    await _set(context, glimmer, body_cue=cue, body_note=None)
    await _record_answer(context, query, texts.BODY_LABELS[cue] if cue else texts.BUTTON_SKIP)
    return await _after_body(context, user_id, chat_id, glimmer.id)


async def _after_body(context: Ctx, user_id: int, chat_id: int, glimmer_id: int) -> int:
    user = await context.svc.users.get(user_id=user_id)
    if user is not None and user.ask_ladder:
        await _send(
            context, chat_id, texts.ASK_LADDER, keyboards.ladder(glimmer_id, cb.LADDER_BEFORE)
        )
        return LADDER
    return await _ask_pause(context, user_id, chat_id, glimmer_id)


async def step_ladder_before(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int:
    glimmer = await _reopen(context, glimmer)
    rung = None if arg == cb.SKIP else arg
    await _set(context, glimmer, ladder_before=rung)
    await _record_answer(context, query, texts.LADDER_LABELS[rung] if rung else texts.BUTTON_SKIP)
    return await _ask_pause(context, user_id, chat_id, glimmer.id)


async def _ask_pause(context: Ctx, user_id: int, chat_id: int, glimmer_id: int) -> int:
    user = await context.svc.users.get(user_id=user_id)
    seconds = user.savour_seconds if user and user.savour_seconds in SAVOUR_CHOICES else 20
    await _send(
        context,
        chat_id,
        texts.ASK_PAUSE.format(seconds=seconds),
        keyboards.pause(glimmer_id, seconds),
    )
    return PAUSE


async def step_pause(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int:
    svc = context.svc
    seconds = int(arg or 0)
    if seconds == 0:
        _cancel_follow_up(context.job_queue, user_id)
        pausing = glimmer.savour_due_at is not None
        await _set(context, glimmer, savour_due_at=None)
        if pausing:
            await query.answer()
            await edit_quietly(query, texts.PAUSE_ENDED_EARLY, last=context.svc.edits)
        else:
            await _record_answer(context, query, texts.BUTTON_SKIP_PAUSE)
        return await _finish(context, chat_id, glimmer)
    glimmer = await _reopen(context, glimmer)
    now = svc.clock.now()
    delay = seconds * svc.timing.savour_scale
    await _set(
        context,
        glimmer,
        savour_seconds=seconds,
        savour_due_at=now + timedelta(seconds=delay),
    )
    user = await svc.users.get(user_id=user_id)
    if user is not None and user.savour_seconds != seconds:
        await svc.users.set_savour_seconds(user_id=user_id, seconds=seconds)
        await query.answer(texts.SAVOUR_CHOICE_REMEMBERED.format(seconds=seconds))
    else:
        await query.answer()
    assert context.job_queue is not None
    schedule_follow_up(
        context.job_queue, user_id=user_id, chat_id=chat_id, glimmer_id=glimmer.id, delay=delay
    )
    await query.edit_message_text(
        texts.PAUSING.format(seconds=seconds), reply_markup=keyboards.pausing(glimmer.id)
    )
    return SAVOURING


async def savour_follow_up(context: Ctx) -> None:
    """Sent by the JobQueue once the savouring pause is over."""
    job = context.job
    assert job is not None and job.user_id is not None and job.chat_id is not None
    glimmer_id = int(job.data["glimmer_id"])  # type: ignore[index]
    svc = context.svc
    glimmer = await svc.glimmers.get(user_id=job.user_id, glimmer_id=glimmer_id)
    if glimmer is None or glimmer.savour_due_at is None:
        return
    # Send first, then clear: after a crash in between, a repeated question beats a lost one.
    await _send(context, job.chat_id, texts.ASK_LANDED, keyboards.landed(glimmer.id))
    await svc.glimmers.update(
        user_id=job.user_id, glimmer_id=glimmer.id, now=svc.clock.now(), savour_due_at=None
    )


async def step_landed(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int:
    glimmer = await _reopen(context, glimmer)
    landed = int(arg or 0) or None
    await _set(context, glimmer, landed=landed, savour_due_at=None)
    await _record_answer(context, query, f"{landed} / 5" if landed else texts.BUTTON_SKIP)
    user = await context.svc.users.get(user_id=user_id)
    if user is not None and user.ask_ladder:
        await _send(
            context, chat_id, texts.ASK_LADDER_AFTER, keyboards.ladder(glimmer.id, cb.LADDER_AFTER)
        )
        return LADDER_AFTER
    return await _finish(context, chat_id, glimmer)


async def step_ladder_after(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int:
    rung = None if arg == cb.SKIP else arg
    await _set(context, glimmer, ladder_after=rung)
    await _record_answer(context, query, texts.LADDER_LABELS[rung] if rung else texts.BUTTON_SKIP)
    return await _finish(context, chat_id, glimmer)


async def _finish(context: Ctx, chat_id: int, glimmer: Glimmer) -> int:
    svc = context.svc
    done = await svc.glimmers.complete(
        user_id=glimmer.user_id, glimmer_id=glimmer.id, now=svc.clock.now()
    )
    if done is not None:
        await _send(
            context, chat_id, render.summary(done), keyboards.summary(done.id, starred=done.starred)
        )
    return END


async def step_delete(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int | None:
    await query.answer()
    await query.edit_message_reply_markup(keyboards.confirm_delete(glimmer.id))
    return None


async def step_delete_yes(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int | None:
    if glimmer.is_draft:
        _cancel_follow_up(context.job_queue, user_id)
    await context.svc.glimmers.delete(user_id=user_id, glimmer_id=glimmer.id)
    await query.answer()
    await edit_quietly(query, texts.DELETED, last=context.svc.edits)
    return END if glimmer.is_draft else None


async def step_delete_no(
    context: Ctx,
    query: CallbackQuery,
    glimmer: Glimmer,
    arg: str | None,
    user_id: int,
    chat_id: int,
) -> int | None:
    await query.answer(texts.DELETE_KEPT)
    await query.edit_message_reply_markup(keyboards.summary(glimmer.id, starred=glimmer.starred))
    return None


_STEPS = {
    cb.SAVOUR: step_savour,
    cb.DETAILS: step_details,
    cb.EDIT: step_edit,
    cb.KEEP_TEXT: step_keep_text,
    cb.SENSE: step_sense,
    cb.BODY: step_body,
    cb.LADDER_BEFORE: step_ladder_before,
    cb.PAUSE: step_pause,
    cb.LANDED: step_landed,
    cb.LADDER_AFTER: step_ladder_after,
    cb.DELETE: step_delete,
    cb.DELETE_YES: step_delete_yes,
    cb.DELETE_NO: step_delete_no,
}


# --- Leaving --------------------------------------------------------------------------------


async def cancel(update: Update, context: Ctx) -> int:
    user_id, chat_id = ids(update)
    draft = await context.svc.glimmers.active_draft(user_id=user_id)
    await _close_drafts(context, user_id)
    await _send(context, chat_id, texts.CANCELLED_KEPT if draft else texts.CANCELLED, None)
    return END


async def timed_out(update: object, context: Ctx) -> None:
    """PTB's conversation timeout: keep the glimmer as it stands and say so, gently."""
    if isinstance(update, Update) and update.effective_user and update.effective_chat:
        await close_stale_draft(
            context, update.effective_user.id, update.effective_chat.id, check_age=False
        )


async def close_stale_draft(context: Ctx, user_id: int, chat_id: int, *, check_age: bool) -> None:
    svc = context.svc
    draft = await svc.glimmers.active_draft(user_id=user_id)
    if draft is None or (check_age and _fresh(svc, draft.updated_at)):
        return
    _cancel_follow_up(context.job_queue, user_id)
    done = await svc.glimmers.complete(user_id=user_id, glimmer_id=draft.id, now=svc.clock.now())
    if done is not None:
        await _send(
            context,
            chat_id,
            render.summary(done, title=texts.TIMED_OUT_KEPT),
            keyboards.summary(done.id, starred=done.starred),
        )


async def restored_timeout(context: Ctx) -> None:
    job = context.job
    assert job is not None and job.user_id is not None and job.chat_id is not None
    await close_stale_draft(context, job.user_id, job.chat_id, check_age=True)


async def restore_timers(application: Application) -> None:  # type: ignore[type-arg]
    """After a restart: PTB does not bring back conversation timeouts or our follow-ups."""
    svc = services_of(application)
    job_queue = application.job_queue
    assert job_queue is not None
    now = svc.clock.now()
    timeout = svc.timing.conversation_timeout
    for draft in await svc.glimmers.drafts():
        # Guided glimmers only happen in private chats, where the chat id is the user id.
        chat_id = draft.source_chat_id or draft.user_id
        if draft.savour_due_at is not None:
            schedule_follow_up(
                job_queue,
                user_id=draft.user_id,
                chat_id=chat_id,
                glimmer_id=draft.id,
                delay=(draft.savour_due_at - now).total_seconds(),
            )
        deadline = draft.updated_at + timeout
        job_queue.run_once(
            restored_timeout,
            when=max((deadline - now).total_seconds(), 0.0),
            name=timeout_job(draft.user_id),
            chat_id=chat_id,
            user_id=draft.user_id,
        )


def build_conversation(timeout: timedelta) -> ConversationHandler:  # type: ignore[type-arg]
    buttons = CallbackQueryHandler(on_button, pattern=cb.pattern(*_STEPS))
    entry: list[BaseHandler[Update, Any, Any]] = [
        CommandHandler("glimmer", start_glimmer, filters.UpdateType.MESSAGE),
        CallbackQueryHandler(start_glimmer, pattern=cb.pattern(cb.LOG)),
        buttons,
    ]
    moved: list[BaseHandler[Update, Any, Any]] = [MessageHandler(WORDS, moved_on)]
    words_then = {
        ASK_TEXT: got_text,
        BODY: got_body_text,
        BODY_TEXT: got_body_text,
    }
    states: dict[object, list[BaseHandler[Update, Any, Any]]] = {
        state: [MessageHandler(WORDS, callback)] for state, callback in words_then.items()
    }
    for state in (SENSE, LADDER, PAUSE, SAVOURING, LANDED, LADDER_AFTER):
        states[state] = moved
    states[ConversationHandler.TIMEOUT] = [TypeHandler(Update, timed_out)]
    with warnings.catch_warnings():
        # Buttons are tracked per person, not per message, on purpose: each one names its
        # glimmer, so PTB's per_message tracking is not needed.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=entry,
            states=states,
            fallbacks=[CommandHandler("cancel", cancel), forget_button()],
            allow_reentry=True,
            conversation_timeout=timeout.total_seconds(),
            name=CONVERSATION_NAME,
            persistent=True,
        )


def register(app: Application, timeout: timedelta) -> None:  # type: ignore[type-arg]
    app.add_handler(build_conversation(timeout))
