-- The weekly recap arrives by itself (default Sunday 18:00 local), through the same minute
-- tick and the same claim-before-send rule as check-ins. Streaks can be hidden.
ALTER TABLE users ADD COLUMN recap_day INTEGER NOT NULL DEFAULT 6 CHECK (recap_day BETWEEN 0 AND 6);
ALTER TABLE users ADD COLUMN recap_minute INTEGER NOT NULL DEFAULT 1080
    CHECK (recap_minute BETWEEN 0 AND 1439);
ALTER TABLE users ADD COLUMN recap_on INTEGER NOT NULL DEFAULT 1 CHECK (recap_on IN (0, 1));
ALTER TABLE users ADD COLUMN next_recap_at TEXT;                              -- UTC
ALTER TABLE users ADD COLUMN streaks_on INTEGER NOT NULL DEFAULT 1 CHECK (streaks_on IN (0, 1));
CREATE INDEX users_recap_due ON users (next_recap_at) WHERE next_recap_at IS NOT NULL;
