-- A shop at marketplace size for GET /shops/{id}/stats, on top of bench/seed.sql's 100k
-- orders: 100k reviews, 2k flags, 20k complaints, 20k returns, 50k messages, all within the
-- last 90 days. psql variables: :shop, :seller.
INSERT INTO reviews (id, order_item_id, order_id, product_id, shop_id, author_id, rating, shop_rating, body,
                     attachment_ids, has_media, status, hidden, version, screening, moderation_due_at,
                     removal_reason, removed_by, removed_at, removal_no, reply_body, reply_author_id,
                     reply_created_at, reply_updated_at, window_until, created_at, updated_at, published_at, deleted_at)
SELECT 'review-' || lpad(i::text, 6, '0'), oi.id, o.id, oi.product_id, o.shop_id, o.buyer_id,
       1 + (i * 7) % 5, CASE WHEN i % 3 = 0 THEN 1 + i % 5 END, 'Отзыв номер ' || i, '[]', FALSE,
       CASE WHEN i % 25 = 0 THEN 'pending_moderation' WHEN i % 33 = 0 THEN 'removed'
            WHEN i % 37 = 0 THEN 'deleted' ELSE 'published' END,
       FALSE, 1, '[]', NULL,
       CASE WHEN i % 33 = 0 THEN 'offensive_language' END, NULL, NULL, 0,
       CASE WHEN i % 3 <> 0 THEN 'Спасибо!' END, NULL,
       CASE WHEN i % 3 <> 0 THEN c.at + ((i % 47) || ' hours')::interval END,
       CASE WHEN i % 3 <> 0 THEN c.at + ((i % 47) || ' hours')::interval END,
       c.at + interval '14 days', c.at, c.at, c.at, NULL
FROM generate_series(1, 100000) AS i
JOIN orders o ON o.id = 'order-' || lpad(i::text, 6, '0')
JOIN order_items oi ON oi.order_id = o.id AND oi.position = 0
CROSS JOIN LATERAL (SELECT now()::timestamp - ((i * 77) % 129600 || ' minutes')::interval AS at) c;

INSERT INTO review_flags (id, review_id, shop_id, seller_id, reason, comment, attachment_ids, snapshot, status,
                          due_at, decided_by, decided_at, decision_note, created_at)
SELECT 'flag-' || i, 'review-' || lpad((i * 50)::text, 6, '0'), :'shop', :'seller',
       CASE WHEN i % 2 = 0 THEN 'offensive_language' ELSE 'rules_violation' END, 'see', '[]', '{}',
       CASE WHEN i % 3 = 0 THEN 'open' WHEN i % 3 = 1 THEN 'upheld' ELSE 'dismissed' END,
       r.created_at + interval '3 days', NULL, NULL, NULL, r.created_at + interval '1 hour'
FROM generate_series(1, 2000) AS i JOIN reviews r ON r.id = 'review-' || lpad((i * 50)::text, 6, '0');

INSERT INTO complaints (id, number, order_id, buyer_id, shop_id, target, category, description, details, status,
                        track, assignee_id, filed_at, acknowledge_by, acknowledged_at, seller_respond_by,
                        seller_responded_at, clock_started_at, paused_at, paused_secs, resolve_by, extended,
                        last_reply_at, escalated_at, resolution, resolved_at, resolved_by, appeal_until,
                        appealed_at, appealed_resolver, due_at, updated_at)
SELECT 'complaint-' || i, 'C-2026-' || lpad(i::text, 6, '0'), o.id, o.buyer_id, o.shop_id, 'seller',
       (ARRAY['not_as_described', 'defective', 'delivery_deadline_missed', 'other'])[1 + i % 4],
       'Описание проблемы', '{}',
       CASE WHEN i % 2 = 0 THEN 'resolved' WHEN i % 5 = 0 THEN 'withdrawn' ELSE 'in_review' END,
       'standard', NULL, c.at, c.at + interval '3 days',
       CASE WHEN i % 4 <> 0 THEN c.at + ((i % 90) || ' hours')::interval END,
       c.at + interval '48 hours', CASE WHEN i % 3 <> 0 THEN c.at + ((i % 60) || ' hours')::interval END,
       c.at, NULL, 0, c.at + interval '5 days', FALSE, c.at, NULL,
       CASE WHEN i % 2 = 0 THEN '{"outcome":"' || (ARRAY['upheld', 'rejected', 'partially_upheld'])[1 + i % 3]
                                 || '","remedy":{"kind":"none"},"explanation":"x"}' END,
       CASE WHEN i % 2 = 0 THEN c.at + ((i % 150) || ' hours')::interval END,
       NULL, NULL, NULL, NULL, NULL, c.at
FROM generate_series(1, 20000) AS i
JOIN orders o ON o.id = 'order-' || lpad(i::text, 6, '0')
CROSS JOIN LATERAL (SELECT now()::timestamp - ((i * 61) % 129600 || ' minutes')::interval AS at) c;

