-- Daily check-ins: each person's plan, and the next moment one is due (UTC), so one indexed
-- query per minute finds everyone due and a restart loses nothing.
ALTER TABLE users ADD COLUMN checkin_minute INTEGER NOT NULL DEFAULT 1200     -- 20:00 local
    CHECK (checkin_minute BETWEEN 0 AND 1439);
ALTER TABLE users ADD COLUMN window_start INTEGER CHECK (window_start BETWEEN 0 AND 1439);
ALTER TABLE users ADD COLUMN window_end INTEGER CHECK (window_end BETWEEN 1 AND 1440);
ALTER TABLE users ADD COLUMN checkin_days INTEGER NOT NULL DEFAULT 127        -- bit 0 = Monday
    CHECK (checkin_days BETWEEN 1 AND 127);
ALTER TABLE users ADD COLUMN checkins_on INTEGER NOT NULL DEFAULT 1 CHECK (checkins_on IN (0, 1));
ALTER TABLE users ADD COLUMN paused_until TEXT;                               -- local date
ALTER TABLE users ADD COLUMN skip_if_logged INTEGER NOT NULL DEFAULT 1 CHECK (skip_if_logged IN (0, 1));
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
ALTER TABLE users ADD COLUMN next_checkin_at TEXT;                            -- UTC
ALTER TABLE users ADD COLUMN last_checkin_date TEXT;                          -- local date
ALTER TABLE users ADD COLUMN remind_at TEXT;                                  -- UTC, "in an hour"
CREATE INDEX users_checkin_due ON users (next_checkin_at) WHERE next_checkin_at IS NOT NULL;
CREATE INDEX users_remind_due ON users (remind_at) WHERE remind_at IS NOT NULL;
