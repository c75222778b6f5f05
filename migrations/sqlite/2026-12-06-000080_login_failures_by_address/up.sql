-- Failed logins per (account, address) pair, plus one row per account under the address '*'.
-- A lock keyed by the account alone let anyone lock a buyer out by failing on purpose; the pair
-- holds back a guesser without touching the owner, and the account row is the ceiling that holds
-- back a guess spread over many addresses (see `domain::login`). The old per-account counts are
-- not carried over: they say nothing about which address earned them.
DROP TABLE login_failures;
CREATE TABLE login_failures (
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP,
    last_failure_at TIMESTAMP NOT NULL,
    PRIMARY KEY (email, address)
);
