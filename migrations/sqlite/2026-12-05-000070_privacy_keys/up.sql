-- Server secrets of the privacy rules, one row each, made once by the first instance that
-- needs them (INSERT … ON CONFLICT DO NOTHING, then read): `buyer_ref` keys the per-shop buyer
-- references sellers see instead of buyer ids. Hex; never derived from JWT_SECRET, so
-- rotating that key changes no reference.
CREATE TABLE privacy_keys (
    name TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
