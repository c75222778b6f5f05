-- The views as migration 000016 made them.
DROP VIEW review_stat_rows;
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

DROP VIEW conversation_stat_rows;
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

DROP TABLE stat_targets;
