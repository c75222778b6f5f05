-- Complaints: the case, its timeline (every change is an event, public or internal), the
-- evidence it cites, the SLA breaches recorded by the sweep, and per-year case numbers.
CREATE TABLE complaints (
    id TEXT PRIMARY KEY NOT NULL,
    number TEXT NOT NULL UNIQUE,
    order_id TEXT NOT NULL REFERENCES orders (id),
    buyer_id TEXT NOT NULL REFERENCES users (id),
    shop_id TEXT NOT NULL REFERENCES shops (id),
    target TEXT NOT NULL CHECK (target IN ('courier', 'seller')),
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    -- The rest of the filing form as JSON: desired resolution, contact, involved person,
    -- expected and actual delivery times (never filtered on; diesel tables stop at 32 columns).
    details TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'acknowledged', 'in_review', 'awaiting_buyer', 'resolved', 'closed', 'withdrawn', 'reopened')),
    track TEXT NOT NULL CHECK (track IN ('standard', 'complex', 'expertise')),
    assignee_id TEXT REFERENCES users (id),
    filed_at TIMESTAMP NOT NULL,
    acknowledge_by TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    seller_respond_by TIMESTAMP,
    seller_responded_at TIMESTAMP,
    clock_started_at TIMESTAMP NOT NULL,
    paused_at TIMESTAMP,
    paused_secs BIGINT NOT NULL,
    resolve_by TIMESTAMP NOT NULL,
    extended BOOLEAN NOT NULL,
    last_reply_at TIMESTAMP NOT NULL,
    escalated_at TIMESTAMP,
    -- {outcome, remedy: {kind, amount}, explanation} once decided.
    resolution TEXT,
    resolved_at TIMESTAMP,
    resolved_by TEXT,
    appeal_until TIMESTAMP,
    appealed_at TIMESTAMP,
    appealed_resolver TEXT,
    due_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX complaints_buyer ON complaints (buyer_id, filed_at DESC, id DESC);
CREATE INDEX complaints_shop ON complaints (shop_id, target, filed_at DESC, id DESC);
CREATE INDEX complaints_filed ON complaints (filed_at DESC, id DESC);
CREATE INDEX complaints_order ON complaints (order_id, target, category);
-- The moderation queue and the sweep: open cases by their nearest deadline.
CREATE INDEX complaints_due ON complaints (status, due_at);
CREATE INDEX complaints_appeal_until ON complaints (status, appeal_until);

CREATE TABLE complaint_events (
    id TEXT PRIMARY KEY NOT NULL,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    kind TEXT NOT NULL,
    actor_id TEXT REFERENCES users (id),
    actor_role TEXT NOT NULL CHECK (actor_role IN ('buyer', 'seller', 'moderator', 'system')),
    audience TEXT NOT NULL CHECK (audience IN ('public', 'internal')),
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX complaint_events_case ON complaint_events (complaint_id, id);

-- Evidence a case cites, so the parties may download it; internal notes' files stay internal.
CREATE TABLE complaint_attachments (
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    attachment_id TEXT NOT NULL REFERENCES attachments (id),
    internal BOOLEAN NOT NULL,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (complaint_id, attachment_id)
);
CREATE INDEX complaint_attachments_attachment ON complaint_attachments (attachment_id);

-- One row per missed deadline (a new deadline after an extension can be missed again).
CREATE TABLE complaint_breaches (
    id TEXT PRIMARY KEY NOT NULL,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    sla TEXT NOT NULL CHECK (sla IN ('acknowledge', 'seller_response', 'resolution')),
    due_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (complaint_id, sla, due_at)
);

-- Human case numbers, C-2026-000123: one counter per prefix and year.
CREATE TABLE case_counters (
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (prefix, year)
);
