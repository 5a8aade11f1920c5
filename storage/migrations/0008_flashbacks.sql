-- Glimmers that come back: with the weekly recap (the default), with each check-in, or off.
ALTER TABLE users ADD COLUMN flashbacks TEXT NOT NULL DEFAULT 'weekly'
    CHECK (flashbacks IN ('off', 'weekly', 'checkin'));
