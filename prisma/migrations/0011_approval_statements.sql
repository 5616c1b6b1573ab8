-- An approval keeps the statements the lead read, step by step, so a changed plan can be shown
-- as a diff against the last approved one (older approvals have none: no diff for them).
ALTER TABLE console.approvals ADD COLUMN statements jsonb;
