"""Webhook mode end to end: the real `python -m bot` serves updates the fake POSTs to it."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from telegram import Update

from bot.runtime.webhook import WebhookServer
from sandbox.botapi import SECRET_HEADER, FakeTelegram, JsonDict
from tests.conftest import BotRunner
from tests.dbfile import sqlite_file
from tests.processes import one_line, start_bot

SECRET = "w3bh00k_Secret-for-the-e2e-test-0123"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    # The bot's webhook server is plain http on 127.0.0.1; real Telegram wants https.
    async with FakeTelegram(allow_local_http_webhook=True) as server:
        yield server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_for_port(port: int, timeout: float = 20) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                await writer.wait_closed()
                return
            await asyncio.sleep(0.05)


def glimmer_texts(db_path: Path) -> list[str]:
    with sqlite_file(db_path) as db:
        return [row[0] for row in db.execute("SELECT text FROM glimmers ORDER BY id")]


async def test_webhook_mode_end_to_end(fake: FakeTelegram, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/updates"
    db_path = tmp_path / "webhook.sqlite3"
    log_path = tmp_path / "bot.log"
    settings = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(db_path),
        "WEBHOOK_URL": url,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        # DEBUG: PTB then logs every Bot API call's parameters, setWebhook's secret included.
        "LOG_LEVEL": "DEBUG",
    }
    with log_path.open("w") as log:
        bot = await start_bot(cwd=tmp_path, settings=settings, stderr=log)
    try:
        await fake.wait_until(lambda: fake.webhook is not None, timeout=20)
        await wait_for_port(port)
        hook = fake.webhook
        assert hook is not None
        assert hook.url == url
        assert hook.secret_token == SECRET
        assert hook.allowed_updates == list(Update.ALL_TYPES)

        # A person writes; the fake POSTs the update to the webhook and the bot replies.
        ana = fake.user(501, "Ana")
        await ana.send("the smell of rain on warm pavement")
        reply = await ana.reply(timeout=10)
        assert reply.text == "Kept: “the smell of rain on warm pavement” ✨"
        await fake.wait_idle(timeout=10)
        assert fake.webhook_errors == []

        # Anyone else posting to the webhook is refused and changes nothing.
        forged: JsonDict = {
            "update_id": 10_000,
            "message": {
                "message_id": 10_000,
                "date": 1_700_000_000,
                "chat": ana.chat_dict(),
                "from": ana.user_dict(),
                "text": "forged words",
            },
        }
        calls_before = len(fake.calls)
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {SECRET_HEADER: "not-the-secret"}, {SECRET_HEADER: ""}):
                async with session.post(url, json=forged, headers=headers) as response:
                    assert response.status == 403, headers
        await ana.no_reply(0.5)
        assert len(fake.calls) == calls_before
        assert glimmer_texts(db_path) == ["the smell of rain on warm pavement"]

        # Still serving the real thing afterwards.
        await ana.send("a warm cup")
        assert (await ana.reply(timeout=10)).text == "Kept: “a warm cup” ✨"
        # No getUpdates in webhook mode: a question about the webhook keeps the heartbeat.
        async with asyncio.timeout(20):
            while not tmp_path.joinpath("webhook.sqlite3-heartbeat").exists():  # noqa: ASYNC110
                await asyncio.sleep(0.1)  # the bot's process touches it: no event to wait on
        assert "getWebhookInfo" in [name for name, _ in fake.calls]
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 20)
    assert bot.returncode == 0
    assert glimmer_texts(db_path) == ["the smell of rain on warm pavement", "a warm cup"]
    assert fake.rejections == []
    logged = log_path.read_text()
    assert "webhook mode: listening on 127.0.0.1" in logged
    assert "bot: stopped" in logged  # a clean shutdown, not a crash
    assert "setWebhook" in logged  # the call was logged, with its secret redacted
    assert SECRET not in logged
    assert fake.token not in logged


async def raw_post(port: int, head: str, body: bytes = b"") -> int:
    """Send a request's head (and some body), and return the status the server answers
    with, without sending the rest of what Content-Length promised."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        await writer.drain()
        async with asyncio.timeout(5):  # the promised body never comes: no waiting for it
            status_line = await reader.readline()
        return int(status_line.split()[1])
    finally:
        writer.close()


def head(port: int, length: int | None, secret: str | None) -> str:
    lines = [
        "POST /telegram/updates HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked",
    ]
    if secret is not None:
        lines.append(f"{SECRET_HEADER}: {secret}")
    return "\n".join(lines) + "\n"


async def test_the_webhook_judges_a_request_before_reading_its_body(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    assert runner.app is not None
    port = free_port()
    server = WebhookServer(
        runner.app, listen="127.0.0.1", port=port, path="telegram/updates", secret=SECRET
    )
    await server.start()
    try:
        huge = 90 * 1024 * 1024
        # Answered from the headers alone: the 90 MiB promised are never sent.
        assert await raw_post(port, head(port, huge, None)) == 403
        assert await raw_post(port, head(port, huge, "near-" + SECRET)) == 403
        assert await raw_post(port, head(port, huge, SECRET)) == 413
        # A body that doesn't say its length is cut off once it passes 1 MiB.
        chunk = b"x" * 65536
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20))
        assert await raw_post(port, head(port, None, SECRET), chunks) == 413

        ada = fake.user(521, "Ada")
        update: JsonDict = {
            "update_id": 77,
            "message": {
                "message_id": 1,
                "date": 1_700_000_000,
                "chat": ada.chat_dict(),
                "from": ada.user_dict(),
                "text": "light on the kitchen tiles",
            },
        }
        url = f"http://127.0.0.1:{port}/telegram/updates"
        async with aiohttp.ClientSession(headers={SECRET_HEADER: SECRET}) as session:
            for bad in (b"not json", b"[1, 2]", b'{"no": "update id"}', b"\xff\xfe"):
                async with session.post(url, data=bad) as response:
                    assert response.status == 400, bad
            async with session.get(url) as response:
                assert response.status == 405
            async with session.post(url, json=update) as response:
                assert response.status == 200
        assert (await ada.reply()).text == "Kept: “light on the kitchen tiles” ✨"
    finally:
        await server.stop()


async def test_a_webhook_telegram_refuses_stops_the_start_in_one_line(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    # Telegram can't resolve the host in WEBHOOK_URL: waiting won't mend that, so the bot
    # says so once and stops, instead of retrying for ever.
    fake.fail_next(
        "setWebhook",
        error_code=400,
        description="Bad Request: bad webhook: Failed to resolve host: Name or service not known",
    )
    settings = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(tmp_path / "refused.sqlite3"),
        "WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/telegram/updates",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(free_port()),
        "LOG_LEVEL": "ERROR",
    }
    bot = await start_bot(cwd=tmp_path, settings=settings, stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(bot.communicate(), 30)
    assert bot.returncode not in (0, None)
    line = one_line(stderr.decode())
    assert "Telegram refused the webhook" in line and "WEBHOOK_URL" in line, line
    assert fake.token not in line and SECRET not in line
