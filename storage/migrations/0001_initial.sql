-- People who have written to the bot. Preferences live here as columns.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,             -- Telegram user id
    first_seen_at  TEXT    NOT NULL,                -- UTC, ISO 8601
    timezone       TEXT,                            -- IANA name; NULL means the default
    savour_seconds INTEGER NOT NULL DEFAULT 20 CHECK (savour_seconds BETWEEN 5 AND 120),
    ask_ladder     INTEGER NOT NULL DEFAULT 1 CHECK (ask_ladder IN (0, 1)),
    glimmer_asked_at TEXT                           -- when /glimmer last asked for a glimmer
);

-- One row per glimmer. A guided conversation writes each answer here as it is given
-- (status 'draft'), and the row becomes 'complete' when the conversation ends.
CREATE TABLE glimmers (
    id                INTEGER PRIMARY KEY,
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
    UNIQUE (source_chat_id, source_message_id, source_line)
);
CREATE INDEX glimmers_by_user_time ON glimmers (user_id, created_at);
CREATE UNIQUE INDEX glimmers_one_draft_per_user ON glimmers (user_id) WHERE status = 'draft';

-- Check-in messages the bot sent, so a reply to one can be recognised as its answer.
CREATE TABLE checkins (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    sent_at     TEXT    NOT NULL,
    answered_at TEXT,
    UNIQUE (chat_id, message_id)
);
CREATE INDEX checkins_by_user ON checkins (user_id, sent_at);

-- python-telegram-bot's conversation states, so a half-finished conversation survives a restart.
CREATE TABLE conversations (
    name       TEXT NOT NULL,
    key        TEXT NOT NULL,                       -- JSON list, e.g. [chat_id, user_id]
    state      TEXT NOT NULL,                       -- JSON
    updated_at TEXT NOT NULL,
    PRIMARY KEY (name, key)
);
