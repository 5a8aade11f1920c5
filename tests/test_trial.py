"""`glimmers-bot try`'s chat page API, over HTTP, without a browser (test_trial_browser.py
drives the page itself): the chat, sending, pressing, the clock moved on, files."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.ui import language, texts
from bot.ui.language import speaking
from sandbox import trial


async def test_the_page_api_runs_a_whole_trial(tmp_path: Path) -> None:
    async with trial.running(tmp_path) as running:
        runner = web.AppRunner(trial.page_app(running), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as http:

                async def chat() -> list[dict[str, Any]]:
                    async with http.get(f"{base}/api/chat") as answer:
                        state = await answer.json()
                    messages: list[dict[str, Any]] = state["messages"]
                    return messages

                async def said(words: str) -> dict[str, Any]:
                    for _ in range(100):
                        found = [m for m in await chat() if words in m["text"]]
                        if found:
                            return found[-1]
                        await asyncio.sleep(0.1)
                    raise AssertionError(f"the bot never said {words!r}: {await chat()}")

                async with http.get(base) as page:
                    assert "Glimmers bot" in await page.text()
                await http.post(f"{base}/api/send", json={"text": "/start"})
                await said("Hello, and welcome.")
                await http.post(f"{base}/api/send", json={"text": "warm bread <b>smell</b>"})
                kept = await said("Kept:")
                assert kept["text"] == "Kept: “warm bread <b>smell</b>” ✨"  # shown, not run
                assert kept["buttons"][0][0]["text"] == texts.BUTTON_SAVOUR
                undo = kept["buttons"][0][2]
                async with http.post(
                    f"{base}/api/press", json={"message": kept["id"], "data": undo["data"]}
                ) as answer:
                    assert (await answer.json())["ok"] is True
                await said(texts.UNDONE_ONE)
                async with http.post(
                    f"{base}/api/press", json={"message": kept["id"], "data": "nonsense"}
                ) as answer:
                    assert (await answer.json())["ok"] is False
                async with http.post(f"{base}/api/time", json={"to": "checkin"}) as answer:
                    assert (await answer.json())["said"] == texts.TRIAL_CHECKIN_TIME
                for _ in range(100):
                    if any(m["text"] in texts.CHECKIN_PROMPTS for m in await chat()):
                        break
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError("no check-in came")
                async with http.post(f"{base}/api/time", json={"to": "yesterday"}) as answer:
                    assert answer.status == 400
                await http.post(f"{base}/api/send", json={"text": "/recap"})
                for _ in range(100):
                    photos = [m for m in await chat() if m.get("photo")]
                    if photos:
                        break
                    await asyncio.sleep(0.1)
                async with http.get(f"{base}/api/file/{photos[0]['id']}") as answer:
                    assert (await answer.read())[:8] == b"\x89PNG\r\n\x1a\n"
                async with http.get(f"{base}/api/file/999999") as answer:
                    assert answer.status == 404
                async with http.get(f"{base}/api/chat") as answer:
                    assert any(c["command"] == "glimmer" for c in (await answer.json())["commands"])
        finally:
            await runner.cleanup()
    assert running.fake.rejections == []


async def test_a_trial_in_another_language_speaks_it_from_the_start(tmp_path: Path) -> None:
    """`glimmers-bot try --language ru`: the person's Telegram reports Russian."""
    async with trial.running(tmp_path, "ru") as running:
        await running.person.send("/start")
        welcome = await running.person.reply()
        with speaking("ru"):
            assert welcome.text == texts.WELCOME.replace("<b>", "").replace("</b>", "")
            menu = [line["description"] for line in running.command_menu()]
            assert menu == list(texts.COMMAND_MENU.values())
        said = await running.travel("checkin")  # the page's pop-up, in the person's language
        assert said == language.in_language("ru", lambda: texts.TRIAL_CHECKIN_TIME)
    assert running.fake.rejections == []
