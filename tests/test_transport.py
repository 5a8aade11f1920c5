"""The Bot API transport (bot/runtime/transport.py) over real HTTP against the strict fake.

Each test drives a real python-telegram-bot ``Bot`` through the request objects the app
builds; faults come from the fake (error answers, latency, dropped connections) or from a
small forward proxy in this file.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import socket
import traceback
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from bot.app import build_application
from bot.runtime import transport
from bot.runtime.transport import AiohttpRequest, build_requests, environment_proxy
from bot.settings import SettingsError, load_settings
from sandbox.botapi import FakeTelegram, FakeUser, Fault
from tests.conftest import BotRunner

CHAT = 5151
# A real PNG header is enough for the fake; the bytes must arrive unchanged.
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture
def alex(fake: FakeTelegram) -> FakeUser:
    return fake.user(CHAT, "Alex")


def aiohttp_bot(fake: FakeTelegram, **request_options: float | int | None) -> Bot:
    return Bot(
        fake.token,
        base_url=fake.base_url,
        request=AiohttpRequest(**request_options),  # type: ignore[arg-type]
        get_updates_request=AiohttpRequest(),
    )


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with aiohttp_bot(fake, connection_pool_size=8) as client:
        yield client


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Savour it", callback_data="sv:1")],
            [InlineKeyboardButton("Undo", callback_data="un:1")],
        ]
    )


def full_text(exc: BaseException) -> str:
    """What a log line with exc_info would hold: the message and the whole traceback."""
    return "".join(traceback.format_exception(exc))


# ---------------------------------------------------------------------------------------------
# What the bot sends
# ---------------------------------------------------------------------------------------------


async def test_json_calls_arrive_as_one_json_object(
    fake: FakeTelegram, bot: Bot, alex: FakeUser
) -> None:
    me = await bot.get_me()
    assert me.username == fake.bot_username
    sent = await bot.send_message(
        CHAT, "<b>Kept</b> ✨", parse_mode="HTML", reply_markup=keyboard()
    )
    assert sent.text == "Kept ✨"
    reply = await alex.reply()
    assert reply.buttons == [[("Savour it", "sv:1")], [("Undo", "un:1")]]
    # Nested values arrive as JSON objects, not as JSON text inside JSON.
    name, params = fake.calls[-1]
    assert name == "sendMessage"
    assert isinstance(params["reply_markup"], dict)
    assert params["chat_id"] == CHAT
    assert fake.rejections == []


async def test_uploads_photo_and_documents_as_multipart(
    fake: FakeTelegram, bot: Bot, alex: FakeUser
) -> None:
    await bot.send_photo(
        CHAT, InputFile(PNG, filename="recap.png"), caption="Your week", reply_markup=keyboard()
    )
    photo = await alex.reply()
    assert photo.photo == PNG
    assert photo.text == "Your week"
    assert photo.buttons == [[("Savour it", "sv:1")], [("Undo", "un:1")]]

    # Over 1 MB, a non-ASCII name, and a file handle the caller still owns afterwards.
    export = b'{"glimmers": []}' + b" " * 1_500_000
    handle = io.BytesIO(export)
    await bot.send_document(CHAT, InputFile(handle, filename="glimmers-journal-ä.json"))
    document = await alex.reply()
    assert document.document == export
    assert document.document_name == "glimmers-journal-ä.json"
    assert not handle.closed

    # A handle PTB passes on unread is read from its start, and left open for a retry.
    handle.seek(100)
    await bot.send_document(CHAT, InputFile(handle, filename="again.json", read_file_handle=False))
    assert (await alex.reply()).document == export
    assert not handle.closed
    assert fake.rejections == []


async def test_long_poll_outlasts_the_read_timeout(fake: FakeTelegram, alex: FakeUser) -> None:
    # PTB adds the poll timeout to the request's read_timeout for getUpdates: a poll of 1 s
    # with a read timeout of 0.2 s must wait for the update, not time out.
    request = AiohttpRequest(read_timeout=0.2)
    assert request.read_timeout == 0.2
    async with Bot(fake.token, base_url=fake.base_url, get_updates_request=request) as bot:
        assert await bot.get_updates(timeout=1) == ()

        async def write_soon() -> None:
            await asyncio.sleep(0.3)
            await alex.send("the kettle singing")

        writer = asyncio.create_task(write_soon())
        updates = await bot.get_updates(timeout=2)
        await writer
    assert [u.message.text for u in updates if u.message] == ["the kettle singing"]


# ---------------------------------------------------------------------------------------------
# Errors, as python-telegram-bot expects them
# ---------------------------------------------------------------------------------------------


async def test_telegram_errors_map_to_ptb_exceptions(
    fake: FakeTelegram, bot: Bot, alex: FakeUser
) -> None:
    fake.fail_next("sendMessage", error_code=429, retry_after=7)
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(CHAT, "hello")
    assert retry.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]

    fake.block(CHAT)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(CHAT, "hello")
    fake.unblock(CHAT)

    for code in (500, 502, 503):
        fake.fail_next("sendMessage", error_code=code)
        with pytest.raises(NetworkError) as server_error:
            await bot.send_message(CHAT, "hello")
        assert type(server_error.value) is NetworkError

    with pytest.raises(BadRequest, match="parse"):
        await bot.send_message(CHAT, "<b>unclosed", parse_mode="HTML")
    fake.rejections.clear()

    # After all that, the same connections still carry a normal call.
    await bot.send_message(CHAT, "still here")
    assert (await alex.reply()).text == "still here"


async def test_a_slow_answer_times_out_as_timed_out(fake: FakeTelegram, alex: FakeUser) -> None:
    async with aiohttp_bot(fake, read_timeout=0.2) as bot:
        fake.set_latency(1.0)
        with pytest.raises(TimedOut) as slow:
            await bot.get_me()
        assert fake.token not in full_text(slow.value)
        # A per-call read timeout wins over the default.
        assert (await bot.get_me(read_timeout=3)).id == fake.bot_id


async def test_waiting_for_a_pooled_connection_times_out(fake: FakeTelegram) -> None:
    # Waiting for the pool and connecting share aiohttp's connect timer: keep both short.
    options = {"connection_pool_size": 1, "pool_timeout": 0.05, "connect_timeout": 0.05}
    async with aiohttp_bot(fake, **options) as bot:
        fake.set_latency(0.5)
        results = await asyncio.gather(bot.get_me(), bot.get_me(), return_exceptions=True)
    timed_out = [r for r in results if isinstance(r, TimedOut)]
    assert len(timed_out) == 1, results
    assert "not sent" in str(timed_out[0])
    assert [r.id for r in results if not isinstance(r, BaseException)] == [fake.bot_id]


async def test_a_dropped_connection_is_a_network_error_and_the_next_call_works(
    fake: FakeTelegram, bot: Bot, alex: FakeUser
) -> None:
    await bot.send_message(CHAT, "first")  # a kept-alive connection now exists
    await alex.reply()
    fake.drop_next("sendMessage")
    with pytest.raises(NetworkError) as dropped:
        await bot.send_message(CHAT, "lost on the way")
    assert not isinstance(dropped.value, TimedOut)
    assert "aiohttp." in str(dropped.value)
    assert fake.token not in full_text(dropped.value)
    await bot.send_message(CHAT, "second")
    assert (await alex.reply()).text == "second"


async def test_nobody_listening_is_a_network_error_without_the_token(fake: FakeTelegram) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is free again: nothing listens there. (Bot.initialize calls getMe.)
    bot = Bot(fake.token, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest())
    with pytest.raises(NetworkError) as refused:
        async with bot:
            pass
    assert not isinstance(refused.value, TimedOut)
    assert fake.token not in full_text(refused.value)


# ---------------------------------------------------------------------------------------------
# Life cycle
# ---------------------------------------------------------------------------------------------


async def test_shutdown_and_initialize_again(fake: FakeTelegram) -> None:
    request = AiohttpRequest()
    bot = Bot(fake.token, base_url=fake.base_url, request=request)
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(fake.base_url + "/getMe", "POST")
    for _ in range(2):
        async with bot:
            assert (await bot.get_me()).id == fake.bot_id
        with pytest.raises(RuntimeError, match="not initialized"):
            await request.do_request(f"{fake.base_url}{fake.token}/getMe", "POST")
    await request.shutdown()  # a second shutdown is harmless


async def test_the_application_runs_on_either_transport(fake: FakeTelegram, tmp_path: Path) -> None:
    """The whole bot, started and restarted as glimmers-bot does, on each transport."""
    for kind, request_class in (("aiohttp", AiohttpRequest), ("httpx", HTTPXRequest)):
        runner = BotRunner(
            fake, tmp_path / f"{kind}.sqlite3", overrides={"telegram_transport": kind}
        )
        person = fake.user(6000 + len(kind), "Sam")
        await runner.start()
        try:
            assert runner.app is not None
            request = runner.app.bot.request
            while isinstance(request, transport.Wrapped):
                request = request.inner
            assert isinstance(request, request_class)
            await person.send("steam rising from a mug")
            assert "steam rising from a mug" in (await person.reply()).text
            await runner.restart()
            await person.send("a robin on the fence")
            assert "a robin on the fence" in (await person.reply()).text
        finally:
            await runner.stop()
    assert fake.rejections == []


# ---------------------------------------------------------------------------------------------
# Proxies
# ---------------------------------------------------------------------------------------------


class ForwardProxy:
    """A plain-HTTP forward proxy that wants Basic auth: enough for http:// Bot API URLs."""

    def __init__(self, user: str, password: str) -> None:
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.user, self.password = user, password
        self.forwarded: list[str] = []
        self.refused = 0
        self._server: asyncio.Server | None = None

    def url(self, *, password: str | None = None) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://{self.user}:{password or self.password}@127.0.0.1:{port}"

    async def __aenter__(self) -> ForwardProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *lines = head.split("\r\n")
                method, target, version = request_line.split(" ")
                headers = dict(line.split(": ", 1) for line in lines if line)
                lower = {k.lower(): v for k, v in headers.items()}
                body = await reader.readexactly(int(lower.get("content-length", "0")))
                if lower.get("proxy-authorization") != self.expected:
                    self.refused += 1
                    writer.write(
                        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                        b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
                    )
                    await writer.drain()
                    continue
                target_parts = urlsplit(target)
                self.forwarded.append(target_parts.path.rsplit("/", 1)[-1])
                upstream_reader, upstream_writer = await asyncio.open_connection(
                    target_parts.hostname, target_parts.port
                )
                kept = "".join(
                    f"{name}: {value}\r\n"
                    for name, value in headers.items()
                    if name.lower() not in {"proxy-authorization", "proxy-connection", "connection"}
                )
                head = f"{method} {target_parts.path} {version}\r\n{kept}Connection: close\r\n\r\n"
                upstream_writer.write(head.encode("latin-1") + body)
                answer = await upstream_reader.read()
                upstream_writer.close()
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.mark.parametrize("kind", ["aiohttp", "httpx"])
async def test_calls_go_through_the_proxy_with_its_credentials(
    fake: FakeTelegram, alex: FakeUser, kind: str
) -> None:
    async with ForwardProxy("glimmers", "s3cret-pass") as proxy:
        requests = build_requests(
            kind,  # type: ignore[arg-type]
            base_url=fake.base_url,
            proxy=proxy.url(),
            connection_pool_size=8,
            pool_timeout=30,
        )
        async with Bot(
            fake.token,
            base_url=fake.base_url,
            request=requests.calls,
            get_updates_request=requests.get_updates,
        ) as bot:
            assert (await bot.get_me()).id == fake.bot_id
            await bot.send_message(CHAT, "through the proxy")
            assert await bot.get_updates(timeout=0) == ()
        assert set(proxy.forwarded) == {"getMe", "sendMessage", "getUpdates"}
        assert (await alex.reply()).text == "through the proxy"

        wrong = build_requests(
            kind,  # type: ignore[arg-type]
            base_url=fake.base_url,
            proxy=proxy.url(password="wrong"),
            connection_pool_size=1,
            pool_timeout=1,
        )
        with pytest.raises(NetworkError, match="407"):  # Bot.initialize calls getMe
            async with Bot(fake.token, base_url=fake.base_url, request=wrong.calls):
                pass
        assert proxy.refused >= 1


