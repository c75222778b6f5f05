-- Every service token issued (its `jti`), so that an operator can list and revoke them: a
-- service token is accepted only while its row exists and is not revoked.
CREATE TABLE service_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    -- What the operator called it at issue (the account's name unless given).
    name TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX service_tokens_user ON service_tokens (user_id);
