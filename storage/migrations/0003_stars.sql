-- "Keep this one": starred glimmers come first when /anchor picks one to show.
ALTER TABLE glimmers ADD COLUMN starred INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1));
