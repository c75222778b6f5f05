DROP TABLE case_counters;
DROP TABLE complaint_breaches;
DROP TABLE complaint_attachments;
DROP TABLE complaint_events;
DROP TABLE complaints;
