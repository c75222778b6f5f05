-- Returns (with their items, timeline, evidence and SLA breaches), failed deliveries awaiting
-- the buyer's choice, and the buyer–seller conversation of each order.
CREATE TABLE returns (
    id TEXT PRIMARY KEY NOT NULL,
    number TEXT NOT NULL UNIQUE,
    order_id TEXT NOT NULL REFERENCES orders (id),
    buyer_id TEXT NOT NULL REFERENCES users (id),
    shop_id TEXT NOT NULL REFERENCES shops (id),
    reason TEXT NOT NULL CHECK (reason IN ('damaged_in_delivery', 'defective', 'not_as_described', 'wrong_item', 'incomplete', 'changed_mind')),
    description TEXT,
    status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'pickup_scheduled', 'picked_up', 'refunded', 'cancelled')),
    requested_at TIMESTAMP NOT NULL,
    window_until TIMESTAMP NOT NULL,
    seller_decide_by TIMESTAMP NOT NULL,
    escalated_at TIMESTAMP,
    decided_at TIMESTAMP,
    decided_by TEXT REFERENCES users (id),
    -- {reason_code, explanation} of a rejection.
    rejection TEXT,
    dispute_until TIMESTAMP,
    disputed_at TIMESTAMP,
    complaint_id TEXT REFERENCES complaints (id),
    pickup_at TIMESTAMP,
    picked_up_at TIMESTAMP,
    refund_due_by TIMESTAMP,
    refunded_at TIMESTAMP,
    refund_amount BIGINT CHECK (refund_amount > 0),
    refundable_amount BIGINT NOT NULL CHECK (refundable_amount >= 0),
    cancelled_at TIMESTAMP,
    due_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX returns_buyer ON returns (buyer_id, requested_at DESC, id DESC);
CREATE INDEX returns_shop ON returns (shop_id, requested_at DESC, id DESC);
CREATE INDEX returns_requested ON returns (requested_at DESC, id DESC);
CREATE INDEX returns_order ON returns (order_id);
CREATE INDEX returns_due ON returns (status, due_at);
CREATE INDEX returns_complaint ON returns (complaint_id);

CREATE TABLE return_items (
    return_id TEXT NOT NULL REFERENCES returns (id),
    order_item_id TEXT NOT NULL REFERENCES order_items (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price BIGINT NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (return_id, order_item_id)
);
CREATE INDEX return_items_item ON return_items (order_item_id);

CREATE TABLE return_events (
    id TEXT PRIMARY KEY NOT NULL,
    return_id TEXT NOT NULL REFERENCES returns (id),
    kind TEXT NOT NULL,
    actor_id TEXT REFERENCES users (id),
    actor_role TEXT NOT NULL CHECK (actor_role IN ('buyer', 'seller', 'moderator', 'service', 'system')),
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX return_events_return ON return_events (return_id, id);

CREATE TABLE return_attachments (
    return_id TEXT NOT NULL REFERENCES returns (id),
    attachment_id TEXT NOT NULL REFERENCES attachments (id),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (return_id, attachment_id)
);
CREATE INDEX return_attachments_attachment ON return_attachments (attachment_id);

CREATE TABLE return_breaches (
    id TEXT PRIMARY KEY NOT NULL,
    return_id TEXT NOT NULL REFERENCES returns (id),
    sla TEXT NOT NULL CHECK (sla IN ('seller_decision', 'refund')),
    due_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (return_id, sla, due_at)
);

-- One per order that came back after the second failed attempt.
CREATE TABLE delivery_failures (
    order_id TEXT PRIMARY KEY NOT NULL REFERENCES orders (id),
    status TEXT NOT NULL CHECK (status IN ('awaiting_choice', 'refund_pending', 'refunded', 'redelivery_requested')),
    opened_at TIMESTAMP NOT NULL,
    chosen_at TIMESTAMP,
    chosen_by TEXT REFERENCES users (id),
    refund_due_by TIMESTAMP,
    refunded_at TIMESTAMP,
    refund_amount BIGINT CHECK (refund_amount > 0),
    due_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX delivery_failures_due ON delivery_failures (status, due_at);

CREATE TABLE order_messages (
    id TEXT PRIMARY KEY NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    author_role TEXT NOT NULL CHECK (author_role IN ('buyer', 'seller')),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX order_messages_order ON order_messages (order_id, created_at DESC, id DESC);

CREATE TABLE order_message_attachments (
    message_id TEXT NOT NULL REFERENCES order_messages (id),
    attachment_id TEXT NOT NULL REFERENCES attachments (id),
    PRIMARY KEY (message_id, attachment_id)
);
CREATE INDEX order_message_attachments_attachment ON order_message_attachments (attachment_id);

-- The reply clock of each conversation.
CREATE TABLE order_threads (
    order_id TEXT PRIMARY KEY NOT NULL REFERENCES orders (id),
    shop_id TEXT NOT NULL REFERENCES shops (id),
    awaiting_since TIMESTAMP,
    last_reply_at TIMESTAMP,
    reply_due_by TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX order_threads_awaiting ON order_threads (awaiting_since);

-- Missed deadlines of failed deliveries and conversations, one row per deadline.
CREATE TABLE order_breaches (
    id TEXT PRIMARY KEY NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders (id),
    shop_id TEXT NOT NULL REFERENCES shops (id),
    sla TEXT NOT NULL CHECK (sla IN ('failed_delivery_refund', 'reply_target', 'reply_limit')),
    due_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (order_id, sla, due_at)
);
CREATE INDEX order_breaches_shop ON order_breaches (shop_id, recorded_at);
