"""`glimmers-bot` subcommands: `check` (a container health check), `backup PATH`,
`generate-key` and `rotate-key` (encryption at rest), and `--version`.

Each subcommand is a `Command` in `COMMANDS`: a name, a one-line help, a function that runs
it (returning the text after "ok: ", or raising `CommandError`) and, if it takes any, a
function that adds its arguments. To add one, write those functions and append a `Command`.
No subcommand at all runs the bot (bot/__main__.py).

Every subcommand prints one line: "ok: ..." on stdout, or the problem on stderr, and exits
0 (ok), 1 (`EXIT_FAILED`: the database or the files) or 2 (`EXIT_SETTINGS`: bad settings).
None of them talks to Telegram, so none needs the token.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from bot.runtime.heartbeat import STALE_AFTER, Heartbeat
from bot.settings import Settings, SettingsError, load_settings
from bot.ui.language import ENGLISH, LANGUAGES
from storage import maintenance
from storage.crypto import PLAIN, SealError, TextBox, decode_key, generate_key

PROG = "glimmers-bot"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_SETTINGS = 2


class CommandError(Exception):
    """A problem to report in one line; `code` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Callable[[argparse.Namespace], str]
    """Does the work and returns the text after "ok: "; raises CommandError on a problem."""
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None
    bare: bool = False
    """Print the result alone, without "ok: " (for output meant for other programs)."""

    def __call__(self, args: argparse.Namespace) -> int:
        try:
            result = self.run(args)
            print(result if self.bare else f"ok: {result}")
        except CommandError as exc:
            print(f"{PROG} {self.name}: {exc}", file=sys.stderr)
            return exc.code
        return EXIT_OK


def settings_or_exit() -> Settings:
    """The settings, for a subcommand: none of them talks to Telegram, so none needs the
    token (a token that is set must still look like one)."""
    try:
        return load_settings(require_token=False)
    except SettingsError as exc:
        raise CommandError(str(exc), EXIT_SETTINGS) from None


# -- check ------------------------------------------------------------------------------------


def check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--running",
        action="store_true",
        help="also require that the running bot heard from Telegram in the last "
        f"{int(STALE_AFTER.total_seconds() // 60)} minutes (its heartbeat file)",
    )


def check(args: argparse.Namespace) -> str:
    settings = settings_or_exit()
    path = settings.database_path
    # Never creates one: a health check that made an empty database at a mistyped path
    # would call it intact. The bot makes it on its first start.
    if not path.is_file():
        raise CommandError(
            f"there is no database at {path}; the bot makes it when it first starts "
            "(check DATABASE_PATH)"
        )
    loose = maintenance.loose_permissions(path)  # before opening, which tightens them
    try:
        version, verdict = asyncio.run(maintenance.integrity(path))
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        raise CommandError(f"database {path}: {_one_line(exc)}") from None
    if verdict != "ok":
        raise CommandError(f"database {path} failed quick_check: {_one_line(verdict)}")
    keys = key_state(settings)
    if keys.problem is not None:
        raise CommandError(keys.problem, EXIT_SETTINGS)
    if keys.plain:
        raise CommandError(
            f"{keys.plain} glimmers are still stored as plain text: stop the bot and run "
            "glimmers-bot rotate-key (ENCRYPTION_KEY empty, NEW_ENCRYPTION_KEY the key)"
        )
    mode = "webhook" if settings.webhook_url else "polling"
    note = f"; warning: others could read {', '.join(loose)} (now made private)" if loose else ""
    found = (
        f"settings valid ({mode} mode); database {path} at schema version {version}, intact{note}"
    )
    if args.running:
        return f"{found}; {_heard_from_telegram(Heartbeat(path))}"
    if not settings.telegram_bot_token.get_secret_value():
        found += "; TELEGRAM_BOT_TOKEN is not set (the bot itself needs it)"
    return found


def _heard_from_telegram(heartbeat: Heartbeat) -> str:
    age = heartbeat.age()
    if age is None:
        raise CommandError(
            f"the bot has not reached Telegram since it started (no {heartbeat.path}); see its log"
        )
    if age > STALE_AFTER:
        raise CommandError(
            f"the bot has not reached Telegram for {int(age.total_seconds() // 60)} minutes "
            f"({heartbeat.path}); see its log"
        )
    return f"the bot heard from Telegram {int(age.total_seconds())} s ago"


# -- backup -----------------------------------------------------------------------------------


def backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="where to write the copy")
    parser.add_argument("--force", action="store_true", help="overwrite PATH if it exists")


