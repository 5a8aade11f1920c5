"""Command line: `glimmers-bot` (or `python -m bot`) runs the bot; subcommands are in bot/cli.py.

With WEBHOOK_URL set the bot serves Telegram's webhook; otherwise it long-polls.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from bot import cli
from bot.runtime.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> None:
    args = cli.parse(argv)
    if args.command is not None:
        sys.exit(args.command(args))
    run_bot()


def run_bot() -> None:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"glimmers-bot: {exc}", file=sys.stderr)
        sys.exit(cli.EXIT_SETTINGS)
    keys = cli.key_state(settings)
    refusal = keys.refusal(allow_plain=settings.encryption_allow_plain)
    if refusal is not None:
        print(f"glimmers-bot: {refusal}", file=sys.stderr)
        sys.exit(cli.EXIT_SETTINGS)
    configure_logging(settings.log_level_number, secrets=settings.secrets)
    if keys.plain:
        log.warning(
            "ENCRYPTION_KEY is set but %d glimmers are still plain text; stop the bot and run "
            "glimmers-bot rotate-key to seal them",
            keys.plain,
        )
    # The database runs on aiosqlite's thread; when its answer is ready, hand it the
    # interpreter sooner than the default 5 ms. Measured with bench/quicklog.py: about 5%
    # more replies per second under load, no change when quiet.
    sys.setswitchinterval(0.0005)
    # Imported here so `glimmers-bot check`, run every minute as a health check, stays light.
    from telegram import Update

    from bot.app import build_application

    log.info("starting; database at %s", settings.database_path)
    app = build_application(settings)
    # Both run_* methods stop cleanly on Ctrl-C and SIGTERM, flushing persistence on the way out.
    if settings.webhook_url:
        run_webhook(app, settings)
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    log.info("stopped")


def run_webhook(app: Application[Any, Any, Any, Any, Any, Any], settings: Settings) -> None:
    from telegram import Update

    assert settings.webhook_url is not None and settings.webhook_secret is not None
    log.info(
        "webhook mode: listening on %s:%d at /%s",
        settings.webhook_listen,
        settings.webhook_port,
        settings.webhook_path,
    )
    # url_path is WEBHOOK_URL's own path, so a reverse proxy forwards the path unchanged.
    # PTB answers 403 to a request without the right X-Telegram-Bot-Api-Secret-Token.
    app.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=settings.webhook_path,
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=Update.ALL_TYPES,
        drop_pending_updates=False,
    )


if __name__ == "__main__":
    main()