def test_proxy_setting_is_checked_and_its_password_kept_secret(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    base = {"telegram_bot_token": fake.token, "database_path": tmp_path / "db.sqlite3"}
    for bad in ("socks5://127.0.0.1:1080", "ftp://host", "http://", "http://host:99999",
                "http://user:hunter2@host:3128/path"):  # fmt: skip
        with pytest.raises(SettingsError) as error:
            load_settings(**base, telegram_proxy_url=bad)
        message = str(error.value)
        assert message.startswith("Setting TELEGRAM_PROXY_URL is malformed:"), message
        assert "\n" not in message and "hunter2" not in message
    with pytest.raises(SettingsError, match="TELEGRAM_TRANSPORT"):
        load_settings(**base, telegram_transport="curl")

    assert load_settings(**base, telegram_proxy_url="  ").proxy_url is None
    assert load_settings(**base, telegram_transport=" HTTPX ").telegram_transport == "httpx"
    settings = load_settings(**base, telegram_proxy_url="https://me:hunter2@proxy.example:3128")
    assert "hunter2" in settings.secrets  # so the log filter redacts it
    assert "hunter2" not in repr(settings)
    build_application(settings)  # builds with the proxy
    said = transport.describe(settings.telegram_transport, settings.proxy_url)
    assert said == "aiohttp via proxy https://proxy.example:3128"  # the start-up log's words


def test_environment_proxy_is_read_once_and_honours_no_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    assert environment_proxy("https://api.telegram.org/bot") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert environment_proxy("https://api.telegram.org/bot") == "http://proxy.example:3128"
    assert environment_proxy("http://127.0.0.1:8081/bot") is None
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    assert environment_proxy("http://example.org:8081/bot") == "http://proxy.example:3128"
    for here in ("http://127.0.0.1:8081/bot", "http://localhost:8081/bot", "http://[::1]:81/bot"):
        assert environment_proxy(here) is None  # this machine: never through a proxy
    monkeypatch.setenv("NO_PROXY", "api.telegram.org")
    assert environment_proxy("https://api.telegram.org/bot") is None
    requests = build_requests(
        "aiohttp", base_url="https://api.telegram.org/bot", proxy=None,
        connection_pool_size=8, pool_timeout=30,
    )  # fmt: skip
    assert isinstance(requests.calls, BaseRequest)


@pytest.mark.parametrize("kind", ["aiohttp", "httpx"])
async def test_an_html_error_page_is_a_network_error_without_a_traceback(
    fake: FakeTelegram, alex: FakeUser, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Telegram's front end answers a 502 with an HTML page, not the Bot API's JSON.
    fake.faults = lambda method: (
        Fault(error_code=502, html=True) if method == "sendMessage" else None
    )
    requests = build_requests(
        kind,  # type: ignore[arg-type]
        base_url=fake.base_url,
        proxy=None,
        connection_pool_size=2,
        pool_timeout=5,
    )
    caplog.set_level(logging.DEBUG)
    async with Bot(fake.token, base_url=fake.base_url, request=requests.calls) as bot:
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(CHAT, "through a broken front end")
        fake.faults = None
        await bot.send_message(CHAT, "and through a mended one")
    assert (await alex.reply()).text == "and through a mended one"
    assert not [record for record in caplog.records if record.exc_info]
