-- Sessions end after a period without use (UNIFY_SESSION_IDLE_MINUTES, default 30) as well as
-- after their 12-hour limit: the last request a session made is remembered.
ALTER TABLE console.sessions ADD COLUMN last_seen_at timestamptz(6) NOT NULL DEFAULT now();
