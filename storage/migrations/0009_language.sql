-- The language the bot speaks with each person (a code such as "de"). Empty until their
-- first message after this change: then it is what Telegram reports for them, or their
-- choice from /language.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IS NULL OR length(language) <= 16);
