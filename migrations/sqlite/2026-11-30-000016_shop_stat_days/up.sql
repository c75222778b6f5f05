-- The shop's figures by UTC day, kept on write (GET /shops/{id}/stats; db::stats::shop).
--
-- `<kind>_stat_rows` says, for every row of a table, what it counts towards: one row per
-- figure it counts in (metric, code, n), on the day of its anchor instant (a review's
-- creation, a conversation's first buyer message, a complaint's filing, a return's request).
-- The figures of any window are sums of these rows.
--
-- Triggers write every change's difference to `shop_stat_deltas`: what the old row counted,
-- negated, and what the new row counts. Plain inserts: no two writers meet on a counter row,
-- so a busy shop's filings never wait for each other here. The sweep folds the deltas into
-- `shop_stat_days` every minute (db::stats::rollup). A window reads whole days from both, in
-- one statement, and its partial first and last days from the views.
--
-- Figures that depend on the instant they are read at ("due" counts: a deadline passed
-- without an answer) are kept as "done" and "open" counts; the reader subtracts the open
-- rows whose deadline is still ahead, found through the deadline indexes below.

CREATE TABLE shop_stat_days (
    shop_id TEXT NOT NULL,
    day TEXT NOT NULL,
    metric TEXT NOT NULL,
    code TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (shop_id, day, metric, code)
);
CREATE TABLE shop_stat_deltas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id TEXT NOT NULL,
    day TEXT NOT NULL,
    metric TEXT NOT NULL,
    code TEXT NOT NULL,
    n BIGINT NOT NULL
);
CREATE INDEX shop_stat_deltas_shop_day ON shop_stat_deltas (shop_id, day);

CREATE VIEW review_stat_rows AS
SELECT r.id AS id, r.shop_id, r.created_at AS at, date(r.created_at) AS day, k.metric,
       CASE k.metric
             WHEN 'review.status' THEN r.status
             WHEN 'review.removed' THEN COALESCE(r.removal_reason, '')
             ELSE '' END AS code,
       1 AS n
FROM reviews r
CROSS JOIN (SELECT '' AS metric WHERE FALSE
        UNION ALL SELECT 'review.received' AS metric
        UNION ALL SELECT 'review.status'
        UNION ALL SELECT 'review.removed'
        UNION ALL SELECT 'review.negative'
        UNION ALL SELECT 'review.negative_replied'
        UNION ALL SELECT 'review.negative_in_24h'
        UNION ALL SELECT 'review.replied') k
WHERE TRUE AND CASE k.metric
             WHEN 'review.removed' THEN r.status IN ('removed', 'rejected')
             WHEN 'review.negative' THEN r.status = 'published' AND COALESCE(r.shop_rating, r.rating) <= 2
             WHEN 'review.negative_replied' THEN r.status = 'published' AND COALESCE(r.shop_rating, r.rating) <= 2 AND r.reply_created_at IS NOT NULL
             WHEN 'review.negative_in_24h' THEN r.status = 'published' AND COALESCE(r.shop_rating, r.rating) <= 2 AND r.reply_created_at IS NOT NULL AND ROUND((julianday(r.reply_created_at) - julianday(r.published_at)) * 86400000.0) <= 86400000
             WHEN 'review.replied' THEN r.status = 'published' AND r.reply_created_at IS NOT NULL
             ELSE TRUE END;

CREATE TRIGGER reviews_stats_in AFTER INSERT ON reviews BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, n FROM review_stat_rows WHERE id = NEW.id;
END;
CREATE TRIGGER reviews_stats_out BEFORE UPDATE OF status, rating, shop_rating, removal_reason, published_at, reply_created_at ON reviews BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, -n FROM review_stat_rows WHERE id = OLD.id;
END;
CREATE TRIGGER reviews_stats_back AFTER UPDATE OF status, rating, shop_rating, removal_reason, published_at, reply_created_at ON reviews BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, n FROM review_stat_rows WHERE id = NEW.id;
END;
CREATE TRIGGER reviews_stats_gone BEFORE DELETE ON reviews BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, -n FROM review_stat_rows WHERE id = OLD.id;
END;

CREATE VIEW conversation_stat_rows AS
SELECT r.order_id AS id, r.shop_id, r.first_buyer_at AS at, date(r.first_buyer_at) AS day, k.metric,
       '' AS code,
       1 AS n
FROM order_threads r
CROSS JOIN (SELECT '' AS metric WHERE FALSE
        UNION ALL SELECT 'conversation.started' AS metric
        UNION ALL SELECT 'conversation.answered'
        UNION ALL SELECT 'conversation.in_24h'
        UNION ALL SELECT 'conversation.in_48h') k
