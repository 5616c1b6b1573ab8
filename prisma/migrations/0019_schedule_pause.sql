-- "Roll back to legacy" pauses the scheduled jobs that write to unified tables (the analytics
-- refresh): who paused it, when and why, until an admin resumes the schedule in Settings.
ALTER TABLE console.analytics_settings
  ADD COLUMN paused_at     timestamptz(6),
  ADD COLUMN paused_by     text,
  ADD COLUMN paused_reason text,
  ADD CHECK ((paused_at IS NULL) = (paused_by IS NULL) AND (paused_at IS NULL) = (paused_reason IS NULL));
