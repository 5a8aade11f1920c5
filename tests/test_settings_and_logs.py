"""Start-up settings (one line, exit code 2) and the token-redacting log filter."""

import asyncio
import logging
import sys
import threading
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime.logs import REDACTED, RedactTokens, configure_logging
from bot.settings import SettingsError, load_settings
from tests.processes import ROOT, run_bot

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ra"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "ftp://x"},
            "TELEGRAM_API_BASE_URL",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_MAX_MESSAGES_PER_SECOND": "lots"},
            "TELEGRAM_MAX_MESSAGES_PER_SECOND",
        ),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "http://bot.example.org/u"}, "WEBHOOK_URL"),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.org:9000/u"},
            "WEBHOOK_URL",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.org/u"},
            "WEBHOOK_SECRET",
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "WEBHOOK_URL": "https://bot.example.org/u",
                "WEBHOOK_SECRET": "has spaces and !",
            },
            "WEBHOOK_SECRET",
        ),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_PORT": "70000"}, "WEBHOOK_PORT"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_LISTEN": "everywhere"}, "WEBHOOK_LISTEN"),
    ],
)
def test_bad_settings_exit_2_with_one_line_naming_the_setting(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = run_bot(cwd=tmp_path, settings=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr


def test_settings_read_dotenv_from_the_working_directory(bare_environment: Path) -> None:
    dotenv = f"TELEGRAM_BOT_TOKEN={TOKEN}\nDEFAULT_TIMEZONE=Asia/Tokyo\n"
    (bare_environment / ".env").write_text(dotenv)
    settings = load_settings()
    assert settings.telegram_bot_token.get_secret_value() == TOKEN
    assert settings.default_timezone == "Asia/Tokyo"
    assert settings.database_path == Path("data/glimmers.sqlite3")
    assert settings.log_level == "INFO"
    assert TOKEN not in repr(settings)


def test_missing_token_is_a_settings_error(bare_environment: Path) -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN is missing"):
        load_settings()


LONG = "a-long-random-webhook-secret_0123456789"


def test_webhook_settings(bare_environment: Path) -> None:
    polling = load_settings(telegram_bot_token=TOKEN, webhook_url="", webhook_secret="")
    assert polling.webhook_url is None and polling.webhook_secret is None
    # This machine only, unless told otherwise (the Docker image says 0.0.0.0).
    assert (polling.webhook_listen, polling.webhook_port) == ("127.0.0.1", 8443)
    secret = "s3cret_-" * 32  # 256 characters, Telegram's longest
    hook = load_settings(
        telegram_bot_token=TOKEN,
        webhook_url="https://bot.example.org/telegram/updates",
        webhook_secret=secret,
    )
    assert hook.webhook_path == "telegram/updates"
    assert hook.secrets == (TOKEN, secret)
    assert secret not in repr(hook)
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET is malformed"):
        load_settings(
            telegram_bot_token=TOKEN,
            webhook_url="https://b.example.org/",
            webhook_secret=secret + "x",
        )
    # Plain http only for a loopback address: a local Bot API server, or the tests' fake.
    local = load_settings(
        telegram_bot_token=TOKEN, webhook_url="http://127.0.0.1:9999/hook", webhook_secret=LONG
    )
    assert local.webhook_path == "hook"
    # A guessable secret is refused, and the message says how to make a good one.
    for short in ("s", "a" * 31):
        with pytest.raises(SettingsError, match=r"32-256 characters.*secrets\.token_urlsafe"):
            load_settings(
                telegram_bot_token=TOKEN, webhook_url="https://b.example.org/", webhook_secret=short
            )


def test_the_token_travels_in_the_clear_only_to_this_machine(bare_environment: Path) -> None:
    for remote in ("http://api.example.org/bot", "http://10.0.0.5:8081/bot", "http://[::ffff:1]/b"):
        with pytest.raises(SettingsError, match=r"TELEGRAM_API_BASE_URL .*must be https://"):
            load_settings(telegram_bot_token=TOKEN, telegram_api_base_url=remote)
    for local in ("http://127.0.0.1:8081/bot", "http://localhost:8081/bot", "http://[::1]/bot"):
        assert load_settings(telegram_bot_token=TOKEN, telegram_api_base_url=local)
    assert load_settings(telegram_bot_token=TOKEN, telegram_api_base_url="https://tg.example/bot")


def test_every_setting_is_documented_in_env_example() -> None:
    example = (ROOT / ".env.example").read_text()
    from bot.settings import Settings

    for name in Settings.model_fields:
        # Set, or shown commented out (where setting it would override the Docker image's).
        assert f"\n{name.upper()}=" in example or f"\n# {name.upper()}=" in example, name


def make_record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("t", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_redaction_covers_message_arguments_and_tracebacks() -> None:
    redactor = RedactTokens()
    record = make_record("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    redactor.filter(record)
    assert TOKEN not in record.getMessage() and REDACTED in record.getMessage()

    try:
        raise RuntimeError(f"failed at /bot{TOKEN}/sendMessage")
    except RuntimeError as exc:
        record = make_record("boom", exc=exc)
    redactor.filter(record)
    formatted = logging.Formatter().format(record)
    assert "RuntimeError" in formatted
    assert TOKEN not in formatted and REDACTED in formatted


def test_configured_secret_is_redacted_even_if_oddly_shaped() -> None:
    redactor = RedactTokens(secrets=("short:secret",))
    record = make_record("token is short:secret")
    redactor.filter(record)
    assert "short:secret" not in record.getMessage()


async def test_a_tick_still_running_is_skipped_without_a_warning_each_minute() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    captured: list[str] = []
    skipped: list[object] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(record.getMessage())

    configure_logging(logging.INFO)
    root.addHandler(Capture())
    scheduler = AsyncIOScheduler()
    scheduler.add_listener(skipped.append, EVENT_JOB_MAX_INSTANCES)

    async def long_tick() -> None:
        await asyncio.sleep(0.5)

    scheduler.add_job(long_tick, "interval", seconds=0.05, max_instances=1, name="checkin-tick")
    scheduler.start()
    try:
        for _ in range(100):
            if len(skipped) >= 2:
                break
            await asyncio.sleep(0.05)
    finally:
        scheduler.shutdown(wait=False)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    assert len(skipped) >= 2  # the overlap really happened
    assert not [line for line in captured if "maximum number of running" in line], captured


def test_an_uncaught_error_is_logged_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level, sys.excepthook, threading.excepthook
    try:
        configure_logging(logging.INFO, secrets=("odd-secret",))
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected; odd-secret")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        root.handlers[:], level, sys.excepthook, threading.excepthook = saved
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "CRITICAL bot: uncaught error" in err and "RuntimeError" in err
    assert TOKEN not in err and "odd-secret" not in err
