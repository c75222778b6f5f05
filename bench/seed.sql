-- 100k orders (2 items each) across 1,000 buyers of one shop. The benchmark buyer
-- (created through the CLI so that it can log in) owns every 1,000th order.
-- psql variables: :bench_buyer (id of the benchmark buyer), :shop (its shop id).
INSERT INTO users (id, email, password_hash, full_name, phone, role, shop_id, created_at)
SELECT 'buyer-' || b, 'buyer' || b || '@bench.kz', '!', 'Bench Buyer' || b, '+7701' || lpad(b::text, 7, '0'),
       'buyer', NULL, now()
FROM generate_series(1, 999) AS b;

INSERT INTO orders (id, external_id, buyer_id, shop_id, placed_at, delivery_type, courier_id, courier_name,
                    promised_at, delivered_at, failed_attempts, status, total_amount, created_at, updated_at)
SELECT 'order-' || lpad(i::text, 6, '0'), 'EXT-' || i,
       CASE WHEN i % 1000 = 0 THEN :'bench_buyer' ELSE 'buyer-' || (i % 1000) END,
       :'shop',
       timestamp '2026-01-01' + (i || ' minutes')::interval,
       CASE WHEN i % 3 = 0 THEN 'intercity' ELSE 'city' END, 'CR-' || (i % 50), 'Courier ' || (i % 50),
       timestamp '2026-01-03' + (i || ' minutes')::interval,
       timestamp '2026-01-02' + (i || ' minutes')::interval,
       0, 'delivered', 153500, now(), now()
FROM generate_series(1, 100000) AS i;

INSERT INTO order_items (id, order_id, position, product_id, title, category, quantity, unit_price)
SELECT 'item-' || lpad(i::text, 6, '0') || '-' || p, 'order-' || lpad(i::text, 6, '0'), p - 1,
       'P-' || ((i * 7 + p) % 5000), 'Product ' || ((i * 7 + p) % 5000), 'electronics',
       CASE WHEN p = 1 THEN 1 ELSE 1 END, CASE WHEN p = 1 THEN 150000 ELSE 3500 END
FROM generate_series(1, 100000) AS i, generate_series(1, 2) AS p;

ANALYZE;
