-- The moderation log holds moderators' actions on complaints and returns too, filterable by
-- kind, actor and subject. Past actions are copied from the cases' timelines (their ids are
-- time-ordered like the log's, so the copies fall into place).
INSERT INTO moderation_log (id, actor_id, action, subject_type, subject_id, before_status, after_status, note, created_at)
SELECT e.id, e.actor_id, e.kind, 'complaint', e.complaint_id,
       json_extract(e.data, '$.from_status'), json_extract(e.data, '$.status'), json_extract(e.data, '$.note'), e.created_at
FROM complaint_events e WHERE e.actor_role = 'moderator'
ON CONFLICT (id) DO NOTHING;

INSERT INTO moderation_log (id, actor_id, action, subject_type, subject_id, before_status, after_status, note, created_at)
SELECT e.id, e.actor_id, e.kind, 'return', e.return_id,
       json_extract(e.data, '$.from_status'), json_extract(e.data, '$.status'), json_extract(e.data, '$.note'), e.created_at
FROM return_events e WHERE e.actor_role = 'moderator'
ON CONFLICT (id) DO NOTHING;

CREATE INDEX moderation_log_subject ON moderation_log (subject_id, id);
CREATE INDEX moderation_log_kind ON moderation_log (subject_type, id);
CREATE INDEX moderation_log_actor ON moderation_log (actor_id, id);