INSERT INTO returns (id, number, order_id, buyer_id, shop_id, reason, description, status, requested_at,
                     window_until, seller_decide_by, escalated_at, decided_at, decided_by, rejection,
                     dispute_until, disputed_at, complaint_id, pickup_at, picked_up_at, refund_due_by,
                     refunded_at, refund_amount, refundable_amount, cancelled_at, due_at, updated_at)
SELECT 'return-' || i, 'R-2026-' || lpad(i::text, 6, '0'), o.id, o.buyer_id, o.shop_id,
       (ARRAY['changed_mind', 'defective', 'wrong_item', 'not_as_described'])[1 + i % 4], NULL,
       CASE WHEN i % 3 = 0 THEN 'refunded' WHEN i % 3 = 1 THEN 'approved' ELSE 'requested' END,
       c.at, c.at + interval '14 days', c.at + interval '2 days', NULL,
       CASE WHEN i % 3 <> 2 THEN c.at + ((i % 70) || ' hours')::interval END, NULL, NULL, NULL, NULL, NULL, NULL,
       CASE WHEN i % 3 = 0 THEN c.at + interval '3 days' END,
       CASE WHEN i % 3 = 0 THEN c.at + interval '3 days 1 hour' END,
       CASE WHEN i % 3 = 0 THEN c.at + interval '3 days' + ((i % 90) || ' minutes')::interval END,
       CASE WHEN i % 3 = 0 THEN 3500 END, 3500, NULL, NULL, c.at
FROM generate_series(1, 20000) AS i
JOIN orders o ON o.id = 'order-' || lpad((20000 + i)::text, 6, '0')
CROSS JOIN LATERAL (SELECT now()::timestamp - ((i * 59) % 129600 || ' minutes')::interval AS at) c;

-- 50k messages: the buyers of 25k orders write; two sellers' answers in three come back.
INSERT INTO order_messages (id, order_id, author_id, author_role, body, created_at)
SELECT 'msg-b-' || i, o.id, o.buyer_id, 'buyer', 'Где мой заказ?',
       now()::timestamp - ((i * 53) % 129600 || ' minutes')::interval
FROM generate_series(1, 25000) AS i JOIN orders o ON o.id = 'order-' || lpad((40000 + i)::text, 6, '0');
INSERT INTO order_messages (id, order_id, author_id, author_role, body, created_at)
SELECT 'msg-s-' || i, m.order_id, :'seller', 'seller', 'Уже в пути',
       m.created_at + ((i % 60) || ' hours')::interval
FROM generate_series(1, 25000) AS i JOIN order_messages m ON m.id = 'msg-b-' || i
WHERE i % 3 <> 0;
INSERT INTO order_messages (id, order_id, author_id, author_role, body, created_at)
SELECT 'msg-b2-' || i, m.order_id, m.author_id, 'buyer', 'Спасибо', m.created_at + interval '70 hours'
FROM generate_series(1, 25000) AS i JOIN order_messages m ON m.id = 'msg-b-' || i
WHERE i % 3 = 0;

-- The conversations' rows the service keeps on write.
INSERT INTO order_threads (order_id, shop_id, awaiting_since, last_reply_at, reply_due_by, updated_at,
                           first_buyer_at, first_reply_at)
SELECT b.order_id, :'shop', NULL, s.created_at, NULL, b.created_at, b.created_at, s.created_at
FROM order_messages b LEFT JOIN order_messages s ON s.id = 'msg-s-' || substr(b.id, 7)
WHERE b.id LIKE 'msg-b-%';

-- The rating counters the service keeps on write, for these reviews.
INSERT INTO rating_summaries (subject_type, subject_id, c1, c2, c3, c4, c5)
SELECT 'shop', shop_id,
       count(*) FILTER (WHERE COALESCE(shop_rating, rating) = 1), count(*) FILTER (WHERE COALESCE(shop_rating, rating) = 2),
       count(*) FILTER (WHERE COALESCE(shop_rating, rating) = 3), count(*) FILTER (WHERE COALESCE(shop_rating, rating) = 4),
       count(*) FILTER (WHERE COALESCE(shop_rating, rating) = 5)
FROM reviews WHERE status = 'published' AND NOT hidden GROUP BY shop_id
ON CONFLICT (subject_type, subject_id) DO NOTHING;
INSERT INTO rating_days (subject_type, subject_id, day, c1, c2, c3, c4, c5)
SELECT 'shop', shop_id, to_char(created_at + interval '5 hours', 'YYYY-MM-DD'),
       count(*) FILTER (WHERE COALESCE(shop_rating, rating) = 1), count(*) FILTER (WHERE COALESCE(shop_rating, rating) = 2),
       count(*) FILTER (WHERE COALESCE(shop_rating, rating) = 3), count(*) FILTER (WHERE COALESCE(shop_rating, rating) = 4),
       count(*) FILTER (WHERE COALESCE(shop_rating, rating) = 5)
FROM reviews WHERE status = 'published' AND NOT hidden GROUP BY shop_id, 3;

VACUUM ANALYZE;
