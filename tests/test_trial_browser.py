"""`glimmers-bot try` in a real browser: headless Chromium drives the chat page through a
trial of the real bot (sandbox/trial.py), as a person would: send a line, see "Kept", savour
it with the clock moved past the pause, open /recap and its chart, and download /export.

The browser is driven over the Chrome DevTools Protocol with aiohttp's WebSocket client (no
driver to download). Needs Chromium (Debian's `chromium` package; `.ci/run` installs it);
without one the test is skipped and says so. With GLIMMERS_SCREENSHOTS=<folder> it also
saves the README's screenshots there.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.ui import texts
from sandbox import trial

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
BROWSER = next((path for name in BROWSERS if (path := shutil.which(name))), None)

pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium here (apt-get install chromium); .ci/run installs it"
)


class Page:
    """One browser tab, driven over the DevTools Protocol."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self._socket = socket
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        await self._socket.send_json({"id": number, "method": method, "params": params})
        while True:
            message = await self._socket.receive_json(timeout=30)
            if message.get("id") == number:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    async def run(self, script: str) -> Any:
        """Evaluate JavaScript in the page (promises awaited); its value."""
        result = await self.call(
            "Runtime.evaluate", expression=script, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"the page's script failed: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    async def until(self, script: str, timeout: float = 20.0) -> Any:  # noqa: ASYNC109
        """Wait until the script's value is truthy; that value."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = await self.run(script)
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                last = await self.run(
                    "[...document.querySelectorAll('.msg')].slice(-3).map(m => m.textContent)"
                )
                raise AssertionError(f"the page never showed: {script}; it shows {last}")
            await asyncio.sleep(0.2)

    async def say(self, text: str) -> None:
        await self.run(
            f"document.getElementById('text').value = {json.dumps(text)};"
            "document.getElementById('send').requestSubmit();"
        )

    async def press(self, label: str) -> None:
        """Press the newest button with this label, as a finger would."""
        await self.until("!!" + _find_button(label))
        await self.run(_find_button(label) + ".click()")

    async def screenshot(self, path: Path) -> None:
        shot = await self.call("Page.captureScreenshot", format="png")
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))


def _find_button(label: str) -> str:
    return (
        "[...document.querySelectorAll('.keys button')]"
        f".filter(b => b.textContent === {json.dumps(label)}).pop()"
    )


def _bot_says(words: str) -> str:
    return (
        "[...document.querySelectorAll('.msg.bot')]"
        f".some(m => m.textContent.includes({json.dumps(words)}))"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def browser(url: str, folder: Path) -> AsyncIterator[Page]:
    assert BROWSER is not None
    profile = folder / "profile"
    process = await asyncio.create_subprocess_exec(
        BROWSER,
        "--headless",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        "--window-size=480,900",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        url,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(200):
            if port_file.exists() and port_file.read_text().count("\n") >= 1:
                break
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                async with session.get(f"http://127.0.0.1:{port}/json/list") as answer:
                    tabs = [t for t in await answer.json() if t.get("type") == "page"]
                if tabs:
                    break
                await asyncio.sleep(0.1)
            async with session.ws_connect(tabs[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                yield Page(ws)
    finally:
        process.kill()
        await process.wait()


async def test_a_trial_in_the_browser_keeps_savours_recaps_and_exports(tmp_path: Path) -> None:
    async with trial.running(tmp_path) as running:
        runner = web.AppRunner(trial.page_app(running), access_log=None)
        await runner.setup()
        port = _free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            async with browser(f"http://127.0.0.1:{port}/", tmp_path) as page:
                await page.until("!!document.getElementById('text')")
                await page.say("/start")
                await page.until(_bot_says("Hello, and welcome."))
                await page.say("the smell of rain on warm stone")
                await page.until(_bot_says("Kept: “the smell of rain on warm stone”"))
                shots = os.environ.get("GLIMMERS_SCREENSHOTS")
                if shots:
                    await page.screenshot(Path(shots) / "trial-chat.png")
                await page.press(texts.BUTTON_SAVOUR)
                await page.press(texts.LADDER_LABELS["mobilised"])
                await page.press(texts.BUTTON_BEGIN.format(seconds=20))
                await page.until(_bot_says("Stay with it now."))
                await page.run("document.querySelector(\"[data-to='pause']\").click()")
                await page.until(_bot_says(texts.ASK_LANDED))
                await page.press("4")
                await page.say("/recap")
                await page.until(
                    "[...document.querySelectorAll('.msg.bot img')]"
                    ".some(i => i.complete && i.naturalWidth >= 800)"
                )
                if shots:
                    await page.screenshot(Path(shots) / "trial-recap.png")
                await page.say("/export")
                href = await page.until(
                    "(document.querySelector('.msg.bot a.file[download$=\".json\"]') || {}).href"
                )
                exported = await page.run(f"fetch({json.dumps(href)}).then(r => r.text())")
                assert (
                    "the smell of rain on warm stone" in json.loads(exported)["glimmers"][0]["text"]
                )
                # The command menu the bot registered, from the "/" button.
                await page.run("document.getElementById('menu-button').click()")
                assert await page.until("document.getElementById('menu').textContent")
        finally:
            await runner.cleanup()
    assert running.fake.rejections == []
