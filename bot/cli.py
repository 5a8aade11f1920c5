"""`glimmers-bot` subcommands: `check` (a container health check) and `backup PATH`.

Each subcommand is a `Command` in `COMMANDS`: a name, a one-line help, a function that runs
it (returning the text after "ok: ", or raising `CommandError`) and, if it takes any, a
function that adds its arguments. To add one, write those functions and append a `Command`.
No subcommand at all runs the bot (bot/__main__.py).

Every subcommand prints one line: "ok: ..." on stdout, or the problem on stderr, and exits
0 (ok), 1 (`EXIT_FAILED`: the database or the files) or 2 (`EXIT_SETTINGS`: bad settings).
None of them talks to Telegram.
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
from pathlib import Path

from bot.settings import Settings, SettingsError, load_settings
from storage.db import Database

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

    def __call__(self, args: argparse.Namespace) -> int:
        try:
            print(f"ok: {self.run(args)}")
        except CommandError as exc:
            print(f"{PROG} {self.name}: {exc}", file=sys.stderr)
            return exc.code
        return EXIT_OK


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise CommandError(str(exc), EXIT_SETTINGS) from None


# -- check ------------------------------------------------------------------------------------


def check(args: argparse.Namespace) -> str:
    settings = settings_or_exit()
    path = settings.database_path
    try:
        version, verdict = asyncio.run(_check_database(path))
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        raise CommandError(f"database {path}: {_one_line(exc)}") from None
    if verdict != "ok":
        raise CommandError(f"database {path} failed quick_check: {_one_line(verdict)}")
    mode = "webhook" if settings.webhook_url else "polling"
    return f"settings valid ({mode} mode); database {path} at schema version {version}, intact"


async def _check_database(path: Path) -> tuple[int, str]:
    """Open (and so migrate) the database the way the bot does, then PRAGMA quick_check."""
    db = Database(path)
    await db.open()
    try:
        rows = await db.fetchall("PRAGMA quick_check")
        verdict = "; ".join(str(row[0]) for row in rows)
        return await db.schema_version(), verdict
    finally:
        await db.close()


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
        pages = _copy(source, partial)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise CommandError(f"backup of {source} to {target} failed: {_one_line(exc)}") from None
    size = target.stat().st_size
    return f"backed up {source} to {target} ({pages} pages, {size // 1024} KiB)"


def _copy(source: Path, partial: Path) -> int:
    """SQLite's online backup: a consistent snapshot while the bot keeps writing (WAL)."""
    partial.unlink(missing_ok=True)
    # Only its owner may read the copy: it holds what people wrote.
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    # mode=rw: never creates a file; nothing is written through this connection.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True)
    try:
        src.execute("PRAGMA busy_timeout = 5000")
        dst = sqlite3.connect(partial)
        try:
            # pages=-1 (the default): one step under one read transaction, so the copy is
            # one moment of the database, and writers (WAL) are never held up.
            src.backup(dst)
            # A single self-contained file, checked before it replaces anything.
            dst.execute("PRAGMA journal_mode = DELETE")
            verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"the copy failed quick_check: {verdict}")
            return int(dst.execute("PRAGMA page_count").fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()


# -- the parser -------------------------------------------------------------------------------

COMMANDS: list[Command] = [
    Command(
        "check",
        "check the settings and the database (migrating it), then exit; for health checks",
        check,
    ),
    Command(
        "backup",
        "write a consistent copy of the database to PATH, even while the bot runs",
        backup,
        backup_arguments,
    ),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The glimmers Telegram bot. Without a command, runs the bot.",
    )
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
