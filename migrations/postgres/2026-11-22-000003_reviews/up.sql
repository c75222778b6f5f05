-- Reviews with versions, seller replies and flags, appeals, the moderation log and rating
-- summaries maintained on write (all-time per product and shop; per shop and day for the
-- 90-day window, so a summary never scans reviews).
ALTER TABLE shops ADD COLUMN rating_critical BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE reviews (
    id TEXT PRIMARY KEY NOT NULL,
    order_item_id TEXT NOT NULL UNIQUE REFERENCES order_items (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    product_id TEXT NOT NULL,
    shop_id TEXT NOT NULL REFERENCES shops (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    shop_rating INTEGER CHECK (shop_rating BETWEEN 1 AND 5),
    body TEXT,
    attachment_ids TEXT NOT NULL,
    has_media BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending_moderation', 'published', 'rejected', 'removed', 'deleted')),
    hidden BOOLEAN NOT NULL,
    version INTEGER NOT NULL,
    screening TEXT NOT NULL,
    moderation_due_at TIMESTAMP,
    removal_reason TEXT,
    removed_by TEXT,
    removed_at TIMESTAMP,
    removal_no INTEGER NOT NULL,
    reply_body TEXT,
    reply_author_id TEXT,
    reply_created_at TIMESTAMP,
    reply_updated_at TIMESTAMP,
    window_until TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    deleted_at TIMESTAMP
);
CREATE INDEX reviews_product_newest ON reviews (product_id, status, created_at DESC, id DESC);
CREATE INDEX reviews_product_rating ON reviews (product_id, status, rating, created_at DESC, id DESC);
CREATE INDEX reviews_shop_newest ON reviews (shop_id, status, created_at DESC, id DESC);
CREATE INDEX reviews_author ON reviews (author_id, created_at DESC, id DESC);
CREATE INDEX reviews_moderation ON reviews (status, moderation_due_at);

-- Photos of the current version, so an attachment can be served to whoever may see a review
-- citing it without scanning review JSON.
CREATE TABLE review_photos (
    review_id TEXT NOT NULL REFERENCES reviews (id),
    attachment_id TEXT NOT NULL REFERENCES attachments (id),
    PRIMARY KEY (review_id, attachment_id)
);
CREATE INDEX review_photos_attachment ON review_photos (attachment_id);

CREATE TABLE review_versions (
    id TEXT PRIMARY KEY NOT NULL,
    review_id TEXT NOT NULL REFERENCES reviews (id),
    version INTEGER NOT NULL,
    rating INTEGER NOT NULL,
    shop_rating INTEGER,
    body TEXT,
    attachment_ids TEXT NOT NULL,
    screening TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (review_id, version)
);

CREATE TABLE review_flags (
    id TEXT PRIMARY KEY NOT NULL,
    review_id TEXT NOT NULL REFERENCES reviews (id),
    shop_id TEXT NOT NULL REFERENCES shops (id),
    seller_id TEXT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL CHECK (reason IN ('false_information', 'offensive_language', 'rules_violation', 'personal_data', 'not_from_purchase')),
    comment TEXT NOT NULL,
    attachment_ids TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'dismissed')),
    due_at TIMESTAMP NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision_note TEXT,
    created_at TIMESTAMP NOT NULL
);
-- One open flag per review.
CREATE UNIQUE INDEX review_flags_one_open ON review_flags (review_id) WHERE status = 'open';
CREATE INDEX review_flags_queue ON review_flags (status, due_at);
CREATE INDEX review_flags_shop ON review_flags (shop_id, id DESC);

CREATE TABLE review_appeals (
    id TEXT PRIMARY KEY NOT NULL,
    review_id TEXT NOT NULL REFERENCES reviews (id),
    removal_no INTEGER NOT NULL,
    author_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    removed_by TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'reinstated', 'kept_removed')),
    due_at TIMESTAMP NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision_note TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (review_id, removal_no)
);
CREATE INDEX review_appeals_queue ON review_appeals (status, due_at);

CREATE TABLE moderation_log (
    id TEXT PRIMARY KEY NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    before_status TEXT,
    after_status TEXT,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE rating_summaries (
    subject_type TEXT NOT NULL CHECK (subject_type IN ('product', 'shop')),
    subject_id TEXT NOT NULL,
    c1 BIGINT NOT NULL,
    c2 BIGINT NOT NULL,
    c3 BIGINT NOT NULL,
    c4 BIGINT NOT NULL,
    c5 BIGINT NOT NULL,
    PRIMARY KEY (subject_type, subject_id)
);

CREATE TABLE shop_rating_days (
    shop_id TEXT NOT NULL,
    day TEXT NOT NULL,
    c1 BIGINT NOT NULL,
    c2 BIGINT NOT NULL,
    c3 BIGINT NOT NULL,
    c4 BIGINT NOT NULL,
    c5 BIGINT NOT NULL,
    PRIMARY KEY (shop_id, day)
);
