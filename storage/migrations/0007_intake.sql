-- The durable intake: each update Telegram delivers is written here before Telegram is told
-- it arrived, and its words are wiped (payload NULL) once it has been handled. A handled
-- row stays a few minutes as a marker, so a redelivery is recognised and not handled twice.
CREATE TABLE intake (
    update_id   INTEGER PRIMARY KEY,        -- Telegram's update id
    user_id     INTEGER,                    -- whose update, for /forget; NULL if no person
    payload     TEXT,                       -- the update as JSON (sealed under a key); NULL once handled
    received_at TEXT NOT NULL               -- UTC, ISO 8601
);
CREATE INDEX intake_by_user ON intake (user_id);
CREATE INDEX intake_pending ON intake (update_id) WHERE payload IS NOT NULL;
