-- Check-ins that could not be delivered, counted for the admins' /stats. No user id and
-- nothing anyone wrote: only when, and whether the person had blocked the bot or it failed.
CREATE TABLE send_failures (
    id        INTEGER PRIMARY KEY,
    failed_at TEXT NOT NULL,                                   -- UTC, ISO 8601
    reason    TEXT NOT NULL CHECK (reason IN ('blocked', 'error'))
);
CREATE INDEX send_failures_by_time ON send_failures (failed_at);
CREATE INDEX checkins_by_time ON checkins (sent_at);
CREATE INDEX glimmers_by_time ON glimmers (created_at);
