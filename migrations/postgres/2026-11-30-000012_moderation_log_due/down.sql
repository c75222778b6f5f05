DROP INDEX moderation_log_created;
ALTER TABLE moderation_log DROP COLUMN due_at;
