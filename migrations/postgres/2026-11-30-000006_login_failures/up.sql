-- Failed logins per account (normalised e-mail, known or not), shared by every instance and
-- kept across restarts: the backoff that protects one account from a guesser spread across
-- many addresses.
CREATE TABLE login_failures (
    email TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP,
    last_failure_at TIMESTAMP NOT NULL
);
