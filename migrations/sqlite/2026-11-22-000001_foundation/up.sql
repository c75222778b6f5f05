-- Foundation: accounts, shops, refresh tokens, mirrored orders, evidence, notifications.
-- Portable types only (see DESIGN.md §8): Text ids (UUIDv7), UTC timestamps without zone,
-- Text enums guarded by CHECK, BIGINT money in whole tenge.

CREATE TABLE shops (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    full_name TEXT NOT NULL,
    phone TEXT,
    role TEXT NOT NULL CHECK (role IN ('buyer', 'seller', 'moderator', 'service')),
    shop_id TEXT REFERENCES shops (id),
    created_at TIMESTAMP NOT NULL,
    CHECK ((role = 'seller') = (shop_id IS NOT NULL))
);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE orders (
    id TEXT PRIMARY KEY NOT NULL,
    external_id TEXT NOT NULL UNIQUE,
    buyer_id TEXT NOT NULL REFERENCES users (id),
    shop_id TEXT NOT NULL REFERENCES shops (id),
    placed_at TIMESTAMP NOT NULL,
    delivery_type TEXT NOT NULL CHECK (delivery_type IN ('city', 'intercity')),
    courier_id TEXT,
    courier_name TEXT,
    promised_at TIMESTAMP,
    delivered_at TIMESTAMP,
    failed_attempts INTEGER NOT NULL CHECK (failed_attempts >= 0),
    status TEXT NOT NULL CHECK (status IN ('pending', 'in_transit', 'delivered', 'returned_to_seller', 'cancelled')),
    total_amount BIGINT NOT NULL CHECK (total_amount >= 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Role-scoped listings, newest first with a (placed_at, id) keyset cursor.
CREATE INDEX orders_buyer_placed ON orders (buyer_id, placed_at DESC, id DESC);
CREATE INDEX orders_shop_placed ON orders (shop_id, placed_at DESC, id DESC);
CREATE INDEX orders_placed ON orders (placed_at DESC, id DESC);

CREATE TABLE order_items (
    id TEXT PRIMARY KEY NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price BIGINT NOT NULL CHECK (unit_price >= 0),
    UNIQUE (order_id, product_id)
);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    uploader_id TEXT NOT NULL REFERENCES users (id),
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL CHECK (size >= 0),
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_uploader ON attachments (uploader_id);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
