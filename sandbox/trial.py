"""`glimmers-bot try`: the real bot in a chat page, with no token and no network.

The same Application, handlers, storage and scheduler as `glimmers-bot`, long-polling the Bot
API stand-in (sandbox/botapi.py) on 127.0.0.1, with a database of its own in a temporary
folder (so a trial never touches a real one; it is gone when the trial ends). The chat page
(sandbox/page/index.html) is served on http://127.0.0.1:8080 and talks to a small JSON API
here: what the chat holds, sending a message, pressing a button, fetching a chart or a file,
and moving the clock on (to the end of the savouring pause, this evening's check-in, or
Sunday's recap) so the scheduled parts can be seen in a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import tempfile
import webbrowser
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web
from telegram.ext import Application

from bot import lifecycle
from bot.app import build_application
from bot.domain.clock import ShiftedClock
from bot.runtime.services import Timing, services_of
from bot.settings import load_settings
from bot.ui import texts
from bot.ui.language import ENGLISH, speak
from handlers.checkin import run_tick
from handlers.common import follow_up_job
from sandbox.botapi import FakeTelegram, FakeUser
from sandbox.botapi.common import JsonDict

log = logging.getLogger("bot.trial")

PERSON = 424242  # the person trying the bot: one private chat
PERSON_NAME = "You"
MOST_TEXT = 4096
TIMES = ("pause", "checkin", "recap")


@dataclass
class Trial:
    """A running trial: the stand-in, the bot against it, and the person at the page."""

    fake: FakeTelegram
    app: Application[Any, Any, Any, Any, Any, Any]
    clock: ShiftedClock
    person: FakeUser
    language: str = ENGLISH  # the language the person's Telegram reports

    async def speak(self) -> None:
        """The page's own pop-ups in the person's language: as chosen, or as reported."""
        speak(await services_of(self.app).users.language(user_id=PERSON) or self.language)

    def command_menu(self) -> list[JsonDict]:
        """The menu Telegram would show this person: their chat's own (after /language),
        else the one for their app's language, else everyone's."""
        fake = self.fake
        return (
            fake.command_menu(scope={"type": "chat", "chat_id": PERSON})
            or fake.command_menu(language_code=self.language)
            or fake.command_menu()
        )

    async def travel(self, to: str) -> str:
        """Move the clock on to a scheduled moment and let it happen; what the page says."""
        svc = services_of(self.app)
        await self.speak()
        if to == "pause":
            assert self.app.job_queue is not None
            due = self.app.job_queue.get_jobs_by_name(follow_up_job(PERSON))
            for job in due:
                job.schedule_removal()
                await job.run(self.app)
            return texts.TRIAL_PAUSE_OVER if due else texts.TRIAL_NO_PAUSE
        user = await svc.users.get(user_id=PERSON)
        moment = None
        if user is not None:
            moment = user.next_checkin_at if to == "checkin" else user.next_recap_at
        if moment is None:
            return texts.TRIAL_NOTHING_SCHEDULED
        self.clock.move_to(moment + timedelta(seconds=1))
        await run_tick(self.app)
        return texts.TRIAL_CHECKIN_TIME if to == "checkin" else texts.TRIAL_RECAP_TIME


def page_app(trial: Trial) -> web.Application:
    """The chat page and its JSON API."""
    app = web.Application(client_max_size=64 * 1024)
    page = resources.files("sandbox").joinpath("page/index.html").read_bytes()

    async def index(request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    async def chat(request: web.Request) -> web.Response:
        commands = [
            {"command": c.get("command"), "description": c.get("description")}
            for c in trial.command_menu()
        ]
        return web.json_response({"messages": trial.person.transcript(), "commands": commands})

    async def send(request: web.Request) -> web.Response:
        text = str((await _body(request)).get("text", "")).strip()[:MOST_TEXT]
        if text:
            await trial.person.send(text)
        return web.json_response({"ok": True})

    async def press(request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            query = await trial.person.press(int(body["message"]), str(body["data"]))
        except (AssertionError, KeyError, ValueError):
            await trial.speak()
            return web.json_response({"ok": False, "popup": texts.TRIAL_BUTTON_GONE})
        try:
            popup = await trial.person.answer_to(query)
        except AssertionError:
            popup = ""
        return web.json_response({"ok": True, "popup": popup})

    async def file(request: web.Request) -> web.Response:
        found = trial.person.file_of(int(request.match_info["message"]))
        if found is None:
            raise web.HTTPNotFound()
        data, name = found
        kind = "image/png" if name.endswith(".png") else "application/octet-stream"
        disposition = "inline" if kind == "image/png" else f'attachment; filename="{name}"'
        return web.Response(
            body=data, content_type=kind, headers={"Content-Disposition": disposition}
        )

    async def travel(request: web.Request) -> web.Response:
        to = str((await _body(request)).get("to", ""))
        if to not in TIMES:
            raise web.HTTPBadRequest()
        return web.json_response({"ok": True, "said": await trial.travel(to)})

    app.router.add_get("/", index)
    app.router.add_get("/api/chat", chat)
    app.router.add_post("/api/send", send)
    app.router.add_post("/api/press", press)
    app.router.add_get(r"/api/file/{message:\d+}", file)
    app.router.add_post("/api/time", travel)
    return app


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest() from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest()
    return body


@contextlib.asynccontextmanager
async def running(folder: Path, language: str = ENGLISH) -> Any:
    """The stand-in and the bot, started; stopped on the way out."""
    fake = FakeTelegram()
    await fake.start()
    clock = ShiftedClock()
    settings = load_settings(
        read_environment=False,
        telegram_bot_token=fake.token,
        telegram_api_base_url=fake.base_url,
        database_path=folder / "trial.sqlite3",
    )
    app = build_application(settings, clock=clock, timing=Timing())
    started = False
    try:
        # Started and stopped as `glimmers-bot` starts and stops (bot/lifecycle.py).
        await lifecycle.connect(app, settings)
        started = True
        if app.post_init:
            await app.post_init(app)
        await lifecycle.start_updates(app, settings)
        await app.start()
        person = fake.user(PERSON, PERSON_NAME, language_code=language)
        yield Trial(fake, app, clock, person, language)
    finally:
        await lifecycle.stop(app, started)
        await fake.stop()


async def serve(port: int, open_browser: bool, language: str = ENGLISH) -> None:
    """Run the trial until Ctrl-C or SIGTERM. OSError: the port can't be had."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    with tempfile.TemporaryDirectory(prefix="glimmers-try-") as folder:
        async with running(Path(folder), language) as trial:
            runner = web.AppRunner(page_app(trial), access_log=None)
            await runner.setup()
            try:
                await web.TCPSite(runner, "127.0.0.1", port).start()
            except OSError:
                await runner.cleanup()
                raise
            url = f"http://127.0.0.1:{port}"
            print(f"The glimmers bot is running in a trial at {url} (Ctrl-C to stop).")
            print("No token, no network: nothing leaves this machine.")
            if open_browser:
                webbrowser.open(url)
            try:
                await stop.wait()
            finally:
                await runner.cleanup()
