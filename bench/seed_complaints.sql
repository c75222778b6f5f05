-- 30k complaints already on file, as a running marketplace has them, so the filing benchmark
-- measures the steady state (courier cases: the benchmark files seller cases, which these must
-- not make duplicates): every case with its first event and its sellers' notification,
-- and the year's case counter past them. (Started on empty tables, PostgreSQL plans the
-- filing's prepared statements for empty tables; the growth run in bench/run measures that.)
-- psql variables: :shop, :seller.
INSERT INTO complaints (id, number, order_id, buyer_id, shop_id, target, category, description, details, status,
                        track, filed_at, acknowledge_by, seller_respond_by, clock_started_at, paused_secs,
                        resolve_by, extended, last_reply_at, due_at, updated_at)
SELECT 'seeded-complaint-' || i, 'C-' || extract(year FROM now())::int || '-' || lpad(i::text, 6, '0'),
       o.id, o.buyer_id, o.shop_id, 'courier',
       (ARRAY['courier_misconduct', 'courier_unreachable'])[1 + i % 2],
       'Товар не соответствует описанию в карточке магазина', '{}',
       CASE WHEN i % 3 = 0 THEN 'submitted' ELSE 'closed' END, 'standard',
       f.at, f.at + interval '3 days', f.at + interval '2 days', f.at, 0, f.at + interval '5 days', FALSE, f.at,
       -- Open cases are due in the future and closed ones are due never again: the sweeper
       -- finds nothing to do, as in a marketplace that keeps its deadlines.
       CASE WHEN i % 3 = 0 THEN f.at + interval '2 days' ELSE timestamp '2100-01-01' END, f.at
FROM generate_series(1, 30000) AS i
JOIN orders o ON o.id = 'order-' || lpad((100001 - i)::text, 6, '0')
-- Open cases were filed within the last hour, closed ones within the last 30 days.
CROSS JOIN LATERAL (SELECT now()::timestamp - CASE WHEN i % 3 = 0 THEN (i % 3600 || ' seconds')::interval
                                                   ELSE (i % 43200 || ' minutes')::interval END AS at) f;

INSERT INTO complaint_events (id, complaint_id, kind, actor_id, actor_role, audience, data, created_at)
SELECT 'seeded-event-' || i, 'seeded-complaint-' || i, 'filed', c.buyer_id, 'buyer', 'public',
       '{"status":"submitted","target":"seller"}', c.filed_at
FROM generate_series(1, 30000) AS i JOIN complaints c ON c.id = 'seeded-complaint-' || i;

INSERT INTO notifications (id, user_id, kind, subject_type, subject_id, data, created_at)
SELECT 'seeded-notice-' || i, :'seller', 'complaint_filed', 'complaint', 'seeded-complaint-' || i,
       '{"event":"filed","status":"submitted"}', now() - interval '10 days'
FROM generate_series(1, 30000) AS i;

INSERT INTO case_counters (prefix, year, last_value)
VALUES ('C', extract(year FROM now())::int, 30000)
ON CONFLICT (prefix, year) DO UPDATE SET last_value = GREATEST(case_counters.last_value, 30000);
