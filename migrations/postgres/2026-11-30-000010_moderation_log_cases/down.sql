DROP INDEX moderation_log_actor;
DROP INDEX moderation_log_kind;
DROP INDEX moderation_log_subject;
DELETE FROM moderation_log WHERE subject_type IN ('complaint', 'return');