WHERE r.first_buyer_at IS NOT NULL AND CASE k.metric
             WHEN 'conversation.answered' THEN r.first_reply_at IS NOT NULL
             WHEN 'conversation.in_24h' THEN r.first_reply_at IS NOT NULL AND ROUND((julianday(r.first_reply_at) - julianday(r.first_buyer_at)) * 86400000.0) <= 86400000
             WHEN 'conversation.in_48h' THEN r.first_reply_at IS NOT NULL AND ROUND((julianday(r.first_reply_at) - julianday(r.first_buyer_at)) * 86400000.0) <= 172800000
             ELSE TRUE END;

CREATE TRIGGER order_threads_stats_in AFTER INSERT ON order_threads BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, n FROM conversation_stat_rows WHERE id = NEW.order_id;
END;
CREATE TRIGGER order_threads_stats_out BEFORE UPDATE OF first_buyer_at, first_reply_at ON order_threads BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, -n FROM conversation_stat_rows WHERE id = OLD.order_id;
END;
CREATE TRIGGER order_threads_stats_back AFTER UPDATE OF first_buyer_at, first_reply_at ON order_threads BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, n FROM conversation_stat_rows WHERE id = NEW.order_id;
END;
CREATE TRIGGER order_threads_stats_gone BEFORE DELETE ON order_threads BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, -n FROM conversation_stat_rows WHERE id = OLD.order_id;
END;

CREATE VIEW complaint_stat_rows AS
SELECT r.id AS id, r.shop_id, r.filed_at AS at, date(r.filed_at) AS day, k.metric,
       CASE k.metric
             WHEN 'complaint.category' THEN r.category
             WHEN 'complaint.status' THEN r.status
             WHEN 'complaint.outcome' THEN (r.resolution ->> 'outcome')
             ELSE '' END AS code,
       1 AS n
FROM complaints r
CROSS JOIN (SELECT '' AS metric WHERE FALSE
        UNION ALL SELECT 'complaint.category' AS metric
        UNION ALL SELECT 'complaint.status'
        UNION ALL SELECT 'complaint.outcome'
        UNION ALL SELECT 'complaint.responded_ok'
        UNION ALL SELECT 'complaint.responded'
        UNION ALL SELECT 'complaint.responded_open'
        UNION ALL SELECT 'complaint.acknowledged_ok'
        UNION ALL SELECT 'complaint.acknowledged'
        UNION ALL SELECT 'complaint.acknowledged_open'
        UNION ALL SELECT 'complaint.resolved_ok'
        UNION ALL SELECT 'complaint.resolved'
        UNION ALL SELECT 'complaint.resolved_open') k
WHERE r.target = 'seller' AND CASE k.metric
             WHEN 'complaint.outcome' THEN (r.resolution ->> 'outcome') IS NOT NULL
             WHEN 'complaint.responded_ok' THEN r.seller_responded_at IS NOT NULL AND r.seller_respond_by IS NOT NULL AND r.seller_responded_at <= r.seller_respond_by
             WHEN 'complaint.responded' THEN r.seller_respond_by IS NOT NULL AND r.seller_responded_at IS NOT NULL
             WHEN 'complaint.responded_open' THEN r.seller_respond_by IS NOT NULL AND r.seller_responded_at IS NULL AND r.status <> 'withdrawn'
             WHEN 'complaint.acknowledged_ok' THEN r.acknowledged_at IS NOT NULL AND r.acknowledged_at <= r.acknowledge_by
             WHEN 'complaint.acknowledged' THEN r.acknowledged_at IS NOT NULL
             WHEN 'complaint.acknowledged_open' THEN r.acknowledged_at IS NULL AND r.acknowledge_by IS NOT NULL AND r.status <> 'withdrawn'
             WHEN 'complaint.resolved_ok' THEN r.resolved_at IS NOT NULL AND r.resolved_at <= r.resolve_by
             WHEN 'complaint.resolved' THEN r.resolved_at IS NOT NULL
             WHEN 'complaint.resolved_open' THEN r.resolved_at IS NULL AND r.resolve_by IS NOT NULL AND r.paused_at IS NULL AND r.status NOT IN ('withdrawn', 'closed')
             ELSE TRUE END;

CREATE TRIGGER complaints_stats_in AFTER INSERT ON complaints BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, n FROM complaint_stat_rows WHERE id = NEW.id;
END;
CREATE TRIGGER complaints_stats_out BEFORE UPDATE OF status, resolution, seller_respond_by, seller_responded_at, acknowledge_by, acknowledged_at, resolve_by, resolved_at, paused_at ON complaints BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, -n FROM complaint_stat_rows WHERE id = OLD.id;
END;
CREATE TRIGGER complaints_stats_back AFTER UPDATE OF status, resolution, seller_respond_by, seller_responded_at, acknowledge_by, acknowledged_at, resolve_by, resolved_at, paused_at ON complaints BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, n FROM complaint_stat_rows WHERE id = NEW.id;
END;
CREATE TRIGGER complaints_stats_gone BEFORE DELETE ON complaints BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, -n FROM complaint_stat_rows WHERE id = OLD.id;
END;

