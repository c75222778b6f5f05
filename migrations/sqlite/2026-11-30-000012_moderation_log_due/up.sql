-- The deadline each moderator's decision was due by, for the moderators' SLA figures
-- (GET /moderation/stats). Past decisions get theirs where the item still holds it.
ALTER TABLE moderation_log ADD COLUMN due_at TIMESTAMP;
CREATE INDEX moderation_log_created ON moderation_log (created_at);

UPDATE moderation_log SET due_at = (SELECT f.due_at FROM review_flags f WHERE f.id = moderation_log.subject_id)
WHERE subject_type = 'flag' AND action IN ('flag_upheld', 'flag_dismissed');
UPDATE moderation_log SET due_at = (SELECT a.due_at FROM review_appeals a WHERE a.id = moderation_log.subject_id)
WHERE subject_type = 'appeal' AND action IN ('appeal_reinstated', 'appeal_kept_removed');
UPDATE moderation_log SET due_at = (SELECT c.acknowledge_by FROM complaints c WHERE c.id = moderation_log.subject_id)
WHERE subject_type = 'complaint' AND action = 'acknowledged' AND actor_id IS NOT NULL;
UPDATE moderation_log SET due_at = (SELECT c.resolve_by FROM complaints c WHERE c.id = moderation_log.subject_id)
WHERE subject_type = 'complaint' AND action = 'resolved' AND actor_id IS NOT NULL;
