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
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

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

from bot.domain.glimmers import DEFAULT_SAVOUR_SECONDS, SAVOUR_CHOICES, clean, visible
from bot.runtime import sending
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
    speak_to,
    timeout_job,
)
from handlers.flows import forget_button, keep_text
from storage.models import Glimmer, User

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
    await sending.send(context.bot, chat_id, text, markup)


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
    text = clean(message_text(message)).strip()
    if not visible(text):
        await message.reply_html(texts.NO_CONTENT)
        return ASK_TEXT
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
    note = clean(message_text(message)).strip()
    if not visible(note):
        await message.reply_html(texts.ASK_BODY_TEXT)
        return BODY_TEXT
    step = Step(context, user_id, chat_id, draft)
    await step.set(body_cue=None, body_note=note)
    return await ladder_or_pause(step)


async def moved_on(update: Update, context: Ctx) -> int:
    """Text where a button was expected: keep the glimmer in progress, and keep this text too."""
    message = update.effective_message
    assert message is not None
    user_id, _ = ids(update)
    await _close_drafts(context, user_id)
    await keep_text(update, context, message, message_text(message))
    return END


# --- Button answers -------------------------------------------------------------------------


@dataclass
class Step:
    """One turn of the conversation: whose, in which chat, on which glimmer, and the button
    pressed if it was one. The glimmer is read once; the person only if a step needs them."""

    context: Ctx
    user_id: int
    chat_id: int
    glimmer: Glimmer
    query: CallbackQuery | None = None
    arg: str | None = None
    _person: User | None = field(default=None, init=False)

    @property
    def svc(self) -> Services:
        return self.context.svc

    async def person(self) -> User | None:
        if self._person is None:
            self._person = await self.svc.users.get(user_id=self.user_id)
        return self._person

    async def send(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        await _send(self.context, self.chat_id, text, markup)

    async def set(self, **fields: Any) -> None:
        """Write answers to the glimmer's row (the moment they are given)."""
        updated = await self.svc.glimmers.update(
            user_id=self.user_id, glimmer_id=self.glimmer.id, now=self.svc.clock.now(), **fields
        )
        self.glimmer = updated or self.glimmer

    async def reopen(self) -> None:
        """Make this glimmer the one in progress (a button on an older one reopens it)."""
        if not self.glimmer.is_draft:
            _cancel_follow_up(self.context.job_queue, self.user_id)
        reopened = await self.svc.glimmers.reopen(
            user_id=self.user_id,
            glimmer_id=self.glimmer.id,
            now=self.svc.clock.now(),
            known=self.glimmer,
        )
        self.glimmer = reopened or self.glimmer

    @property
    def pressed(self) -> CallbackQuery:
        assert self.query is not None, "a button step without its button"
        return self.query

    async def record(self, answer: str) -> None:
        """Show the chosen answer under its question and take the buttons away."""
        query = self.pressed
        await query.answer()
        message = query.message
        question = message.text_html if isinstance(message, Message) and message.text else ""
        await self.edit(render.answered(question, answer))

    async def edit(self, text: str | None, markup: InlineKeyboardMarkup | None = None) -> None:
        await edit_quietly(self.pressed, text, markup, last=self.svc.edits)


# What each question's buttons do. Each returns the next state, or None to stay.


async def begin_savouring(step: Step) -> int:
    await step.reopen()
    await step.pressed.answer()
    return await ladder_or_pause(step)


async def begin_details(step: Step) -> int:
    await step.reopen()
    await step.pressed.answer()
    await step.send(texts.ASK_SENSE, keyboards.senses(step.glimmer.id))
    return SENSE


async def begin_edit(step: Step) -> int:
    await step.reopen()
    await step.pressed.answer()
    await step.send(render.ask_new_text(step.glimmer), keyboards.keep_text(step.glimmer.id))
    return ASK_TEXT


async def keep_words(step: Step) -> int:
    await step.reopen()
    await step.record(texts.BUTTON_KEEP_TEXT)
    await step.send(texts.ASK_SENSE, keyboards.senses(step.glimmer.id))
    return SENSE


def _answer(arg: str | None) -> str | None:
    return None if arg == cb.SKIP else arg


async def chose_sense(step: Step) -> int:
    await step.reopen()
    sense = _answer(step.arg)
    await step.set(sense=sense)
    await step.record(texts.SENSE_LABELS[sense] if sense else texts.BUTTON_SKIP)
    await step.send(texts.ASK_BODY, keyboards.body(step.glimmer.id))
    return BODY


async def chose_body(step: Step) -> int:
    await step.reopen()
    if step.arg == cb.OTHER:
        await step.record(texts.BUTTON_SOMEWHERE_ELSE)
        await step.send(texts.ASK_BODY_TEXT)
        return BODY_TEXT
    cue = _answer(step.arg)
    await step.set(body_cue=cue, body_note=None)
    await step.record(texts.BODY_LABELS[cue] if cue else texts.BUTTON_SKIP)
    return await ladder_or_pause(step)


async def chose_ladder(step: Step) -> int:
    await step.reopen()
    rung = _answer(step.arg)
    await step.set(ladder_before=rung)
    await step.record(texts.LADDER_LABELS[rung] if rung else texts.BUTTON_SKIP)
    return await ask_pause(step)


async def chose_pause(step: Step) -> int:
    seconds = int(step.arg or 0)
    if seconds == 0:
        return await end_pause(step)
    glimmer = step.glimmer
    if glimmer.savour_due_at is not None and glimmer.savour_seconds == seconds:
        await step.pressed.answer()  # pressed twice: the pause is already running
        return SAVOURING
    await step.reopen()
    delay = seconds * step.svc.timing.savour_scale
    await step.set(
        savour_seconds=seconds, savour_due_at=step.svc.clock.now() + timedelta(seconds=delay)
    )
    person = await step.person()
    if person is not None and person.savour_seconds != seconds:
        await step.svc.users.set_savour_seconds(user_id=step.user_id, seconds=seconds)
        await step.pressed.answer(texts.SAVOUR_CHOICE_REMEMBERED.format(seconds=seconds))
    else:
        await step.pressed.answer()
    assert step.context.job_queue is not None
    schedule_follow_up(
        step.context.job_queue,
        user_id=step.user_id,
        chat_id=step.chat_id,
        glimmer_id=glimmer.id,
        delay=delay,
    )
    await step.edit(texts.PAUSING.format(seconds=seconds), keyboards.pausing(glimmer.id))
    return SAVOURING


async def end_pause(step: Step) -> int:
    """ "Skip the pause" before it starts, or ending it early while it runs."""
    _cancel_follow_up(step.context.job_queue, step.user_id)
    pausing = step.glimmer.savour_due_at is not None
    await step.set(savour_due_at=None)
    if pausing:
        await step.pressed.answer()
        await step.edit(texts.PAUSE_ENDED_EARLY)
    else:
        await step.record(texts.BUTTON_SKIP_PAUSE)
    return await finish(step.context, step.chat_id, step.glimmer)


async def chose_landed(step: Step) -> int:
    await step.reopen()
    landed = int(step.arg or 0) or None
    await step.set(landed=landed, savour_due_at=None)
    await step.record(f"{landed} / 5" if landed else texts.BUTTON_SKIP)
    person = await step.person()
    if person is not None and person.ask_ladder:
        await step.send(texts.ASK_LADDER_AFTER, keyboards.ladder(step.glimmer.id, cb.LADDER_AFTER))
        return LADDER_AFTER
    return await finish(step.context, step.chat_id, step.glimmer)


async def chose_ladder_after(step: Step) -> int:
    rung = _answer(step.arg)
    await step.set(ladder_after=rung)
    await step.record(texts.LADDER_LABELS[rung] if rung else texts.BUTTON_SKIP)
    return await finish(step.context, step.chat_id, step.glimmer)


async def ask_delete(step: Step) -> None:
    await step.pressed.answer()
    await step.edit(None, keyboards.confirm_delete(step.glimmer.id))


async def delete(step: Step) -> int | None:
    draft = step.glimmer.is_draft
    if draft:
        _cancel_follow_up(step.context.job_queue, step.user_id)
    await step.svc.glimmers.delete(user_id=step.user_id, glimmer_id=step.glimmer.id)
    await step.pressed.answer()
    await step.edit(texts.DELETED)
    return END if draft else None


async def keep_it(step: Step) -> None:
    await step.pressed.answer(texts.DELETE_KEPT)
    await step.edit(None, keyboards.summary(step.glimmer.id, starred=step.glimmer.starred))


async def ladder_or_pause(step: Step) -> int:
    """After the body: the ladder question if the person wants it, else the pause."""
    person = await step.person()
    if person is not None and person.ask_ladder:
        await step.send(texts.ASK_LADDER, keyboards.ladder(step.glimmer.id, cb.LADDER_BEFORE))
        return LADDER
    return await ask_pause(step)


async def ask_pause(step: Step) -> int:
    person = await step.person()
    chosen = person.savour_seconds if person is not None else None
    seconds = chosen if chosen in SAVOUR_CHOICES else DEFAULT_SAVOUR_SECONDS
    await step.send(
        texts.ASK_PAUSE.format(seconds=seconds), keyboards.pause(step.glimmer.id, seconds)
    )
    return PAUSE


async def finish(context: Ctx, chat_id: int, glimmer: Glimmer) -> int:
    svc = context.svc
    done = await svc.glimmers.complete(
        user_id=glimmer.user_id, glimmer_id=glimmer.id, now=svc.clock.now()
    )
    if done is not None:
        await _send(
            context, chat_id, render.summary(done), keyboards.summary(done.id, starred=done.starred)
        )
    return END


async def savour_follow_up(context: Ctx) -> None:
    """Sent by the JobQueue once the savouring pause is over."""
    job = context.job
    assert job is not None and job.user_id is not None and job.chat_id is not None
    glimmer_id = int(job.data["glimmer_id"])  # type: ignore[index]
    svc = context.svc
    glimmer = await svc.glimmers.get(user_id=job.user_id, glimmer_id=glimmer_id)
    if glimmer is None or glimmer.savour_due_at is None:
        return
    await speak_to(svc, job.user_id)
    # Send first, then clear: after a crash in between, a repeated question beats a lost one.
    await _send(context, job.chat_id, texts.ASK_LANDED, keyboards.landed(glimmer.id))
    await svc.glimmers.update(
        user_id=job.user_id, glimmer_id=glimmer.id, now=svc.clock.now(), savour_due_at=None
    )


ButtonStep = Callable[[Step], Awaitable[int | None]]
WordsStep = Callable[[Update, Ctx], Coroutine[Any, Any, int]]


class State(NamedTuple):
    """What a question expects: its buttons, and what typed words mean while it waits."""

    buttons: dict[str, ButtonStep]
    words: WordsStep


# The conversation, state by state. Every button also works from any state (see the module's
# docstring); typed words where no answer in words is expected are a new quick glimmer.
STATES: dict[int, State] = {
    ASK_TEXT: State({cb.KEEP_TEXT: keep_words}, got_text),
    SENSE: State({cb.SENSE: chose_sense}, moved_on),
    BODY: State({cb.BODY: chose_body}, got_body_text),
    BODY_TEXT: State({}, got_body_text),
    LADDER: State({cb.LADDER_BEFORE: chose_ladder}, moved_on),
    PAUSE: State({cb.PAUSE: chose_pause}, moved_on),
    SAVOURING: State({cb.PAUSE: chose_pause}, moved_on),  # ending the pause early
    LANDED: State({cb.LANDED: chose_landed}, moved_on),
    LADDER_AFTER: State({cb.LADDER_AFTER: chose_ladder_after}, moved_on),
}
# Buttons on a quick glimmer's reply or a summary, which open (or reopen) a glimmer.
OPENERS: dict[str, ButtonStep] = {
    cb.SAVOUR: begin_savouring,
    cb.DETAILS: begin_details,
    cb.EDIT: begin_edit,
    cb.DELETE: ask_delete,
    cb.DELETE_YES: delete,
    cb.DELETE_NO: keep_it,
}
BUTTONS: dict[str, ButtonStep] = {
    **OPENERS,
    **{name: step for state in STATES.values() for name, step in state.buttons.items()},
}


async def on_button(update: Update, context: Ctx) -> int | None:
    """A button of the conversation: read the glimmer once, then take the step it names."""
    found = await own_glimmer(update, context.svc.glimmers)
    if found is None:
        return None
    query, action, glimmer = found
    user_id, chat_id = ids(update)
    step = Step(context, user_id, chat_id, glimmer, query, action.arg)
    return await BUTTONS[action.name](step)


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
    await speak_to(svc, user_id)  # also a job's: the conversation's timeout
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
    buttons = CallbackQueryHandler(on_button, pattern=cb.pattern(*BUTTONS))
    entry: list[BaseHandler[Update, Any, Any]] = [
        CommandHandler("glimmer", start_glimmer, filters.UpdateType.MESSAGE),
        CallbackQueryHandler(start_glimmer, pattern=cb.pattern(cb.LOG)),
        buttons,
    ]
    states: dict[object, list[BaseHandler[Update, Any, Any]]] = {
        name: [MessageHandler(WORDS, state.words)] for name, state in STATES.items()
    }
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
