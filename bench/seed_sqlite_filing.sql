-- SQLite's file for the filing benchmark (bench/run's sqlite_filing step), on a migrated file
-- where bench/run has created bench-seller@bench.kz (with its shop) and bench-buyer@bench.kz:
-- the counterpart of seed.sql and seed_complaints.sql, in the state the PostgreSQL filing step
-- measures — every order the benchmark buyer's, delivered yesterday, and 30k cases on file.
--   order-000001…100000: the API's filings (bench/file_complaint.lua);
--   order-100001…200000: the ceiling's (bench/sqlite_ceiling.rs `file`), so the two never file
--   a duplicate of each other's open cases.
-- Instants are written as diesel writes them on SQLite: 'YYYY-MM-DD HH:MM:SS.SSS', UTC.
CREATE TEMP TABLE bench AS
SELECT (SELECT id FROM users WHERE email = 'bench-buyer@bench.kz') AS buyer,
       (SELECT shop_id FROM users WHERE email = 'bench-seller@bench.kz') AS shop,
       (SELECT id FROM users WHERE email = 'bench-seller@bench.kz') AS seller,
       strftime('%Y-%m-%d %H:%M:%f', 'now') AS now,
       CAST(strftime('%Y', 'now') AS INTEGER) AS year;

BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO orders (id, external_id, buyer_id, shop_id, placed_at, delivery_type, courier_id, courier_name,
                    promised_at, delivered_at, failed_attempts, status, total_amount, created_at, updated_at)
SELECT printf('order-%06d', i), 'EXT-' || i, b.buyer, b.shop,
       strftime('%Y-%m-%d %H:%M:%f', 'now', '-3 days', '+' || (i % 1440) || ' minutes'),
       CASE WHEN i % 3 = 0 THEN 'intercity' ELSE 'city' END, 'CR-' || (i % 50), 'Courier ' || (i % 50),
       strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 day'), strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 day'),
       0, 'delivered', 153500, b.now, b.now
FROM n, bench b;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO order_items (id, order_id, position, product_id, title, category, quantity, unit_price)
SELECT printf('item-%06d-%d', i, p), printf('order-%06d', i), p - 1,
       'P-' || ((i * 7 + p) % 5000), 'Product ' || ((i * 7 + p) % 5000), 'electronics',
       1, CASE WHEN p = 1 THEN 150000 ELSE 3500 END
FROM n, (SELECT 1 AS p UNION ALL SELECT 2);

-- 30k courier cases (the benchmark files seller cases, which these must not make duplicates)
-- on order-100000 downwards, each with its first event and its sellers' notification; open
-- ones (every third) were filed within the last hour and are due in the future, closed ones
-- within the last 30 days and due never again, so the sweeper finds nothing to do.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000),
f AS (SELECT i, CASE WHEN i % 3 = 0 THEN '-' || (i % 3600) || ' seconds'
                     ELSE '-' || (i % 43200) || ' minutes' END AS ago FROM n)
INSERT INTO complaints (id, number, order_id, buyer_id, shop_id, target, category, description, details, status,
                        track, filed_at, acknowledge_by, seller_respond_by, clock_started_at, paused_secs,
                        resolve_by, extended, last_reply_at, due_at, updated_at)
SELECT 'seeded-complaint-' || i, printf('C-%d-%06d', b.year, i), printf('order-%06d', 100001 - i), b.buyer, b.shop,
       'courier', CASE WHEN i % 2 = 0 THEN 'courier_misconduct' ELSE 'courier_unreachable' END,
       'Товар не соответствует описанию в карточке магазина', '{}',
       CASE WHEN i % 3 = 0 THEN 'submitted' ELSE 'closed' END, 'standard',
       strftime('%Y-%m-%d %H:%M:%f', 'now', ago),
       strftime('%Y-%m-%d %H:%M:%f', 'now', ago, '+3 days'),
       strftime('%Y-%m-%d %H:%M:%f', 'now', ago, '+2 days'),
       strftime('%Y-%m-%d %H:%M:%f', 'now', ago), 0,
       strftime('%Y-%m-%d %H:%M:%f', 'now', ago, '+5 days'), 0,
       strftime('%Y-%m-%d %H:%M:%f', 'now', ago),
       CASE WHEN i % 3 = 0 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', ago, '+2 days')
            ELSE '2100-01-01 00:00:00.000' END,
       strftime('%Y-%m-%d %H:%M:%f', 'now', ago)
FROM f, bench b;

INSERT INTO complaint_events (id, complaint_id, kind, actor_id, actor_role, audience, data, created_at)
SELECT 'seeded-event-' || substr(c.id, 18), c.id, 'filed', c.buyer_id, 'buyer', 'public',
       '{"status":"submitted","target":"courier"}', c.filed_at
FROM complaints c WHERE c.id LIKE 'seeded-complaint-%';

INSERT INTO notifications (id, user_id, kind, subject_type, subject_id, data, created_at)
SELECT 'seeded-notice-' || substr(c.id, 18), b.seller, 'complaint_filed', 'complaint', c.id,
       '{"event":"filed","status":"submitted"}', strftime('%Y-%m-%d %H:%M:%f', 'now', '-10 days')
FROM complaints c, bench b WHERE c.id LIKE 'seeded-complaint-%';

INSERT INTO case_counters (prefix, year, last_value)
SELECT 'C', year, 30000 FROM bench WHERE true
ON CONFLICT (prefix, year) DO UPDATE SET last_value = max(case_counters.last_value, 30000);
COMMIT;

ANALYZE;
