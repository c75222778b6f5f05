-- A moderator's hold on one queue item (`subject_type` is the queue's kind: review, flag,
-- appeal, complaint, return) while they work it. Others see who holds it and may not decide it
-- until the holder decides (the decision deletes the row in its own transaction), releases it,
-- or the lease runs out (`expires_at`; an expired row is free and is overwritten by the next
-- claim). The primary key makes a race to claim have one winner.
CREATE TABLE moderation_claims (
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    holder_id TEXT NOT NULL REFERENCES users (id),
    claimed_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (subject_type, subject_id)
);
CREATE INDEX moderation_claims_by_holder ON moderation_claims (holder_id, expires_at);
