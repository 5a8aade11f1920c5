"""The suite is hermetic: a developer's `.env` and exported settings change nothing in it.

Every setting gets an odd but valid value, the kind that would quietly change what the bot
does if it leaked in (a stranger-only allow list, a key, another zone, a webhook).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.settings import Settings, load_settings
from bot.ui import texts
from sandbox.botapi import FakeTelegram
from storage.crypto import generate_key
from tests.conftest import running
from tests.processes import ROOT, one_line, run_bot

HOSTILE = {
    "TELEGRAM_BOT_TOKEN": "999999:hostile-token-from-a-developers-env",
    "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
    "DATABASE_PATH": "/nonexistent/hostile.sqlite3",
    "DEFAULT_TIMEZONE": "Pacific/Chatham",
    "LOG_LEVEL": "CRITICAL",
    "SUPPORT_MESSAGE": "Hostile support line",
    "TELEGRAM_MAX_MESSAGES_PER_SECOND": "0.5",
    "CHECKIN_GRACE_MINUTES": "0",
    "WEBHOOK_URL": "https://hostile.example.org/hook",
    "WEBHOOK_SECRET": "hostile-secret-hostile-secret-hostile",
    "WEBHOOK_LISTEN": "0.0.0.0",
    "WEBHOOK_PORT": "88",
    "ENCRYPTION_KEY": generate_key(),
    "ENCRYPTION_ALLOW_PLAIN": "true",
    "ALLOWED_USER_IDS": "999",
    "ADMIN_USER_IDS": "998",
    "TELEGRAM_TRANSPORT": "httpx",
    "TELEGRAM_PROXY_URL": "http://127.0.0.1:9",
}


def test_hostile_values_cover_every_setting() -> None:
    assert {name.upper() for name in Settings.model_fields} == set(HOSTILE)


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A `.env` in the working folder and the environment, both full of odd values."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    (folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in HOSTILE.items()))
    monkeypatch.chdir(folder)
    for name, value in HOSTILE.items():
        monkeypatch.setenv(name, value)
        monkeypatch.setenv(name.lower(), value)  # settings are read in any letter case


@pytest.mark.usefixtures("hostile")
async def test_a_hostile_env_file_and_environment_change_nothing(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running(fake, tmp_path) as bot:
        settings = bot.services.settings
        given = {"telegram_bot_token", "telegram_api_base_url", "database_path"}
        for name, field in Settings.model_fields.items():
            if name not in given:
                assert getattr(settings, name) == field.default, name
        # Someone not on the hostile allow list is answered, with the default support line.
        ida = fake.user(801, "Ida")
        await ida.send("/help")
        assert texts.SUPPORT_DEFAULT.split(",")[0] in (await ida.reply()).text
        await ida.send("a wren on the fence")
        assert (await ida.reply()).text == "Kept: “a wren on the fence” ✨"


@pytest.mark.usefixtures("hostile")
def test_the_real_process_gets_a_clean_environment(tmp_path: Path) -> None:
    # Had the hostile token leaked in, the bot would go on to start; it finds none.
    result = run_bot(cwd=tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is missing" in one_line(result.stderr)


def test_a_fresh_copy_of_env_example_asks_for_the_token(tmp_path: Path) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = run_bot(cwd=tmp_path)
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "TELEGRAM_BOT_TOKEN is missing" in line and "BotFather" in line
    assert "glimmers-bot try" in line  # the way to see it without a token


@pytest.mark.usefixtures("bare_environment")
def test_quotation_marks_docker_keeps_are_dropped() -> None:
    # `docker run --env-file .env` passes SUPPORT_MESSAGE="..." with its quotation marks.
    settings = load_settings(
        telegram_bot_token='"123456:AAEhBOweik6ad9r_QXMENQ"',
        support_message='"Ring us, any time"',
        default_timezone="'Asia/Tokyo'",
        webhook_url='""',
    )
    assert settings.telegram_bot_token.get_secret_value() == "123456:AAEhBOweik6ad9r_QXMENQ"
    assert settings.support_message == "Ring us, any time"
    assert settings.default_timezone == "Asia/Tokyo"
    assert settings.webhook_url is None
