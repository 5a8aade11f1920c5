"""`glimmers-bot check` and `glimmers-bot backup`, run as a person or a container would."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

from sandbox.botapi import FakeTelegram
from tests.dbfile import new_database, sqlite_file
from tests.processes import one_line, run_bot

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ra"


def glimmers_bot(
    *args: str, db_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    settings = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(db_path), **(env or {})}
    folder = next(folder for folder in db_path.parents if folder.is_dir())
    return run_bot(*args, cwd=folder, settings=settings)


def test_check_never_makes_a_database(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "glimmers.sqlite3"  # a mistyped path, say
    result = glimmers_bot("check", db_path=db_path)
    assert result.returncode == 1
    assert f"there is no database at {db_path}" in one_line(result.stderr)
    assert result.stdout == ""
    assert not db_path.parent.exists()


async def test_check_needs_no_token_and_never_calls_telegram(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db_path = tmp_path / "glimmers.sqlite3"
    await asyncio.to_thread(new_database, db_path)  # asyncio.run needs a thread of its own
    env = {"TELEGRAM_BOT_TOKEN": "", "TELEGRAM_API_BASE_URL": fake.base_url}
    result = glimmers_bot("check", db_path=db_path, env=env)
    assert result.returncode == 0, result.stderr
    line = one_line(result.stdout)
    assert line.startswith("ok: ") and "intact" in line
    assert "TELEGRAM_BOT_TOKEN is not set" in line
    assert result.stderr == ""
    with sqlite_file(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] >= 4
    assert fake.calls == []


def test_health_check_with_a_fresh_heartbeat(tmp_path: Path) -> None:
    db_path = tmp_path / "glimmers.sqlite3"
    new_database(db_path)
    (tmp_path / "glimmers.sqlite3-heartbeat").touch()
    result = glimmers_bot("check", "--running", db_path=db_path)
    assert result.returncode == 0, result.stderr
    assert "the bot heard from Telegram" in one_line(result.stdout)


def test_health_check_with_a_stale_or_missing_heartbeat_is_unhealthy(tmp_path: Path) -> None:
    db_path = tmp_path / "glimmers.sqlite3"
    new_database(db_path)
    missing = glimmers_bot("check", "--running", db_path=db_path)
    assert missing.returncode == 1
    assert "has not reached Telegram since it started" in one_line(missing.stderr)

    heartbeat = tmp_path / "glimmers.sqlite3-heartbeat"
    heartbeat.touch()
    ten_minutes_ago = time.time() - 10 * 60
    os.utime(heartbeat, (ten_minutes_ago, ten_minutes_ago))
    stale = glimmers_bot("check", "--running", db_path=db_path)
    assert stale.returncode == 1
    assert "has not reached Telegram for 10 minutes" in one_line(stale.stderr)


def test_backup_and_generate_key_need_no_token(tmp_path: Path) -> None:
    db_path = tmp_path / "glimmers.sqlite3"
    new_database(db_path)
    no_token = {"TELEGRAM_BOT_TOKEN": ""}
    copy = tmp_path / "copy.sqlite3"
    backup = glimmers_bot("backup", str(copy), db_path=db_path, env=no_token)
    assert backup.returncode == 0, backup.stderr
    assert copy.is_file()
    key = glimmers_bot("generate-key", db_path=db_path, env=no_token)
    assert key.returncode == 0, key.stderr
    assert len(one_line(key.stdout)) >= 40


def test_version(tmp_path: Path) -> None:
    result = glimmers_bot("--version", db_path=tmp_path / "g.sqlite3")
    assert result.returncode == 0
    assert re.fullmatch(r"glimmers-bot \d+\.\d+\.\d+\S*", one_line(result.stdout))


def test_check_with_bad_settings_exits_2_naming_the_setting(tmp_path: Path) -> None:
    result = glimmers_bot(
        "check", db_path=tmp_path / "g.sqlite3", env={"WEBHOOK_URL": "https://bot.example.org/x"}
    )
    assert result.returncode == 2
    assert "WEBHOOK_SECRET" in one_line(result.stderr)
    assert result.stdout == ""
    assert not (tmp_path / "g.sqlite3").exists()


def test_check_with_a_damaged_database_exits_1(tmp_path: Path) -> None:
    db_path = tmp_path / "g.sqlite3"
    db_path.write_bytes(b"this is not a database, just some bytes" * 200)
    result = glimmers_bot("check", db_path=db_path)
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert str(db_path) in line and "not a database" in line
    assert TOKEN not in result.stderr


def test_check_finds_a_corrupted_page(tmp_path: Path) -> None:
    db_path = tmp_path / "g.sqlite3"
    new_database(db_path)
    with sqlite_file(db_path) as db:
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("CREATE TABLE filler (x TEXT)")
        db.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 200)
        db.execute("CREATE INDEX filler_x ON filler (x)")
    with sqlite_file(db_path) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'filler_x'").fetchone()
    with db_path.open("r+b") as raw:  # scribble over the index's root page
        raw.seek((root[0] - 1) * page_size)
        raw.write(b"\xff" * page_size)
    result = glimmers_bot("check", db_path=db_path)
    assert result.returncode == 1, result.stdout
    assert str(db_path) in one_line(result.stderr)


def test_backup_while_another_connection_writes(tmp_path: Path) -> None:
    db_path = tmp_path / "g.sqlite3"
    new_database(db_path)
    # Like the running bot: WAL, autocommit, rows still in the write-ahead log, and a write
    # transaction open (not committed) while the backup runs.
    bot = sqlite3.connect(db_path, isolation_level=None)
    try:
        bot.execute("PRAGMA journal_mode = WAL")
        bot.execute("PRAGMA wal_autocheckpoint = 0")
        bot.execute("INSERT INTO users (id, first_seen_at) VALUES (7, '2025-01-01T00:00:00Z')")
        for n in range(50):
            bot.execute(
                "INSERT INTO glimmers (user_id, text, created_at, updated_at) "
                "VALUES (7, ?, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
                (f"glimmer {n}",),
            )
        assert Path(f"{db_path}-wal").stat().st_size > 0
        bot.execute("BEGIN IMMEDIATE")
        bot.execute(
            "INSERT INTO glimmers (user_id, text, created_at, updated_at) "
            "VALUES (7, 'not committed', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')"
        )
        copy = tmp_path / "backup.sqlite3"
        result = glimmers_bot("backup", str(copy), db_path=db_path)
        bot.execute("COMMIT")
    finally:
        bot.close()
    assert result.returncode == 0, result.stderr
    line = one_line(result.stdout)
    assert line.startswith("ok: ") and str(copy) in line
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # it holds what people wrote
    assert not list(tmp_path.glob("*.partial"))
    with sqlite_file(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        texts = [row[0] for row in db.execute("SELECT text FROM glimmers ORDER BY id")]
    assert texts == [f"glimmer {n}" for n in range(50)]


def test_backup_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    db_path = tmp_path / "g.sqlite3"
    new_database(db_path)
    copy = tmp_path / "backup.sqlite3"
    copy.write_bytes(b"an older backup")
    refused = glimmers_bot("backup", str(copy), db_path=db_path)
    assert refused.returncode == 1
    assert "--force" in one_line(refused.stderr)
    assert copy.read_bytes() == b"an older backup"

    forced = glimmers_bot("backup", "--force", str(copy), db_path=db_path)
    assert forced.returncode == 0, forced.stderr
    with sqlite_file(copy) as db:
        assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)


def test_backup_without_a_database_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    copy = tmp_path / "backup.sqlite3"
    result = glimmers_bot("backup", str(copy), db_path=tmp_path / "missing.sqlite3")
    assert result.returncode == 1
    assert "no database" in one_line(result.stderr)
    assert not copy.exists()
    assert not (tmp_path / "missing.sqlite3").exists()


def test_unknown_command_is_refused(tmp_path: Path) -> None:
    result = glimmers_bot("frobnicate", db_path=tmp_path / "g.sqlite3")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_check_warns_of_a_database_others_can_read_and_makes_it_private(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "glimmers.sqlite3"
    new_database(db_path)
    db_path.chmod(0o644)  # as versions before made it
    result = glimmers_bot("check", db_path=db_path)
    assert result.returncode == 0
    line = one_line(result.stdout)
    assert "warning: others could read" in line and f"{db_path} is 0644" in line
    assert db_path.stat().st_mode & 0o777 == 0o600
    assert "warning" not in one_line(glimmers_bot("check", db_path=db_path).stdout)
