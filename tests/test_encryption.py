"""Encryption at rest: what people write is unreadable in the file, readable in the chat;
a wrong key stops start-up in one line; keys can be rotated, and a rerun finishes the job."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.ui import texts
from sandbox.botapi import FakeTelegram
from storage import maintenance
from storage.crypto import PLAIN, Place, SealError, TextBox, decode_key, generate_key, key_id_of
from tests.conftest import BotRunner
from tests.dbfile import new_database, sqlite_file
from tests.test_cli import glimmers_bot, one_line
from tests.test_e2e_privacy import file_bytes

MARKER = "wombat-marker-9c2e"
KEY_A, KEY_B = generate_key(), generate_key()


def box(key: str) -> TextBox:
    return TextBox(decode_key(key))


def legacy_seal(key: str, text: str, user_id: int) -> str:
    """A value as sealed before values were bound to their row (enc1: the owner only)."""
    nonce = os.urandom(12)
    sealed = AESGCM(decode_key(key)).encrypt(nonce, text.encode(), f"glimmer-of:{user_id}".encode())
    return f"enc1:{box(key).key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


HERE = Place(7, 2**40 + 5, "text")


def test_sealed_text_opens_only_in_its_place_and_with_its_key() -> None:
    a = box(KEY_A)
    sealed = a.seal("sun on the kitchen floor ✨", HERE)
    assert sealed.startswith("enc2:") and "kitchen" not in sealed
    assert sealed != a.seal("sun on the kitchen floor ✨", HERE)  # a fresh nonce each time
    assert a.open(sealed, HERE) == "sun on the kitchen floor ✨"
    for elsewhere in (
        HERE._replace(user_id=8),  # moved into someone else's row
        HERE._replace(ref=HERE.ref + 1),  # into another of the same person's glimmers
        HERE._replace(field="body_note"),  # into another column of the same glimmer
    ):
        with pytest.raises(SealError):
            a.open(sealed, elsewhere)
    with pytest.raises(SealError):
        box(KEY_B).open(sealed, HERE)
    with pytest.raises(SealError):
        PLAIN.open(sealed, HERE)
    tampered = sealed[:-4] + ("AAAA" if sealed[-4:] != "AAAA" else "BBBB")
    with pytest.raises(SealError):
        a.open(tampered, HERE)
    assert a.open("written before encryption", HERE) == "written before encryption"
    assert key_id_of(sealed) == a.key_id and key_id_of("plain") is None


def test_a_value_sealed_before_places_opens_for_its_owner() -> None:
    old = legacy_seal(KEY_A, "a robin on the fence", 7)
    assert box(KEY_A).open(old, HERE) == "a robin on the fence"
    assert key_id_of(old) == box(KEY_A).key_id and not box(KEY_A).holds(old)
    with pytest.raises(SealError):
        box(KEY_A).open(old, HERE._replace(user_id=8))


def test_with_a_key_plain_rows_stop_the_bot_unless_a_move_is_under_way(tmp_path: Path) -> None:
    db_path = tmp_path / "half.sqlite3"
    new_database(db_path)
    seed(db_path, PLAIN, 3)
    result = glimmers_bot(db_path=db_path, env={"ENCRYPTION_KEY": KEY_A})
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "ENCRYPTION_KEY" in line and "3 glimmers" in line and "ENCRYPTION_ALLOW_PLAIN" in line
    state = maintenance.key_state(db_path, box(KEY_A))
    assert state.plain == 3 and state.refusal(allow_plain=True) is None
    assert maintenance.key_state(db_path, PLAIN).refusal(allow_plain=False) is None


def test_privacy_says_what_stays_readable_under_a_key() -> None:
    for readable in (
        "sense",
        "body cue",
        "ladder states",
        "how much it landed",
        "stars",
        "time of everything",
        "time zone",
        "check-in settings",
    ):
        assert readable in texts.PRIVACY_ENCRYPTED


@pytest.mark.parametrize("bad", ["not-a-key", "c2hvcnQ=", "é"])
def test_a_malformed_key_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        decode_key(bad)


async def test_with_a_key_the_file_holds_no_readable_journal_text(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db_path = tmp_path / "sealed.sqlite3"
    bot = BotRunner(fake, db_path, overrides={"encryption_key": KEY_A})
    await bot.start()
    try:
        kim = fake.user(950)
        await kim.send(f"{MARKER} the smell of cut grass")
        assert MARKER in (await kim.reply()).text
        await kim.send("/history")
        assert MARKER in (await kim.reply()).text
        await kim.send("/search CUT Grass")  # searched in memory: no index beside the text
        found = await kim.reply()
        assert "1 found" in found.text and MARKER in found.text
        await kim.send("/privacy")
        assert "stored encrypted" in (await kim.reply()).text
        # Brought in from a file: sealed like the rest.
        await kim.send_document(
            f"entryDate,entryContent\n2024-05-02,{MARKER} brought in\n".encode(), "p.csv"
        )
        asked = await kim.reply()
        await kim.press(asked, texts.BUTTON_IMPORT_YES)
        assert (await kim.wait_edit(asked.message_id)).text.startswith("Brought in: 1 glimmer.")
        await kim.send("/summary")
        asked = await kim.reply()
        await kim.press(asked, texts.BUTTON_REPORT["all"])
        pdf, _, words = await kim.replies(3, timeout=30)
        assert pdf.document is not None and f"{MARKER} brought in" in words.text
        await kim.send("/recap")
        _, words = await kim.replies(2, timeout=20)
        assert MARKER in words.text
        await kim.send("/export")
        files = await kim.replies(5, timeout=20)
        assert files[1].document is not None and MARKER.encode() in files[1].document
        assert bot.services.db is not None
        await bot.services.db.checkpoint()
        assert MARKER.encode() not in file_bytes(db_path)
    finally:
        await bot.stop()
    assert fake.rejections == []

    # Started with another key, or none, the bot refuses in one line naming the setting.
    for env in ({"ENCRYPTION_KEY": KEY_B}, {}):
        result = glimmers_bot(db_path=db_path, env=env)
        assert result.returncode == 2
        assert "ENCRYPTION_KEY" in one_line(result.stderr)
    result = glimmers_bot(db_path=db_path, env={"ENCRYPTION_KEY": "garbage"})
    assert result.returncode == 2 and "ENCRYPTION_KEY" in one_line(result.stderr)
    check = glimmers_bot("check", db_path=db_path, env={"ENCRYPTION_KEY": KEY_A})
    assert check.returncode == 0, check.stderr


def place(ref: int, field: str = "text") -> Place:
    """Where user 1's glimmer `ref` keeps `field` (seeded glimmers: ref n + 1)."""
    return Place(1, ref, field)


