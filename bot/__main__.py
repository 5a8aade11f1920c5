"""Command line: `glimmers-bot` (or `python -m bot`) runs the bot; subcommands are in bot/cli.py.

With WEBHOOK_URL set the bot serves Telegram's webhook; otherwise it long-polls. Starting,
running and stopping (one line per problem, Ctrl-C at any moment) are bot/lifecycle.py.
"""

from __future__ import annotations

import logging
import sys

from bot import cli
from bot.runtime.logs import configure_logging
from bot.settings import SettingsError, load_settings

log = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> None:
    try:
        args = cli.parse(argv)
        if args.command is not None:
            sys.exit(args.command(args))
        sys.exit(run_bot())
    except KeyboardInterrupt:  # Ctrl-C before the bot's own handling starts, or after it
        sys.exit(130)


def run_bot() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"glimmers-bot: {exc}", file=sys.stderr)
        return cli.EXIT_SETTINGS
    keys = cli.key_state(settings)
    refusal = keys.refusal(allow_plain=settings.encryption_allow_plain)
    if refusal is not None:
        print(f"glimmers-bot: {refusal}", file=sys.stderr)
        return cli.EXIT_SETTINGS
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
    from bot import lifecycle
    from bot.app import build_application

    try:
        app = build_application(settings)
    except (ValueError, RuntimeError) as exc:
        # httpx reads HTTPS_PROXY / ALL_PROXY when the app is built; a proxy it can't use
        # (an unknown scheme, socks without its extra) fails here. Anything else is a bug.
        proxy = lifecycle.proxy_for(settings.telegram_api_base_url)
        if proxy is None:
            raise
        print(f"glimmers-bot: the proxy in {proxy[0]} can't be used: {exc}", file=sys.stderr)
        return cli.EXIT_SETTINGS
    # Stops cleanly on Ctrl-C and SIGTERM, flushing persistence on the way out.
    return lifecycle.run(app, settings)


if __name__ == "__main__":
    main()
