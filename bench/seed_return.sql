-- One return of the benchmark buyer's order-050000 (picked up, refund pending), with evidence
-- and a four-event timeline: what GET /api/v1/returns/{id} shows the buyer's app.
INSERT INTO attachments (id, uploader_id, content_type, size, sha256, storage_key, created_at)
VALUES ('att-bench', :'buyer', 'image/jpeg', 123456, repeat('a', 64), 'bench/att-bench', now());
INSERT INTO returns (id, number, order_id, buyer_id, shop_id, reason, description, status,
    requested_at, window_until, seller_decide_by, decided_at, decided_by, pickup_at, picked_up_at,
    refund_due_by, refundable_amount, due_at, updated_at)
SELECT 'return-bench', 'R-2026-900001', 'order-050000', :'buyer', :'shop', 'wrong_item',
    'Пришёл чехол другого цвета', 'picked_up', now() - interval '2 days', now() + interval '12 days',
    now() + interval '1 day', now() - interval '1 day', :'seller', now() - interval '1 hour',
    now() - interval '30 minutes', now() + interval '30 minutes', unit_price, now() + interval '30 minutes', now()
FROM order_items WHERE id = 'item-050000-1';
INSERT INTO return_items (return_id, order_item_id, quantity, unit_price)
SELECT 'return-bench', id, 1, unit_price FROM order_items WHERE id = 'item-050000-1';
INSERT INTO return_attachments (return_id, attachment_id, added_at) VALUES ('return-bench', 'att-bench', now());
INSERT INTO return_events (id, return_id, kind, actor_id, actor_role, data, created_at) VALUES
    ('rev-bench-1', 'return-bench', 'requested', :'buyer', 'buyer', '{"reason": "wrong_item", "status": "requested"}', now() - interval '2 days'),
    ('rev-bench-2', 'return-bench', 'approved', :'seller', 'seller', '{"from_status": "requested", "status": "approved"}', now() - interval '1 day'),
    ('rev-bench-3', 'return-bench', 'pickup_scheduled', :'seller', 'seller', '{"from_status": "approved", "status": "pickup_scheduled"}', now() - interval '20 hours'),
    ('rev-bench-4', 'return-bench', 'picked_up', NULL, 'service', '{"from_status": "pickup_scheduled", "status": "picked_up"}', now() - interval '30 minutes');