CREATE VIEW return_stat_rows AS
SELECT r.id AS id, r.shop_id, r.requested_at AS at, date(r.requested_at) AS day, k.metric,
       CASE k.metric
             WHEN 'return.reason' THEN r.reason
             WHEN 'return.status' THEN r.status
             ELSE '' END AS code,
       CASE k.metric
             WHEN 'return.refunded_amount' THEN COALESCE(r.refund_amount, 0)
             ELSE 1 END AS n
FROM returns r
CROSS JOIN (SELECT '' AS metric WHERE FALSE
        UNION ALL SELECT 'return.reason' AS metric
        UNION ALL SELECT 'return.status'
        UNION ALL SELECT 'return.decided_ok'
        UNION ALL SELECT 'return.decided'
        UNION ALL SELECT 'return.decided_open'
        UNION ALL SELECT 'return.refunded_ok'
        UNION ALL SELECT 'return.refunded'
        UNION ALL SELECT 'return.refund_open'
        UNION ALL SELECT 'return.refunded_amount') k
WHERE TRUE AND CASE k.metric
             WHEN 'return.decided_ok' THEN r.decided_at IS NOT NULL AND r.decided_at <= r.seller_decide_by
             WHEN 'return.decided' THEN r.decided_at IS NOT NULL
             WHEN 'return.decided_open' THEN r.decided_at IS NULL AND r.seller_decide_by IS NOT NULL AND r.status <> 'cancelled'
             WHEN 'return.refunded_ok' THEN r.refunded_at IS NOT NULL AND r.refund_due_by IS NOT NULL AND r.refunded_at <= r.refund_due_by
             WHEN 'return.refunded' THEN r.picked_up_at IS NOT NULL AND r.refunded_at IS NOT NULL
             WHEN 'return.refund_open' THEN r.picked_up_at IS NOT NULL AND r.refunded_at IS NULL AND r.refund_due_by IS NOT NULL
             WHEN 'return.refunded_amount' THEN r.refunded_at IS NOT NULL
             ELSE TRUE END;

CREATE TRIGGER returns_stats_in AFTER INSERT ON returns BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, n FROM return_stat_rows WHERE id = NEW.id;
END;
CREATE TRIGGER returns_stats_out BEFORE UPDATE OF status, seller_decide_by, decided_at, picked_up_at, refunded_at, refund_due_by, refund_amount ON returns BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, -n FROM return_stat_rows WHERE id = OLD.id;
END;
CREATE TRIGGER returns_stats_back AFTER UPDATE OF status, seller_decide_by, decided_at, picked_up_at, refunded_at, refund_due_by, refund_amount ON returns BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, n FROM return_stat_rows WHERE id = NEW.id;
END;
CREATE TRIGGER returns_stats_gone BEFORE DELETE ON returns BEGIN
    INSERT INTO shop_stat_deltas (shop_id, day, metric, code, n) SELECT shop_id, day, metric, code, -n FROM return_stat_rows WHERE id = OLD.id;
END;

-- What exists already, counted once.
INSERT INTO shop_stat_days (shop_id, day, metric, code, n)
SELECT shop_id, day, metric, code, SUM(n) FROM (
    SELECT shop_id, day, metric, code, n FROM review_stat_rows
    UNION ALL SELECT shop_id, day, metric, code, n FROM conversation_stat_rows
    UNION ALL SELECT shop_id, day, metric, code, n FROM complaint_stat_rows
    UNION ALL SELECT shop_id, day, metric, code, n FROM return_stat_rows) x
GROUP BY shop_id, day, metric, code;

-- The open rows whose deadline is still ahead, and the negative reviews published in the
-- last day (see db::stats::shop).
CREATE INDEX reviews_shop_published ON reviews (shop_id, published_at);
CREATE INDEX complaints_shop_respond_by ON complaints (shop_id, seller_respond_by);
CREATE INDEX complaints_shop_acknowledge_by ON complaints (shop_id, acknowledge_by);
CREATE INDEX complaints_shop_resolve_by ON complaints (shop_id, resolve_by);
CREATE INDEX returns_shop_decide_by ON returns (shop_id, seller_decide_by);
CREATE INDEX returns_shop_refund_due_by ON returns (shop_id, refund_due_by);

-- The medians: replies and first answers in the order of their duration, so that the middle
-- one is an index walk to half the window's count rather than a sort of every one.
CREATE INDEX reviews_shop_reply_gap
    ON reviews (shop_id, (julianday(reply_created_at) - julianday(published_at)), created_at)
    WHERE status = 'published' AND reply_created_at IS NOT NULL;
CREATE INDEX order_threads_shop_reply_gap
    ON order_threads (shop_id, (julianday(first_reply_at) - julianday(first_buyer_at)), first_buyer_at)
    WHERE first_reply_at IS NOT NULL;
