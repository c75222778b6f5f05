-- Crash-safe claims: the claim's owner token, and when the request's write committed (set in
-- the write's own transaction, only while the token is still the claim's).
ALTER TABLE idempotency_keys ADD COLUMN claim_token TEXT;
ALTER TABLE idempotency_keys ADD COLUMN committed_at TIMESTAMP;
