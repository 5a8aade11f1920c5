-- Glimmer ids are never reused (AUTOINCREMENT), so nothing old can ever name a newer glimmer.
-- Each glimmer also gets `ref`: the number its buttons carry and its export shows (so nothing a
-- person sees counts anyone else's glimmers), and what its sealed text is bound to, with its
-- owner and its column (storage/crypto.py). New refs are random 53-bit numbers with bit 40
-- set; the glimmers already here keep their id as their ref, so buttons already sent work.
-- SQLite adds AUTOINCREMENT only by rebuilding the table: every constraint and index is
-- made again below. No table refers to glimmers, and there are no triggers.
CREATE TABLE glimmers_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    ref               INTEGER NOT NULL DEFAULT (1099511627776 | (random() & 9007199254740991)),
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text              TEXT    NOT NULL,
    sense             TEXT,
    body_cue          TEXT,
    body_note         TEXT,
    ladder_before     TEXT,
    ladder_after      TEXT,
    savour_seconds    INTEGER,
    landed            INTEGER CHECK (landed BETWEEN 1 AND 5),
    status            TEXT    NOT NULL DEFAULT 'complete' CHECK (status IN ('draft', 'complete')),
    created_at        TEXT    NOT NULL,             -- UTC, ISO 8601
    updated_at        TEXT    NOT NULL,
    savour_due_at     TEXT,                         -- set while a savouring follow-up is pending
    source_chat_id    INTEGER,
    source_message_id INTEGER,
    source_line       INTEGER NOT NULL DEFAULT 0,
    starred           INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
    UNIQUE (source_chat_id, source_message_id, source_line),
    UNIQUE (user_id, ref)
);
-- Text written before this version that merely begins like a new sealed value is plain:
-- it gets the plain mark, as such text written from now on does.
INSERT INTO glimmers_new (id, ref, user_id, text, sense, body_cue, body_note, ladder_before,
    ladder_after, savour_seconds, landed, status, created_at, updated_at, savour_due_at,
    source_chat_id, source_message_id, source_line, starred)
SELECT id, id, user_id,
    CASE WHEN substr(text, 1, 5) = 'enc2:' THEN 'plain:' || text ELSE text END,
    sense, body_cue,
    CASE WHEN substr(body_note, 1, 5) = 'enc2:' THEN 'plain:' || body_note ELSE body_note END,
    ladder_before, ladder_after, savour_seconds, landed, status, created_at, updated_at,
    savour_due_at, source_chat_id, source_message_id, source_line, starred
FROM glimmers;
DROP TABLE glimmers;
ALTER TABLE glimmers_new RENAME TO glimmers;
CREATE INDEX glimmers_by_user_time ON glimmers (user_id, created_at);
CREATE UNIQUE INDEX glimmers_one_draft_per_user ON glimmers (user_id) WHERE status = 'draft';
CREATE INDEX glimmers_by_time ON glimmers (created_at);
