"""Starting and stopping the real `python -m bot`: each start-up problem in one line, the
token never shown, Ctrl-C obeyed while Telegram is out of reach, and a lost connection
reported as one warning per retry, never a traceback."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from sandbox.botapi import FakeTelegram
from tests.processes import one_line, run_bot, start_bot

# Shaped like a token, but not the fake's: the fake answers 401 Unauthorized, as Telegram does.
WRONG_TOKEN = "987654321:AAF-wrong-token-never-to-be-shown_x"


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_a_rejected_token_is_one_line_without_the_token_and_exit_2(
    fake: FakeTelegram, tmp_path: Path, level: str
) -> None:
    settings = {
        "TELEGRAM_BOT_TOKEN": WRONG_TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(tmp_path / "g.sqlite3"),
        "LOG_LEVEL": level,
    }
    pipe = asyncio.subprocess.PIPE
    bot = await start_bot(cwd=tmp_path, settings=settings, stdout=pipe, stderr=pipe)
    out, err = await asyncio.wait_for(bot.communicate(), 60)
    assert bot.returncode == 2
    assert out == b""
    lines = err.decode().splitlines()
    line = one_line(err.decode()) if level == "INFO" else lines[-1]  # DEBUG: PTB's calls too
    assert "rejected the bot token" in line and "TELEGRAM_BOT_TOKEN" in line
    assert WRONG_TOKEN.split(":")[1].encode() not in err
    assert [name for name, _ in fake.calls] == ["getMe"]


class Telegramless:
    """A local port where Telegram should be: it hangs up at once, or never answers."""

    def __init__(self, *, answer: bool) -> None:
        self.answer = answer
        self.connections = 0
        self.changed = asyncio.Event()
        self._held: list[asyncio.StreamWriter] = []

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.changed.set()
        if self.answer:
            writer.close()  # hang up: a network error for the client
        else:
            self._held.append(writer)  # never a word back

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}/bot"
        finally:
            for writer in self._held:
                writer.close()
            server.close()
            await server.wait_closed()

    async def wait(self, ready: Callable[[], bool]) -> None:
        async with asyncio.timeout(30):  # a guard against hanging, not a measurement
            while not ready():
                self.changed.clear()
                await self.changed.wait()


async def start_logged(tmp_path: Path, base_url: str) -> asyncio.subprocess.Process:
    """The bot with the wrong token pointed at `base_url`, logging to tmp_path/bot.log."""
    settings = {
        "TELEGRAM_BOT_TOKEN": WRONG_TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
        "DATABASE_PATH": str(tmp_path / "g.sqlite3"),
    }
    with (tmp_path / "bot.log").open("w") as log:
        return await start_bot(cwd=tmp_path, settings=settings, stderr=log)


async def stop_with(process: asyncio.subprocess.Process, signum: int) -> int:
    process.send_signal(signum)
    return await asyncio.wait_for(process.wait(), 30)


async def test_unreachable_telegram_is_said_once_retried_and_ctrl_c_stops_it(
    tmp_path: Path,
) -> None:
    place = Telegramless(answer=True)
    log_path = tmp_path / "bot.log"
    async with place.running() as base_url:
        bot = await start_logged(tmp_path, base_url)
        await place.wait(lambda: place.connections >= 3)  # it kept trying
        assert await stop_with(bot, signal.SIGINT) == 0
    lines = log_path.read_text().splitlines()
    assert len(lines) == 2, lines
    assert "WARNING bot: cannot reach Telegram (127.0.0.1:" in lines[0]
    assert "check the network connection" in lines[0]
    assert lines[1].endswith("INFO bot: stopped")
    assert WRONG_TOKEN not in log_path.read_text()


async def test_ctrl_c_is_obeyed_while_telegram_never_answers(tmp_path: Path) -> None:
    place = Telegramless(answer=False)
    log_path = tmp_path / "bot.log"
    async with place.running() as base_url:
        bot = await start_logged(tmp_path, base_url)
        await place.wait(lambda: place.connections >= 1)  # getMe is waiting for an answer
        assert await stop_with(bot, signal.SIGINT) == 0
    assert place.connections == 1  # stopped in the middle of that first request
    assert log_path.read_text().splitlines()[-1].endswith("INFO bot: stopped")
    assert "Traceback" not in log_path.read_text()


async def test_a_proxy_that_is_not_there_is_named(tmp_path: Path) -> None:
    place = Telegramless(answer=True)  # plays a proxy that hangs up
    log_path = tmp_path / "bot.log"
    async with place.running() as proxy_url:
        proxy = proxy_url.removesuffix("/bot")
        settings = {
            "TELEGRAM_BOT_TOKEN": WRONG_TOKEN,
            "DATABASE_PATH": str(tmp_path / "g.sqlite3"),
            "HTTPS_PROXY": f"http://user:proxy-password@{proxy.removeprefix('http://')}",
        }
        with log_path.open("w") as log:
            bot = await start_bot(cwd=tmp_path, settings=settings, stderr=log)
            await place.wait(lambda: place.connections >= 2)  # said, and tried again
            assert await stop_with(bot, signal.SIGTERM) == 0
    text = log_path.read_text()
    first = text.splitlines()[0]
    assert f"through the proxy {proxy} set in HTTPS_PROXY" in first
    assert "proxy-password" not in text


def test_a_proxy_httpx_cannot_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    settings = {
        "TELEGRAM_BOT_TOKEN": WRONG_TOKEN,
        "DATABASE_PATH": str(tmp_path / "g.sqlite3"),
        "HTTPS_PROXY": "ftp://127.0.0.1:1",
    }
    result = run_bot(cwd=tmp_path, settings=settings)
    assert result.returncode == 2
    assert "the proxy in HTTPS_PROXY can't be used" in one_line(result.stderr)


async def test_a_lost_connection_is_one_warning_per_retry_and_the_heartbeat_beats(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db_path = tmp_path / "g.sqlite3"
    heartbeat = tmp_path / "g.sqlite3-heartbeat"
    log_path = tmp_path / "bot.log"
    settings = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(db_path),
    }
    with log_path.open("w") as log:
        bot = await start_bot(cwd=tmp_path, settings=settings, stderr=log)
        try:
            ada = fake.user(601)
            await ada.send("the kettle starting to sing")
            assert (await ada.reply(timeout=20)).text == "Kept: “the kettle starting to sing” ✨"
            await fake.wait_until(heartbeat.exists, timeout=20)
            health = await asyncio.to_thread(
                run_bot, "check", "--running", cwd=tmp_path, settings=settings
            )
            assert "the bot heard from Telegram" in one_line(health.stdout), health.stderr
            await fake.stop()  # Telegram goes away

            def warnings() -> list[str]:
                lines = log_path.read_text().splitlines()
                return [line for line in lines if "while polling" in line]

            async with asyncio.timeout(30):
                while len(warnings()) < 2:  # noqa: ASYNC110 - the child writes the file
                    await asyncio.sleep(0.2)
        finally:
            code = await stop_with(bot, signal.SIGTERM)
    assert code == 0
    text = log_path.read_text()
    assert "connected to Telegram as @glimmers_test_bot" in text
    assert "open https://t.me/glimmers_test_bot in Telegram and send /start" in text
    assert "Traceback" not in text
    assert all("WARNING bot: no answer from Telegram while polling (" in w for w in warnings())
    assert text.splitlines()[-1].endswith("INFO bot: stopped")


async def test_a_database_that_cannot_be_made_is_one_line_and_exit_1(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    (tmp_path / "data").write_text("a file where the database's folder should be")
    settings = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(tmp_path / "data" / "g.sqlite3"),
    }
    pipe = asyncio.subprocess.PIPE
    bot = await start_bot(cwd=tmp_path, settings=settings, stdout=pipe, stderr=pipe)
    out, err = await asyncio.wait_for(bot.communicate(), 60)
    assert bot.returncode == 1
    assert out == b""
    line = one_line(err.decode())
    assert line.startswith(f"glimmers-bot: cannot open the database {tmp_path / 'data'}")
    assert "writable" in line
