-- The views as migration 000016 made them.
CREATE OR REPLACE VIEW review_stat_rows AS
SELECT r.id AS id, r.shop_id, r.created_at AS at, CAST(r.created_at AS DATE) AS day, k.metric,
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
             WHEN 'review.negative_in_24h' THEN r.status = 'published' AND COALESCE(r.shop_rating, r.rating) <= 2 AND r.reply_created_at IS NOT NULL AND r.reply_created_at <= r.published_at + INTERVAL '86400 seconds'
             WHEN 'review.replied' THEN r.status = 'published' AND r.reply_created_at IS NOT NULL
             ELSE TRUE END;

CREATE OR REPLACE VIEW conversation_stat_rows AS
SELECT r.order_id AS id, r.shop_id, r.first_buyer_at AS at, CAST(r.first_buyer_at AS DATE) AS day, k.metric,
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
             WHEN 'conversation.in_24h' THEN r.first_reply_at IS NOT NULL AND r.first_reply_at <= r.first_buyer_at + INTERVAL '86400 seconds'
             WHEN 'conversation.in_48h' THEN r.first_reply_at IS NOT NULL AND r.first_reply_at <= r.first_buyer_at + INTERVAL '172800 seconds'
             ELSE TRUE END;

DROP TABLE stat_targets;