def backup(args: argparse.Namespace) -> str:
    source = settings_or_exit().database_path
    target: Path = args.path
    if not source.is_file():
        raise CommandError(f"there is no database at {source}")
    if target.exists() and not args.force:
        raise CommandError(f"{target} already exists; pass --force to overwrite it")
    if not target.parent.is_dir():
        raise CommandError(f"the folder {target.parent} does not exist")
    if target.exists() and target.resolve() == source.resolve():
        raise CommandError(f"{target} is the database itself")
    # Write beside the target, then rename: a failed backup never leaves half a file at PATH.
    partial = target.with_name(f".{target.name}.partial")
    try:
        pages = maintenance.backup_copy(source, partial)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise CommandError(f"backup of {source} to {target} failed: {_one_line(exc)}") from None
    size = target.stat().st_size
    return f"backed up {source} to {target} ({pages} pages, {size // 1024} KiB)"


# -- encryption keys ---------------------------------------------------------------------------


def key_state(settings: Settings) -> maintenance.KeyState:
    return maintenance.key_state(settings.database_path, settings.text_box)


def generate(args: argparse.Namespace) -> str:
    return generate_key()


def rotate(args: argparse.Namespace) -> str:
    """Re-seal every stored text from ENCRYPTION_KEY (or plain text) to NEW_ENCRYPTION_KEY
    (or plain text). Batch by batch, each committed: interrupted, a rerun finishes the job."""
    settings = settings_or_exit()
    new_text = os.environ.get("NEW_ENCRYPTION_KEY", "").strip()
    try:
        new = TextBox(decode_key(new_text)) if new_text else PLAIN
    except ValueError as exc:
        raise CommandError(
            f"Setting NEW_ENCRYPTION_KEY is malformed: {exc}", EXIT_SETTINGS
        ) from None
    old = settings.text_box
    if old.key_id == new.key_id:
        raise CommandError(
            "ENCRYPTION_KEY and NEW_ENCRYPTION_KEY are the same; set NEW_ENCRYPTION_KEY to the "
            "new key (from glimmers-bot generate-key), or empty to decrypt",
            EXIT_SETTINGS,
        )
    path = settings.database_path
    if not path.is_file():
        raise CommandError(f"there is no database at {path}")
    try:
        changed = maintenance.reseal(path, old, new)
    except SealError as exc:
        raise CommandError(f"stopped, nothing lost: {exc}") from None
    except sqlite3.Error as exc:
        raise CommandError(f"stopped, nothing lost: {_one_line(exc)}") from None
    after = "set ENCRYPTION_KEY to the new key" if new.encrypts else "unset ENCRYPTION_KEY"
    return f"re-sealed {changed} values in {path}; now {after} and start the bot"


def try_it(args: argparse.Namespace) -> str:
    # Imported here: the trial's web page and stand-in are no part of a running bot.
    from sandbox import trial

    try:
        asyncio.run(
            trial.serve(args.port, open_browser=not args.no_browser, language=args.language)
        )
    except OSError as exc:
        raise CommandError(
            f"cannot serve the chat page on port {args.port} ({exc.strerror or exc}); "
            "try another with --port"
        ) from None
    return "the trial has ended; nothing of it was kept"


def try_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8080, help="the chat page's port (8080)")
    parser.add_argument(
        "--no-browser", action="store_true", help="print the page's address, open no browser"
    )
    parser.add_argument(
        "--language",
        choices=sorted(LANGUAGES),
        default=ENGLISH,
        help="the language your Telegram would report, so the bot starts in it (en)",
    )


# -- the parser -------------------------------------------------------------------------------

COMMANDS: list[Command] = [
    Command(
        "try",
        "try the bot in a chat page on this machine: no token, no network, a database of its "
        "own that is gone afterwards",
        try_it,
        try_arguments,
    ),
    Command(
        "check",
        "check the settings and the database (migrating it, never creating it), then exit; "
        "with --running, also that the bot is in touch with Telegram (for health checks)",
        check,
        check_arguments,
    ),
    Command(
        "backup",
        "write a consistent copy of the database to PATH, even while the bot runs",
        backup,
        backup_arguments,
    ),
    Command(
        "generate-key",
        "print a new random key for ENCRYPTION_KEY",
        generate,
        bare=True,
    ),
    Command(
        "rotate-key",
        "with the bot stopped: re-encrypt all stored text from ENCRYPTION_KEY to "
        "NEW_ENCRYPTION_KEY (either may be empty: plain text)",
        rotate,
    ),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The glimmers Telegram bot. Without a command, runs the bot.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version(PROG)}")
    parser.set_defaults(command=None)
    subcommands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for command in COMMANDS:
        sub = subcommands.add_parser(command.name, help=command.help, description=command.help)
        command.arguments(sub)
        sub.set_defaults(command=command)
    return parser


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def _one_line(problem: object) -> str:
    return " ".join(str(problem).split())