def seed(db_path: Path, sealer: TextBox, count: int) -> None:
    """count glimmers for user 1, through the bot's own migrations and sealing."""
    with sqlite_file(db_path) as conn:
        conn.execute("INSERT INTO users (id, first_seen_at) VALUES (1, '2026-11-25T12:00:00Z')")
        conn.executemany(
            "INSERT INTO glimmers (ref, user_id, text, body_note, created_at, updated_at,"
            " source_chat_id, source_message_id) VALUES (?, 1, ?, ?, ?, ?, 1, ?)",
            [
                (
                    n + 1,
                    sealer.seal(f"{MARKER} {n}", place(n + 1)),
                    sealer.seal(f"note {n}", place(n + 1, "body_note")) if n % 2 else None,
                    "2026-11-25T12:00:00.000000Z",
                    "2026-11-25T12:00:00.000000Z",
                    n,
                )
                for n in range(count)
            ],
        )


def stored(db_path: Path) -> list[tuple[int, str, str | None]]:
    with sqlite_file(db_path) as conn:
        return list(conn.execute("SELECT ref, text, body_note FROM glimmers ORDER BY id"))


def test_rotate_key_from_plain_to_a_key_to_another_and_resume_after_a_stop(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "rotate.sqlite3"
    new_database(db_path)
    seed(db_path, PLAIN, 1200)
    # A key set without sealing what is already there: the health check says so.
    half_done = glimmers_bot("check", db_path=db_path, env={"ENCRYPTION_KEY": KEY_A})
    assert half_done.returncode == 1 and "1200 glimmers" in one_line(half_done.stderr)

    # Plain text to key A: encryption turned on for an existing journal.
    result = glimmers_bot("rotate-key", db_path=db_path, env={"NEW_ENCRYPTION_KEY": KEY_A})
    assert result.returncode == 0, result.stderr
    assert "re-sealed 1800 values" in one_line(result.stdout)
    assert all(key_id_of(text) == box(KEY_A).key_id for _, text, _ in stored(db_path))
    assert MARKER.encode() not in file_bytes(db_path)

    # Key A to key B, stopped half way (here: half the rows already moved by hand).
    a, b = box(KEY_A), box(KEY_B)
    with sqlite_file(db_path) as conn:
        for ref, text in list(conn.execute("SELECT ref, text FROM glimmers WHERE ref % 2 = 0")):
            moved = b.seal(a.open(text, place(ref)), place(ref))
            conn.execute("UPDATE glimmers SET text = ? WHERE ref = ?", (moved, ref))
    env = {"ENCRYPTION_KEY": KEY_A, "NEW_ENCRYPTION_KEY": KEY_B}
    # Meanwhile the bot refuses either key: the rotation is unfinished.
    assert glimmers_bot("check", db_path=db_path, env={"ENCRYPTION_KEY": KEY_B}).returncode == 2
    result = glimmers_bot("rotate-key", db_path=db_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "re-sealed 1200 values" in one_line(result.stdout)  # 600 texts + 600 notes left
    again = glimmers_bot("rotate-key", db_path=db_path, env=env)
    assert "re-sealed 0 values" in one_line(again.stdout)
    rows = stored(db_path)
    assert [b.open(text, place(ref)) for ref, text, _ in rows] == [
        f"{MARKER} {n}" for n in range(1200)
    ]
    assert b.open(rows[1][2] or "", place(2, "body_note")) == "note 1"
    assert glimmers_bot("check", db_path=db_path, env={"ENCRYPTION_KEY": KEY_B}).returncode == 0

    # A key that is not the database's is refused without touching anything.
    wrong = glimmers_bot(
        "rotate-key", db_path=db_path, env={"ENCRYPTION_KEY": KEY_A, "NEW_ENCRYPTION_KEY": KEY_A}
    )
    assert wrong.returncode == 2
    wrong = glimmers_bot(
        "rotate-key",
        db_path=db_path,
        env={"ENCRYPTION_KEY": generate_key(), "NEW_ENCRYPTION_KEY": KEY_A},
    )
    assert wrong.returncode == 1 and "nothing lost" in one_line(wrong.stderr)
    assert stored(db_path) == rows


def test_generate_key_prints_a_usable_key(tmp_path: Path) -> None:
    result = glimmers_bot("generate-key", db_path=tmp_path / "unused.sqlite3")
    assert result.returncode == 0
    assert len(decode_key(one_line(result.stdout))) == 32


@pytest.mark.parametrize(
    "text", ["enc1: the light this morning", "enc2:x", "plain:sun", "Enc1:x", "x"]
)
def test_plain_text_that_looks_sealed_is_kept_as_written(text: str) -> None:
    for sealer in (PLAIN, box(KEY_A)):
        assert sealer.open(sealer.seal(text, HERE), HERE) == text
    assert key_id_of(PLAIN.seal(text, HERE)) is None


async def test_a_glimmer_starting_like_ciphertext_never_stops_the_bot(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db_path = tmp_path / "lookalike.sqlite3"
    bot = BotRunner(fake, db_path)
    await bot.start()
    try:
        lou = fake.user(951)
        for text in ("enc1: the light this morning", "Enc1:deadbeef:warm", "enc2:0:x"):
            await lou.send(text)
            assert (await lou.reply()).text.startswith("Kept")
        await lou.send("/history")
        assert "enc1: the light this morning" in (await lou.reply()).text
    finally:
        await bot.stop()
    assert glimmers_bot("check", db_path=db_path).returncode == 0
