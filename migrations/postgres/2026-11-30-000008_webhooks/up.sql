-- Sellers' webhooks (Standard Webhooks v1): endpoints, the outbox of messages written in the
-- transaction of the change they tell of, one delivery per (message, endpoint) with its
-- schedule and lease, and every attempt of a delivery.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    shop_id TEXT NOT NULL REFERENCES shops (id),
    url TEXT NOT NULL,
    description TEXT,
    -- A JSON array of event types, or ["*"].
    events TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    disabled_reason TEXT CHECK (disabled_reason IN ('seller', 'gone', 'failing')),
    -- Encrypted at rest (see webhooks::secrets); the previous one signs until its instant.
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TIMESTAMP,
    -- The first failure since the last success: five days of only failures disable.
    failing_since TIMESTAMP,
    -- One dispatcher at a time sends an endpoint's messages, in order: the claim leases the
    -- endpoint. lease_until stays as the last claim's end, so the least recently served
    -- endpoint goes first.
    lease_token TEXT,
    lease_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_endpoints_shop ON webhook_endpoints (shop_id);

CREATE TABLE webhook_messages (
    -- msg_…: the webhook-id, the same on every attempt and redelivery.
    id TEXT PRIMARY KEY NOT NULL,
    shop_id TEXT NOT NULL REFERENCES shops (id),
    event_type TEXT NOT NULL,
    -- The exact body signed and sent: {"type", "timestamp", "data"}.
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL REFERENCES webhook_messages (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP,
    -- The instance that claimed the attempt, and until when (a crashed one lets go).
    lease_token TEXT,
    lease_until TIMESTAMP,
    last_status_code INTEGER,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    duration_ms INTEGER NOT NULL,
    error TEXT,
    -- At most 1 KiB of the receiver's answer.
    response_snippet TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
