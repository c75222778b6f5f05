-- Reviews for the GET /products/{id}/reviews benchmark: 5,000 published reviews of P-HOT
-- (the items of orders 1..5000 are that product) and 45,000 more spread over other
-- products. Rating summaries are built the way the service keeps them.
UPDATE order_items SET product_id = 'P-HOT', title = 'Hot product'
WHERE position = 0 AND order_id <= 'order-005000';

INSERT INTO reviews (id, order_item_id, order_id, product_id, shop_id, author_id, rating, shop_rating, body,
                     attachment_ids, has_media, status, hidden, version, screening, moderation_due_at,
                     removal_reason, removed_by, removed_at, removal_no, reply_body, reply_author_id,
                     reply_created_at, reply_updated_at, window_until, created_at, updated_at, published_at, deleted_at)
SELECT 'review-' || lpad(i::text, 6, '0'), oi.id, o.id, oi.product_id, o.shop_id, o.buyer_id,
       1 + (i * 7) % 5, CASE WHEN i % 3 = 0 THEN 1 + i % 5 END,
       'Отзыв номер ' || i || ': товар соответствует описанию, доставка вовремя, упаковка целая.',
       CASE WHEN i % 10 = 0 THEN '["att-' || i || '"]' ELSE '[]' END, i % 10 = 0,
       'published', FALSE, 1, '[]', NULL, NULL, NULL, NULL, 0,
       CASE WHEN i % 4 = 0 THEN 'Спасибо за отзыв!' END, NULL,
       CASE WHEN i % 4 = 0 THEN o.delivered_at + interval '2 days' END,
       CASE WHEN i % 4 = 0 THEN o.delivered_at + interval '2 days' END,
       o.delivered_at + interval '14 days', o.delivered_at + interval '1 day', o.delivered_at + interval '1 day',
       o.delivered_at + interval '1 day', NULL
FROM generate_series(1, 50000) AS i
JOIN orders o ON o.id = 'order-' || lpad(i::text, 6, '0')
JOIN order_items oi ON oi.order_id = o.id AND oi.position = 0;

INSERT INTO rating_summaries (subject_type, subject_id, c1, c2, c3, c4, c5)
SELECT 'product', product_id,
       count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2), count(*) FILTER (WHERE rating = 3),
       count(*) FILTER (WHERE rating = 4), count(*) FILTER (WHERE rating = 5)
FROM reviews WHERE status = 'published' AND NOT hidden GROUP BY product_id;

ANALYZE;
