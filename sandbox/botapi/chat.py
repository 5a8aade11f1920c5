"""The chat model: the bot's messages as the person sees them, and the people and groups
that send it messages and press its buttons."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sandbox.botapi.common import JsonDict, _now, _wait_until, telegram_string, utf16_len

if TYPE_CHECKING:
    from sandbox.botapi.server import FakeTelegram


# ---------------------------------------------------------------------------------------------
# Public data types
# ---------------------------------------------------------------------------------------------


@dataclass
class BotMessage:
    """A message the bot sent to a private chat, kept in its current state.

    The same object is updated in place when the bot edits or deletes the message, so a
    ``BotMessage`` returned by ``FakeUser.reply()`` always shows the latest state.
    """

    message_id: int
    chat_id: int
    text: str = ""
    html: str | None = None
    parse_mode: str | None = None
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    photo: bytes | None = field(default=None, repr=False)
    reply_to_message_id: int | None = None
    edits: int = 0
    deleted: bool = False
    # Extra state used to rebuild the Telegram Message object.
    date: int = 0
    edit_date: int | None = None
    entities: list[JsonDict] = field(default_factory=list, repr=False)
    reply_markup: JsonDict | None = field(default=None, repr=False)
    photo_sizes: list[JsonDict] | None = field(default=None, repr=False)
    document: bytes | None = field(default=None, repr=False)
    document_name: str | None = None
    document_info: JsonDict | None = field(default=None, repr=False)

    @property
    def is_photo(self) -> bool:
        return self.photo_sizes is not None

    @property
    def is_document(self) -> bool:
        return self.document_info is not None

    def button_texts(self) -> list[str]:
        """Texts of all inline buttons, row by row."""
        return [text for row in self.buttons for text, _ in row]

    def data_for(self, text: str) -> str:
        """The callback_data (or url) of the button whose text is exactly ``text``."""
        for row in self.buttons:
            for button_text, value in row:
                if button_text == text:
                    return value
        raise AssertionError(
            f"message {self.message_id} has no button {text!r}; buttons: {self.button_texts()}"
        )

    def describe(self) -> str:
        """One readable line for assertion messages."""
        kind = "photo" if self.is_photo else "document" if self.is_document else "text"
        flags = []
        if self.edits:
            flags.append(f"edited x{self.edits}")
        if self.deleted:
            flags.append("deleted")
        if self.buttons:
            flags.append(f"buttons={self.button_texts()}")
        extra = f" [{', '.join(flags)}]" if flags else ""
        return f"#{self.message_id} {kind} {self.text[:200]!r}{extra}"


@dataclass
class _Query:
    user: FakeUser
    answered: bool = False


class FakeUser:
    """One Telegram user in a private chat with the bot (chat id equals user id)."""

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        first_name: str,
        language_code: str,
        username: str | None = None,
    ) -> None:
        self._fake = fake
        self.user_id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.username = username
        self.language_code = language_code
        self.inbox: list[BotMessage] = []
        self.callback_answers: list[JsonDict] = []
        self.chat_actions: list[str] = []
        # Rows of button texts of the reply keyboard the bot last showed; None when none.
        self.keyboard: list[list[str]] | None = None
        self._consumed = 0
        self._next_message_id = 1
        self._bot_messages: dict[int, BotMessage] = {}
        self._user_messages: dict[int, JsonDict] = {}
        self._deleted_user_messages: set[int] = set()
        self._answers: dict[str, JsonDict] = {}
        self._changed = asyncio.Event()

    def __repr__(self) -> str:
        return f"FakeUser(user_id={self.user_id}, first_name={self.first_name!r})"

    # -- Telegram objects -----------------------------------------------------------------

    def user_dict(self) -> JsonDict:
        user: JsonDict = {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username is not None:
            user["username"] = self.username
        return user

    def chat_dict(self) -> JsonDict:
        chat: JsonDict = {"id": self.chat_id, "type": "private", "first_name": self.first_name}
        if self.username is not None:
            chat["username"] = self.username
        return chat

    def _take_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def _has_message(self, message_id: int) -> bool:
        bot_message = self._bot_messages.get(message_id)
        if bot_message is not None:
            return not bot_message.deleted
        return message_id in self._user_messages and message_id not in self._deleted_user_messages

    def _message_dict(self, message_id: int) -> JsonDict | None:
        """The current Message object for any message of this chat, without nested replies."""
        bot_message = self._bot_messages.get(message_id)
        if bot_message is not None:
            return self._fake._bot_message_dict(bot_message, nested=False)
        user_message = self._user_messages.get(message_id)
        if user_message is not None:
            result = dict(user_message)
            result.pop("reply_to_message", None)
            return result
        return None

    def _new_message(self, content: JsonDict, reply_to: int | None = None) -> JsonDict:
        message: JsonDict = {
            "message_id": self._take_message_id(),
            "from": self.user_dict(),
            "chat": self.chat_dict(),
            "date": _now(),
            **content,
        }
        if reply_to is not None:
            target = self._message_dict(reply_to) if self._has_message(reply_to) else None
            if target is None:
                raise AssertionError(f"chat {self.chat_id} has no message {reply_to} to reply to")
            message["reply_to_message"] = target
        self._user_messages[message["message_id"]] = message
        return message

    async def _post(self, content: JsonDict, reply_to: int | None = None) -> JsonDict:
        message = self._new_message(content, reply_to)
        self._fake._enqueue("message", message)
        return message

    def _fresh_file(self, prefix: str) -> tuple[str, str]:
        return self._fake._new_file_id(prefix, None)

    # -- things the user does -------------------------------------------------------------

    async def send(self, text: str, *, reply_to: int | None = None) -> JsonDict:
        """Send a text message to the bot. A leading /command gets a bot_command entity."""
        text = telegram_string(text)
        content: JsonDict = {"text": text}
        entities = _command_entities(text)
        if entities:
            content["entities"] = entities
        return await self._post(content, reply_to)

    async def send_photo(self, caption: str | None = None) -> JsonDict:
        """Send a photo (three sizes with fake file ids), optionally with a caption."""
        sizes = []
        for side in (90, 320, 800):
            file_id, unique_id = self._fresh_file("AgACAgPhoto")
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": side,
                    "height": side * 3 // 4,
                    "file_size": side * 40,
                }
            )
        content: JsonDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = telegram_string(caption)
        return await self._post(content)

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str = "text/csv",
        *,
        size: int | None = None,
        caption: str | None = None,
    ) -> JsonDict:
        """Send a file; the bot can fetch it with getFile. `size` claims another file_size."""
        file_id, unique_id = self._fake._new_file_id("BQACAgDoc", data)
        document = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data) if size is None else size,
        }
        content: JsonDict = {"document": document}
        if caption is not None:
            content["caption"] = telegram_string(caption)
        return await self._post(content)

    async def send_voice(self) -> JsonDict:
        file_id, unique_id = self._fresh_file("AwACAgVoice")
        voice = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "duration": 3,
            "mime_type": "audio/ogg",
            "file_size": 12000,
        }
        return await self._post({"voice": voice})

    async def send_video_note(self) -> JsonDict:
        file_id, unique_id = self._fresh_file("DQACAgNote")
        note = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "length": 240,
            "duration": 5,
            "file_size": 250000,
        }
        return await self._post({"video_note": note})

    async def send_sticker(self) -> JsonDict:
        file_id, unique_id = self._fresh_file("CAACAgSticker")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\N{GRINNING FACE}",
            "file_size": 20000,
        }
        return await self._post({"sticker": sticker})

    async def send_location(self, latitude: float = 51.5, longitude: float = -0.12) -> JsonDict:
        return await self._post({"location": {"latitude": latitude, "longitude": longitude}})

    async def send_contact(self) -> JsonDict:
        contact = {
            "phone_number": "+447700900123",
            "first_name": self.first_name,
            "user_id": self.user_id,
        }
        return await self._post({"contact": contact})

    async def edit(self, message_id: int, text: str) -> JsonDict:
        """Edit a text message this user sent earlier; the bot gets an edited_message update."""
        message = self._user_messages.get(message_id)
        if message is None or "text" not in message:
            raise AssertionError(f"user {self.user_id} sent no text message {message_id}")
        text = telegram_string(text)
        message["text"] = text
        message["edit_date"] = _now()
        entities = _command_entities(text)
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        self._fake._enqueue("edited_message", message)
        return message

    async def press(self, message: BotMessage | int, button: str) -> str:
        """Press an inline button by its exact text (or else its exact callback_data).

        Looks at the message's current keyboard. Returns the callback query id.
        """
        message_id = message if isinstance(message, int) else message.message_id
        bot_message = self._bot_messages.get(message_id)
        if bot_message is None or bot_message.deleted:
            raise AssertionError(
                f"no live bot message {message_id} in chat {self.chat_id} to press a button on"
            )
        markup = bot_message.reply_markup or {}
        candidates = [b for row in markup.get("inline_keyboard", []) for b in row]
        chosen = next((b for b in candidates if b.get("text") == button), None)
        if chosen is None:
            chosen = next((b for b in candidates if b.get("callback_data") == button), None)
        if chosen is None:
            raise AssertionError(
                f"message {message_id} has no button {button!r}; current buttons: "
                f"{bot_message.buttons}"
            )
        data = chosen.get("callback_data")
        if not isinstance(data, str):
            raise AssertionError(f"button {button!r} on message {message_id} has no callback")
        return self._fake._issue_callback(self, message_id, data)

    async def press_data(self, message_id: int, data: str) -> str:
        """Send a callback query with any data at all, without checking the keyboard."""
        return self._fake._issue_callback(self, message_id, telegram_string(data))

    def transcript(self) -> list[JsonDict]:
        """Both sides of the chat so far, oldest first, as the trial's chat page shows it:
        the person's messages as sent, the bot's in their current state (edits applied)."""
        lines: list[JsonDict] = []
        for message_id, sent in self._user_messages.items():
            document = sent.get("document")
            lines.append(
                {
                    "id": message_id,
                    "from": "you",
                    "text": sent.get("text") or sent.get("caption") or "",
                    "entities": [],
                    "buttons": [],
                    "document": document.get("file_name") if document else None,
                }
            )
        for message in self._bot_messages.values():
            if message.deleted:
                continue
            lines.append(
                {
                    "id": message.message_id,
                    "from": "bot",
                    "text": message.text,
                    "entities": message.entities,
                    "buttons": [
                        [{"text": text, "data": data} for text, data in row]
                        for row in message.buttons
                    ],
                    "photo": message.is_photo,
                    "document": message.document_name if message.is_document else None,
                    "edited": message.edits > 0,
                }
            )
        return sorted(lines, key=lambda line: int(line["id"]))

    def file_of(self, message_id: int) -> tuple[bytes, str] | None:
        """A bot message's photo or document, and a file name for it."""
        message = self._bot_messages.get(message_id)
        if message is None:
            return None
        if message.photo is not None:
            return message.photo, f"photo-{message_id}.png"
        if message.document is not None:
            return message.document, message.document_name or f"file-{message_id}"
        return None

    async def answer_to(self, query_id: str, timeout: float = 10.0) -> str:  # noqa: ASYNC109
        """The pop-up text the bot answered a press with ("" for none)."""
        answer = await self.callback_answer(query_id, timeout)
        return str(answer.get("text") or "")

    # -- waiting for the bot --------------------------------------------------------------

    async def replies(self, n: int = 1, timeout: float = 5.0) -> list[BotMessage]:  # noqa: ASYNC109
        """Wait for the next ``n`` messages the bot sends to this chat and consume them."""
        try:
            await _wait_until(self._changed, lambda: len(self.inbox) - self._consumed >= n, timeout)
        except TimeoutError:
            got = len(self.inbox) - self._consumed
            raise AssertionError(
                self._dump(f"expected {n} new bot message(s) within {timeout}s, got {got}")
            ) from None
        batch = self.inbox[self._consumed : self._consumed + n]
        self._consumed += n
        return batch

    async def reply(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Wait for the next message the bot sends to this chat."""
        return (await self.replies(1, timeout))[0]

    async def no_reply(self, wait: float = 0.3) -> None:
        """Assert that no unconsumed bot message shows up within ``wait`` seconds.

        A message that arrived before this call but was not taken with replies() counts too.
        """
        try:
            await _wait_until(self._changed, lambda: len(self.inbox) > self._consumed, wait)
        except TimeoutError:
            return
        raise AssertionError(self._dump("expected no new bot message, but the bot sent one"))

    def message(self, message_id: int) -> BotMessage:
        """The bot message with this id, in its current state."""
        try:
            return self._bot_messages[message_id]
        except KeyError:
            raise AssertionError(
                self._dump(f"the bot sent no message {message_id} to this chat")
            ) from None

    async def callback_answer(self, query_id: str, timeout: float = 5.0) -> JsonDict:  # noqa: ASYNC109
        """Wait until the bot answers the callback query; returns the answer's payload."""
        try:
            await _wait_until(self._changed, lambda: query_id in self._answers, timeout)
        except TimeoutError:
            raise AssertionError(
                self._dump(f"the bot did not answer callback query {query_id} in {timeout}s")
            ) from None
        return self._answers[query_id]

    async def wait_edit(self, message_id: int, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Wait for the next edit (text, caption or keyboard) of a bot message."""
        message = self.message(message_id)
        before = message.edits
        try:
            await _wait_until(self._changed, lambda: message.edits > before, timeout)
        except TimeoutError:
            raise AssertionError(
                self._dump(f"bot message {message_id} was not edited within {timeout}s")
            ) from None
        return message

    def _dump(self, headline: str) -> str:
        lines = [f"{headline} (chat {self.chat_id}, user {self.first_name!r})"]
        unread = self.inbox[self._consumed :]
        if unread:
            lines.append("unconsumed bot messages:")
            lines.extend(f"  {m.describe()}" for m in unread)
        recent = self.inbox[-5:]
        if recent:
            lines.append("last bot messages in this chat:")
            lines.extend(f"  {m.describe()}" for m in recent)
        else:
            lines.append("the bot has sent nothing to this chat")
        refused = [r for r in self._fake.rejections if _chat_of(r["payload"]) == self.chat_id]
        if refused:
            lines.append("requests for this chat the fake refused:")
            lines.extend(f"  {r['method']}: {r['description']}" for r in refused[-5:])
        lines.append(f"updates not yet confirmed by the bot: {self._fake.pending_updates()}")
        return "\n".join(lines)


def _chat_of(payload: JsonDict) -> int | None:
    value = payload.get("chat_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)")


def _command_entities(text: str) -> list[JsonDict]:
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]


class FakeGroup:
    """A group (or supergroup, or channel) the bot can be added to; kept minimal.

    Messages in it come from FakeUsers; what the bot says there is kept as plain text in
    ``inbox``. The bot can only post while it is a member, and leaveChat makes it leave.
    """

    def __init__(self, fake: FakeTelegram, chat_id: int, title: str, kind: str) -> None:
        if chat_id >= 0:
            raise ValueError("group and channel ids are negative")
        self._fake = fake
        self.chat_id = chat_id
        self.title = title
        self.kind = kind
        self.bot_is_member = False
        self.inbox: list[str] = []
        self._next_message_id = 1

    def chat_dict(self) -> JsonDict:
        return {"id": self.chat_id, "type": self.kind, "title": self.title}

    def _take_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def add_bot(self, by: FakeUser) -> int:
        """Someone adds the bot: a my_chat_member update. Returns its update id."""
        self.bot_is_member = True
        status = "administrator" if self.kind == "channel" else "member"
        bot = self._fake._bot_user()
        member: JsonDict = {"user": bot, "status": status}
        if status == "administrator":
            rights = (
                "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members"
                " can_promote_members can_change_info can_invite_users can_post_stories"
                " can_edit_stories can_delete_stories"
            )
            member.update({right: False for right in rights.split()})
            member.update({"can_be_edited": False, "is_anonymous": False})
            member.update({"can_manage_chat": True, "can_post_messages": True})
        return self._fake._enqueue(
            "my_chat_member",
            {
                "chat": self.chat_dict(),
                "from": by.user_dict(),
                "date": _now(),
                "old_chat_member": {"user": bot, "status": "left"},
                "new_chat_member": member,
            },
        )

    def send(self, by: FakeUser, text: str) -> int:
        """A member writes in the group (a channel post when this is a channel)."""
        message: JsonDict = {
            "message_id": self._take_message_id(),
            "chat": self.chat_dict(),
            "date": _now(),
            "text": text,
        }
        entities = _command_entities(text)
        if entities:
            message["entities"] = entities
        if self.kind == "channel":
            return self._fake._enqueue("channel_post", message)
        message["from"] = by.user_dict()
        return self._fake._enqueue("message", message)
