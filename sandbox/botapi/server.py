"""The HTTP server: routes every Bot API call to its method, keeps the chats and the queue
of updates, and records what it refused."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from sandbox.botapi.chat import BotMessage, FakeGroup, FakeUser, _chat_of, _Query
from sandbox.botapi.common import (
    BLOCKED,
    BOT_DOWNLOAD_LIMIT,
    BUTTON_ACTION_FIELDS,
    CHAT_ACTIONS,
    CONFLICT,
    DEFAULT_ALLOWED_UPDATES,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_CAPTION_LENGTH,
    MAX_COMMANDS,
    MAX_DOCUMENT_BYTES,
    MAX_INLINE_BUTTONS,
    MAX_PHOTO_BYTES,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    WEBHOOK_ACTIVE,
    JsonDict,
    _ApiError,
    _as_bool,
    _as_int,
    _as_json,
    _bad_request,
    _Call,
    _coerce,
    _now,
    _wait_until,
    utf16_len,
)
from sandbox.botapi.faults import Fault, FaultInjection, _Failure
from sandbox.botapi.html import HtmlParseError, _trim, render_html
from sandbox.botapi.webhook import Webhook, WebhookDelivery

# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------

_Handler = Callable[[_Call], Awaitable[Any]]


class FakeTelegram(WebhookDelivery, FaultInjection):
    """The fake Bot API server plus the bookkeeping tests look at."""

    def __init__(
        self,
        token: str = "123456:TEST-fake-token-for-tests",
        *,
        bot_id: int = 123456,
        bot_username: str = "glimmers_test_bot",
        bot_first_name: str = "Glimmers Test Bot",
        allow_local_http_webhook: bool = False,
    ) -> None:
        self.token = token
        self.allow_local_http_webhook = allow_local_http_webhook
        self.webhook: Webhook | None = None
        self.webhook_errors: list[str] = []
        self._webhook_task: asyncio.Task[None] | None = None
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.rejections: list[JsonDict] = []
        self.calls: list[tuple[str, JsonDict]] = []
        self.commands: list[JsonDict] = []
        self._commands_by_scope: dict[tuple[str, str], list[JsonDict]] = {}
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self._blocked: set[int] = set()
        self._failures: dict[str, deque[_Failure]] = {}
        self._drops: dict[str, int] = {}
        self.faults: Callable[[str], Fault | None] | None = None
        """Called with each call's method name (getUpdates too); a ``Fault`` it returns is
        done to that call. For runs with random trouble; ``fail_next`` and ``drop_next``
        script single calls."""
        self._latency = 0.0
        # Update queue: (update_id, kind, update) in id order, unconfirmed only.
        self._queue: deque[tuple[int, str, JsonDict]] = deque()
        self._history: dict[int, JsonDict] = {}
        self._update_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._updates_changed = asyncio.Event()
        self._poll_generation = 0
        # Idle tracking: bot requests in flight (getUpdates excluded) and a change counter.
        self._in_flight = 0
        self._activity = 0
        self._idle_changed = asyncio.Event()
        self._queries: dict[str, _Query] = {}
        self._query_ids = itertools.count(1)
        self._files: dict[str, bytes | None] = {}
        self._file_paths: dict[str, str] = {}  # getFile's paths, and the file each is
        self.downloads: list[str] = []  # paths the bot downloaded
        self._file_ids = itertools.count(1)
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, tuple[str, _Handler]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("getUpdates", self._get_updates),
            ("deleteWebhook", self._delete_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("setWebhook", self._set_webhook),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("sendMessage", self._send_message),
            ("sendPhoto", self._send_photo),
            ("sendDocument", self._send_document),
            ("editMessageText", self._edit_message_text),
            ("editMessageCaption", self._edit_message_caption),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendChatAction", self._send_chat_action),
            ("getFile", self._get_file),
            ("leaveChat", self._leave_chat),
            ("close", self._true),
            ("logOut", self._true),
        ):
            self._methods[name.lower()] = (name, handler)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening on 127.0.0.1 on a free port."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already running")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._closing = False

    async def stop(self) -> None:
        """Stop the server. Waiting getUpdates calls return at once with no updates."""
        self._closing = True
        self._updates_changed.set()
        await self._stop_delivering()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to telegram.Bot / ApplicationBuilder."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- test controls --------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Alex",
        language_code: str = "en",
        *,
        username: str | None = None,
    ) -> FakeUser:
        """Create (or return the existing) user whose private chat with the bot has id user_id."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        created = FakeUser(self, user_id, first_name, language_code, username)
        self._users[user_id] = created
        return created

    @property
    def users(self) -> list[FakeUser]:
        return list(self._users.values())

    def group(self, chat_id: int, title: str = "Tea club", kind: str = "group") -> FakeGroup:
        """Create (or return) a group, supergroup or channel with this (negative) id."""
        existing = self._groups.get(chat_id)
        if existing is None:
            existing = self._groups[chat_id] = FakeGroup(self, chat_id, title, kind)
        return existing

    def block(self, user_id: int) -> None:
        """From now on every call aimed at this chat gets 403 "bot was blocked by the user"."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def command_menu(
        self, *, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """The command menu the bot set for a scope (default: everyone) and language."""
        return list(
            self._commands_by_scope.get(
                _scope_key({"scope": scope, "language_code": language_code}), []
            )
        )

    @property
    def updates(self) -> list[JsonDict]:
        """Every update ever queued (confirmed or not), oldest first."""
        return list(self._history.values())

    @property
    def last_update_id(self) -> int:
        """The id of the newest queued update (0 before any)."""
        return next(reversed(self._history), 0)

    def pending_updates(self) -> int:
        """How many updates the bot has not yet confirmed with its getUpdates offset."""
        return len(self._queue)

    async def redeliver(self, update_id: int) -> int:
        """Queue a copy of an earlier update under a fresh update_id; returns the new id."""
        original = self._history.get(update_id)
        if original is None:
            raise AssertionError(f"no update {update_id} was ever queued")
        kind = next(key for key in original if key != "update_id")
        return self._enqueue(kind, original[kind])

    async def wait_idle(self, timeout: float = 5.0, *, settle: float = 0.05) -> None:  # noqa: ASYNC109
        """Wait until every queued update was fetched and confirmed and no bot call is running.

        The state must also stay unchanged for ``settle`` seconds, which gives the bot's
        handlers time to start the calls they make after their update was confirmed.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            async with asyncio.timeout_at(deadline):
                while True:
                    while not self._is_idle():
                        self._idle_changed.clear()
                        await self._idle_changed.wait()
                    mark = self._activity
                    await asyncio.sleep(settle)
                    if self._is_idle() and self._activity == mark:
                        return
        except TimeoutError:
            pending = [update_id for update_id, _, _ in itertools.islice(self._queue, 10)]
            raise AssertionError(
                f"fake Telegram not idle after {timeout}s: {len(self._queue)} update(s) not "
                f"confirmed (first ids {pending}), {self._in_flight} bot request(s) in flight"
            ) from None

    async def wait_until(self, ready: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``ready()`` holds; it is checked again after every call the bot makes."""
        try:
            await _wait_until(self._idle_changed, ready, timeout)
        except TimeoutError:
            raise AssertionError(f"the awaited state did not come within {timeout}s") from None

    # -- internal state -------------------------------------------------------------------

    def _is_idle(self) -> bool:
        return not self._queue and self._in_flight == 0

    def _poke(self) -> None:
        self._activity += 1
        self._idle_changed.set()

    def _enqueue(self, kind: str, payload: JsonDict) -> int:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, kind: copy.deepcopy(payload)}
        self._history[update_id] = update
        self._queue.append((update_id, kind, update))
        self._updates_changed.set()
        self._poke()
        return update_id

    async def _get_file(self, call: _Call) -> JsonDict:
        """getFile: a path to download the file from, for files people sent (up to 20 MB,
        Telegram's limit for bots)."""
        file_id = call.params.get("file_id")
        if not isinstance(file_id, str) or file_id not in self._files:
            raise _bad_request("invalid file_id")
        data = self._files[file_id]
        if data is None:
            raise _bad_request("file is temporarily unavailable")
        if len(data) > BOT_DOWNLOAD_LIMIT:
            raise _bad_request("file is too big")
        number = file_id.rsplit("-", 1)[-1]
        path = f"documents/file_{number}"
        self._file_paths[path] = file_id
        return {
            "file_id": file_id,
            "file_unique_id": f"AQADfake{number}",
            "file_size": len(data),
            "file_path": path,
        }

    def _download(self, rest: str) -> web.Response:
        token, _, path = rest.partition("/")
        file_id = self._file_paths.get(path)
        if token != self.token or file_id is None:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(path)
        return web.Response(body=self._files[file_id] or b"")

    def _new_file_id(self, prefix: str, data: bytes | None) -> tuple[str, str]:
        number = next(self._file_ids)
        file_id = f"{prefix}-fake-{number:08d}"
        self._files[file_id] = data
        return file_id, f"AQADfake{number:08d}"

    def _issue_callback(self, user: FakeUser, message_id: int, data: str) -> str:
        query_id = str(7_000_000_000_000_000 + next(self._query_ids))
        self._queries[query_id] = _Query(user)
        message: JsonDict | None = None
        bot_message = user._bot_messages.get(message_id)
        if bot_message is not None and not bot_message.deleted:
            message = self._bot_message_dict(bot_message)
        if message is None:
            # What Telegram sends for a message the bot can no longer see.
            message = {"message_id": message_id, "date": 0, "chat": user.chat_dict()}
        query: JsonDict = {
            "id": query_id,
            "from": user.user_dict(),
            "message": message,
            "chat_instance": str(4_000_000_000 + user.chat_id),
            "data": data,
        }
        self._enqueue("callback_query", query)
        return query_id

    def _bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _bot_message_dict(self, message: BotMessage, *, nested: bool = True) -> JsonDict:
        user = self._users[message.chat_id]
        result: JsonDict = {
            "message_id": message.message_id,
            "from": self._bot_user(),
            "chat": user.chat_dict(),
            "date": message.date,
        }
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        if message.photo_sizes is not None or message.document_info is not None:
            if message.photo_sizes is not None:
                result["photo"] = message.photo_sizes
            else:
                result["document"] = message.document_info
            if message.text:
                result["caption"] = message.text
                if message.entities:
                    result["caption_entities"] = message.entities
        else:
            result["text"] = message.text
            if message.entities:
                result["entities"] = message.entities
        if message.reply_markup is not None:
            result["reply_markup"] = message.reply_markup
        if nested and message.reply_to_message_id is not None:
            target = user._message_dict(message.reply_to_message_id)
            if target is not None:
                result["reply_to_message"] = target
        return result

    # -- HTTP plumbing --------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        tail = request.match_info.get("tail", "")
        if tail.startswith("file/bot"):
            return self._download(tail.removeprefix("file/bot"))
        if not tail.startswith("bot") or "/" not in tail:
            return _error_response(_ApiError(404, "Not Found"))
        token, _, method_name = tail[3:].partition("/")
        entry = self._methods.get(method_name.lower())
        name = entry[0] if entry is not None else method_name
        try:
            call = await _read_call(request)
        except _ApiError as exc:
            self.calls.append((name, {}))
            return self._refuse(name, {}, exc)
        self.calls.append((name, call.params))
        fault = self.faults(name) if self.faults is not None else None
        if fault is not None and (fault.delay or fault.drop or fault.error_code):
            return await self._faulty(request, name, call, fault)
        if self._drops.get(name.lower()):
            self._drops[name.lower()] -= 1
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=204)  # never arrives: the connection is gone
        if token != self.token:
            return self._refuse(name, call.params, _ApiError(401, "Unauthorized"))
        if entry is None:
            return self._refuse(name, call.params, _ApiError(404, "Not Found: method not found"))
        tracked = name != "getUpdates"
        if tracked:
            self._in_flight += 1
            self._poke()
        try:
            if self._latency:
                await asyncio.sleep(self._latency)
            failures = self._failures.get(name.lower())
            if failures:
                failure = failures.popleft()
                raise _ApiError(
                    failure.error_code,
                    failure.description,
                    record=False,
                    parameters=failure.parameters,
                )
            result = await entry[1](call)
        except _ApiError as exc:
            return self._refuse(name, call.params, exc)
        finally:
            if tracked:
                self._in_flight -= 1
                self._poke()
        return web.json_response({"ok": True, "result": result})

    def _refuse(self, method: str, payload: JsonDict, error: _ApiError) -> web.Response:
        if error.record:
            self.rejections.append(
                {
                    "method": method,
                    "error_code": error.error_code,
                    "description": error.description,
                    "payload": payload,
                }
            )
        return _error_response(error)

    def _chat(self, params: JsonDict) -> FakeUser:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        chat_id = _chat_of(params)
        if chat_id is not None and chat_id in self._blocked:
            raise _ApiError(403, BLOCKED, record=False)
        user = self._users.get(chat_id) if chat_id is not None else None
        if user is None:
            raise _bad_request("chat not found")
        return user

    # -- rendering and validation ---------------------------------------------------------

    @staticmethod
    def _render(text: Any, parse_mode: Any) -> tuple[str, list[JsonDict], str | None, str | None]:
        """Returns (plain text, entities, raw html or None, parse_mode or None)."""
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        if parse_mode is None or parse_mode == "":
            plain, entities = _trim(text, [])
            return plain, entities, None, None
        if not isinstance(parse_mode, str):
            raise _bad_request("unsupported parse_mode")
        mode = parse_mode.lower()
        if mode == "html":
            try:
                plain, entities = render_html(text)
            except HtmlParseError as exc:
                raise _bad_request(f"can't parse entities: {exc}") from None
            plain, entities = _trim(plain, entities)
            return plain, entities, text, parse_mode
        if mode in ("markdown", "markdownv2"):
            plain, entities = _trim(text, [])
            return plain, entities, None, parse_mode
        raise _bad_request("unsupported parse_mode")

    def _markup(
        self, raw: Any, user: FakeUser, *, inline_only: bool
    ) -> tuple[JsonDict | None, list[list[tuple[str, str]]]]:
        """Validate reply_markup. Returns (inline markup to keep on the message, buttons)."""
        if raw is None:
            return None, []
        markup = _as_json(raw, "reply keyboard markup")
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if inline_only:
                raise _bad_request("reply markup must be an inline keyboard")
            self._reply_keyboard(markup, user)
            return None, []
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(
                'can\'t parse inline keyboard: field "inline_keyboard" must be an Array of Arrays'
            )
        kept_rows: list[list[JsonDict]] = []
        buttons: list[list[tuple[str, str]]] = []
        count = 0
        for row in rows:
            kept_row: list[JsonDict] = []
            button_row: list[tuple[str, str]] = []
            for button in row:
                kept, shown = _check_button(button)
                kept_row.append(kept)
                button_row.append(shown)
                count += 1
            if kept_row:
                kept_rows.append(kept_row)
                buttons.append(button_row)
        if count > MAX_INLINE_BUTTONS:
            raise _bad_request(f"reply markup is too long: more than {MAX_INLINE_BUTTONS} buttons")
        if not kept_rows:
            return None, []
        return {"inline_keyboard": kept_rows}, buttons

    @staticmethod
    def _reply_keyboard(markup: JsonDict, user: FakeUser) -> None:
        if markup.get("remove_keyboard"):
            user.keyboard = None
            return
        if markup.get("force_reply"):
            return
        rows = markup.get("keyboard")
        if not isinstance(rows, list) or not rows:
            raise _bad_request("can't parse reply keyboard markup JSON object")
        shown: list[list[str]] = []
        for row in rows:
            if not isinstance(row, list):
                raise _bad_request("can't parse reply keyboard markup JSON object")
            texts = []
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text.strip():
                    raise _bad_request("keyboard button text must be non-empty")
                texts.append(text)
            shown.append(texts)
        user.keyboard = shown

    @staticmethod
    def _reply_target(user: FakeUser, params: JsonDict) -> int | None:
        allow = _as_bool(params.get("allow_sending_without_reply", False))
        reply_to: int | None = None
        reply_parameters = params.get("reply_parameters")
        if reply_parameters is not None:
            reply_parameters = _as_json(reply_parameters, "reply parameters")
            if not isinstance(reply_parameters, dict):
                raise _bad_request("can't parse reply parameters JSON object")
            reply_to = _as_int(reply_parameters, "message_id")
            allow = allow or _as_bool(reply_parameters.get("allow_sending_without_reply", False))
        else:
            reply_to = _as_int(params, "reply_to_message_id", required=False)
        if reply_to is None or reply_to == 0:
            return None
        if user._has_message(reply_to):
            return reply_to
        if allow:
            return None
        raise _bad_request("message to be replied not found")

    def _new_bot_message(self, user: FakeUser, message: BotMessage) -> JsonDict:
        user._bot_messages[message.message_id] = message
        user.inbox.append(message)
        user._changed.set()
        return self._bot_message_dict(message)

    @staticmethod
    def _editable(user: FakeUser, params: JsonDict) -> BotMessage:
        if params.get("inline_message_id"):
            raise _bad_request("inline messages are not supported by this fake")
        message_id = _as_int(params, "message_id")
        assert message_id is not None
        message = user._bot_messages.get(message_id)
        if message is None and message_id in user._user_messages:
            raise _bad_request("message can't be edited")
        if message is None or message.deleted:
            raise _bad_request("message to edit not found")
        return message

    @staticmethod
    def _apply_edit(user: FakeUser, message: BotMessage) -> None:
        message.edits += 1
        message.edit_date = _now()
        user._changed.set()

    # -- Bot API methods ------------------------------------------------------------------

    async def _true(self, call: _Call) -> bool:
        return True

    async def _get_me(self, call: _Call) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, call: _Call) -> list[JsonDict]:
        params = call.params
        offset = _as_int(params, "offset", required=False)
        limit = _as_int(params, "limit", required=False)
        limit = 100 if limit is None or limit <= 0 else min(limit, 100)
        timeout_raw = params.get("timeout", 0)
        if isinstance(timeout_raw, str):
            timeout_raw = _coerce("timeout", timeout_raw)
        if isinstance(timeout_raw, bool) or not isinstance(timeout_raw, (int, float)):
            raise _bad_request("invalid timeout specified")
        timeout = max(0.0, float(timeout_raw))
        allowed = params.get("allowed_updates")
        if allowed is not None:
            allowed = _as_json(allowed, "allowed updates")
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise _bad_request("allowed_updates must be an Array of String")
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES

        if self.webhook is not None:
            raise _ApiError(409, WEBHOOK_ACTIVE, record=False)
        # Only one getUpdates may wait at a time; a newer one ends the older one.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_changed.set()

        if offset is not None and offset != 0:
            self._confirm(offset)

        batch: list[JsonDict] = []

        def ready() -> bool:
            nonlocal batch
            if self._poll_generation != generation or self._closing:
                return True
            batch = self._collect(limit)
            return bool(batch)

        with contextlib.suppress(TimeoutError):
            await _wait_until(self._updates_changed, ready, timeout)
        if self._poll_generation != generation and not self._closing:
            raise _ApiError(409, CONFLICT, record=False)
        if batch:
            self._poke()
        return batch

    def _confirm(self, offset: int) -> None:
        queue = self._queue
        before = len(queue)
        if offset > 0:
            while queue and queue[0][0] < offset:
                queue.popleft()
        else:
            while len(queue) > -offset:
                queue.popleft()
        if len(queue) != before:
            self._poke()

    def _collect(self, limit: int) -> list[JsonDict]:
        allowed = self._allowed_updates
        batch: list[JsonDict] = []
        dropped = False
        for _, kind, update in self._queue:
            if kind not in allowed:
                dropped = True
                continue
            batch.append(update)
            if len(batch) >= limit:
                break
        if dropped:
            # Telegram never delivers update kinds the bot did not ask for.
            self._queue = deque(entry for entry in self._queue if entry[1] in allowed)
            self._poke()
        return batch

    async def _set_my_commands(self, call: _Call) -> bool:
        params = call.params
        commands = _as_json(params.get("commands"), "commands")
        if not isinstance(commands, list):
            raise _bad_request("commands must be an Array of BotCommand")
        if len(commands) > MAX_COMMANDS:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        kept: list[JsonDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            kept.append({"command": name, "description": description})
        self._commands_by_scope[_scope_key(params)] = kept
        self.commands = kept
        return True

    async def _get_my_commands(self, call: _Call) -> list[JsonDict]:
        return list(self._commands_by_scope.get(_scope_key(call.params), []))

    async def _delete_my_commands(self, call: _Call) -> bool:
        self._commands_by_scope.pop(_scope_key(call.params), None)
        self.commands = []
        return True

    async def _send_message(self, call: _Call) -> JsonDict:
        params = call.params
        group = self._groups.get(_chat_of(params) or 0)
        if group is not None:
            return self._send_to_group(group, params)
        user = self._chat(params)
        plain, entities, html, parse_mode = self._message_text(params)
        markup, buttons = self._markup(params.get("reply_markup"), user, inline_only=False)
        reply_to = self._reply_target(user, params)
        message = BotMessage(
            message_id=user._take_message_id(),
            chat_id=user.chat_id,
            text=plain,
            html=html,
            parse_mode=parse_mode,
            buttons=buttons,
            reply_to_message_id=reply_to,
            date=_now(),
            entities=entities,
            reply_markup=markup,
        )
        return self._new_bot_message(user, message)

    def _media_message(self, call: _Call, **media: Any) -> JsonDict:
        """A photo or document message with its caption and keyboard checked."""
        params = call.params
        user = self._chat(params)
        caption, entities, html, parse_mode = self._render(
            params.get("caption"), params.get("parse_mode")
        )
        if utf16_len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        markup, buttons = self._markup(params.get("reply_markup"), user, inline_only=False)
        message = BotMessage(
            message_id=user._take_message_id(),
            chat_id=user.chat_id,
            text=caption,
            html=html,
            parse_mode=parse_mode,
            buttons=buttons,
            reply_to_message_id=self._reply_target(user, params),
            date=_now(),
            entities=entities,
            reply_markup=markup,
            **media,
        )
        return self._new_bot_message(user, message)

    async def _send_photo(self, call: _Call) -> JsonDict:
        self._chat(call.params)
        data = self._photo_bytes(call)
        sizes = []
        for side in (90, 320, 1280):
            file_id, unique_id = self._new_file_id("AgACAgBotPhoto", data)
            size = {"file_id": file_id, "file_unique_id": unique_id, "width": side}
            size.update({"height": side * 3 // 4, "file_size": len(data or b"") or side * 50})
            sizes.append(size)
        return self._media_message(call, photo=data, photo_sizes=sizes)

    async def _send_document(self, call: _Call) -> JsonDict:
        """An uploaded file (by attach:// or as the field itself); file ids are not supported."""
        self._chat(call.params)
        document = call.params.get("document")
        field_name = "document"
        if isinstance(document, str) and document.startswith("attach://"):
            field_name = document.removeprefix("attach://")
        if field_name not in call.files:
            raise _bad_request("there is no document in the request")
        data = call.files[field_name]
        if not data:
            raise _bad_request("file must be non-empty")
        if len(data) > MAX_DOCUMENT_BYTES:
            raise _ApiError(413, "Request Entity Too Large")
        name = call.file_names.get(field_name) or "document"
        file_id, unique_id = self._new_file_id("BQACAgBotDocument", data)
        info = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": name,
            "file_size": len(data),
        }
        return self._media_message(call, document=data, document_name=name, document_info=info)

    def _message_text(self, params: JsonDict) -> tuple[str, list[JsonDict], str | None, str | None]:
        """A sendMessage text, rendered and checked as Telegram does."""
        rendered = self._render(params.get("text"), params.get("parse_mode"))
        if not rendered[0]:
            raise _bad_request("message text is empty")
        if utf16_len(rendered[0]) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        return rendered

    def _send_to_group(self, group: FakeGroup, params: JsonDict) -> JsonDict:
        if not group.bot_is_member:
            raise _ApiError(403, "Forbidden: bot is not a member of the group chat")
        plain, entities, _, _ = self._message_text(params)
        group.inbox.append(plain)
        result: JsonDict = {
            "message_id": group._take_message_id(),
            "from": self._bot_user(),
            "chat": group.chat_dict(),
            "date": _now(),
            "text": plain,
        }
        if entities:
            result["entities"] = entities
        return result

    async def _leave_chat(self, call: _Call) -> bool:
        group = self._groups.get(_chat_of(call.params) or 0)
        if group is None:
            raise _bad_request("chat not found")
        if not group.bot_is_member:
            raise _ApiError(403, "Forbidden: bot is not a member of the group chat")
        group.bot_is_member = False
        return True

    def _photo_bytes(self, call: _Call) -> bytes | None:
        """The uploaded photo's bytes, or the bytes behind a known file id (None for URLs)."""
        photo = call.params.get("photo")
        data: bytes | None
        if "photo" in call.files:
            data = call.files["photo"]
        elif isinstance(photo, str) and photo.startswith("attach://"):
            attached = call.files.get(photo.removeprefix("attach://"))
            if attached is None:
                raise _bad_request("photo attachment not found in the request")
            data = attached
        elif isinstance(photo, str) and photo.strip():
            if photo.startswith(("http://", "https://")):
                return None  # never fetched: the fake talks to no other host
            if photo not in self._files:
                raise _bad_request("wrong file identifier/HTTP URL specified")
            return self._files[photo]
        else:
            raise _bad_request("there is no photo in the request")
        if not data:
            raise _bad_request("file must be non-empty")
        if len(data) > MAX_PHOTO_BYTES:
            raise _bad_request("PHOTO_SAVE_FILE_INVALID: photo is bigger than 10 MB")
        return data

    async def _edit_message_text(self, call: _Call) -> JsonDict:
        params = call.params
        user = self._chat(params)
        message = self._editable(user, params)
        if message.is_photo:
            raise _bad_request("there is no text in the message to edit")
        plain, entities, html, parse_mode = self._message_text(params)
        return self._rewrite(user, message, params, (plain, entities, html, parse_mode))

    async def _edit_message_caption(self, call: _Call) -> JsonDict:
        params = call.params
        user = self._chat(params)
        message = self._editable(user, params)
        if not message.is_photo:
            raise _bad_request("there is no caption in the message to edit")
        caption, entities, html, parse_mode = self._render(
            params.get("caption"), params.get("parse_mode")
        )
        if utf16_len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return self._rewrite(user, message, params, (caption, entities, html, parse_mode))

    def _rewrite(
        self,
        user: FakeUser,
        message: BotMessage,
        params: JsonDict,
        words: tuple[str, list[JsonDict], str | None, str | None],
    ) -> JsonDict:
        """A message's text or caption, and its inline keyboard, replaced; Telegram refuses
        an edit that changes nothing."""
        text, entities, html, parse_mode = words
        markup, buttons = self._markup(params.get("reply_markup"), user, inline_only=True)
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        message.text, message.entities, message.html = text, entities, html
        message.parse_mode = parse_mode
        message.reply_markup, message.buttons = markup, buttons
        self._apply_edit(user, message)
        return self._bot_message_dict(message)

    async def _edit_message_reply_markup(self, call: _Call) -> JsonDict:
        params = call.params
        user = self._chat(params)
        message = self._editable(user, params)
        markup, buttons = self._markup(params.get("reply_markup"), user, inline_only=True)
        if markup == message.reply_markup:
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        message.reply_markup, message.buttons = markup, buttons
        self._apply_edit(user, message)
        return self._bot_message_dict(message)

    async def _delete_message(self, call: _Call) -> bool:
        params = call.params
        user = self._chat(params)
        message_id = _as_int(params, "message_id")
        assert message_id is not None
        bot_message = user._bot_messages.get(message_id)
        if bot_message is not None and not bot_message.deleted:
            bot_message.deleted = True
            user._changed.set()
            return True
        if message_id in user._user_messages and message_id not in user._deleted_user_messages:
            user._deleted_user_messages.add(message_id)
            return True
        raise _bad_request("message to delete not found")

    async def _answer_callback_query(self, call: _Call) -> bool:
        params = call.params
        query_id = params.get("callback_query_id")
        query = self._queries.get(str(query_id)) if query_id is not None else None
        if query is None or query.answered:
            raise _bad_request(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        text = params.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG: callback answer text is over 200 characters")
        query.answered = True
        answer = dict(params)
        query.user.callback_answers.append(answer)
        query.user._answers[str(query_id)] = answer
        query.user._changed.set()
        return True

    async def _send_chat_action(self, call: _Call) -> bool:
        params = call.params
        user = self._chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        user.chat_actions.append(str(action))
        return True


def _check_button(button: Any) -> tuple[JsonDict, tuple[str, str]]:
    """Validate one inline keyboard button; returns (button to keep, (text, data or url))."""
    if not isinstance(button, dict):
        raise _bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _bad_request("can't parse inline keyboard button: Text must be non-empty")
    kept = {key: value for key, value in button.items() if value is not None}
    actions = [key for key in BUTTON_ACTION_FIELDS if key in kept]
    if not actions:
        raise _bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise _bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used, "
            f"got {actions}"
        )
    value = ""
    if "callback_data" in kept:
        data = kept["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise _bad_request("BUTTON_DATA_INVALID")
        value = data
    elif "url" in kept:
        url = kept["url"]
        if not isinstance(url, str) or not url.strip() or any(c.isspace() for c in url):
            raise _bad_request("BUTTON_URL_INVALID")
        value = url
    return kept, (text, value)


def _scope_key(params: JsonDict) -> tuple[str, str]:
    scope = params.get("scope")
    if isinstance(scope, str):
        scope = _as_json(scope, "scope")
    scope_text = json.dumps(scope, sort_keys=True) if scope else '{"type": "default"}'
    language = params.get("language_code") or ""
    return scope_text, str(language)


def _error_response(error: _ApiError) -> web.Response:
    body: JsonDict = {
        "ok": False,
        "error_code": error.error_code,
        "description": error.description,
    }
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.error_code)


async def _read_call(request: web.Request) -> _Call:
    """Read parameters from the query string and a JSON, urlencoded or multipart body."""
    params: JsonDict = {key: _coerce(key, value) for key, value in request.query.items()}
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    if not request.body_exists:
        return _Call(params, files)
    content_type = request.content_type
    if content_type == "application/json":
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise _bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise _bad_request("request body must be a JSON object")
            params.update(body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = value.file.read()
                names[key] = value.filename
                params.setdefault(key, f"<uploaded file, {len(files[key])} bytes>")
            elif isinstance(value, (bytes, bytearray)):
                params[key] = _coerce(key, bytes(value).decode("utf-8", "replace"))
            else:
                params[key] = _coerce(key, value)
    return _Call(params, files, names)


def rejection_lines(rejections: Iterable[JsonDict]) -> list[str]:
    """Readable lines for ``FakeTelegram.rejections``, handy in assertion messages."""
    return [f"{r['method']} -> {r['error_code']} {r['description']}" for r in rejections]
