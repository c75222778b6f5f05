-- The shop's webhook history, as a shop that has had an endpoint for a while has it: 30k
-- messages delivered to an endpoint it has since switched off, each with its attempt. The
-- filing benchmark's endpoint then starts beside tables of steady-state size (plans and
-- statistics as production sees them), not empty ones. psql variables: :shop.
INSERT INTO webhook_endpoints (id, shop_id, url, description, events, enabled, disabled_reason, secret,
                               created_at, updated_at)
VALUES ('seeded-endpoint', :'shop', 'https://hooks.example.kz/old', 'replaced', '["*"]', FALSE, 'seller',
        'not-a-secret', now() - interval '60 days', now() - interval '1 day');

INSERT INTO webhook_messages (id, shop_id, event_type, body, created_at)
SELECT 'msg_seeded' || lpad(i::text, 6, '0'), :'shop', 'complaint.filed',
       '{"type":"complaint.filed","timestamp":"2026-10-01T00:00:00Z","data":{}}',
       now() - ((30000 - i) || ' minutes')::interval
FROM generate_series(1, 30000) AS i;

INSERT INTO webhook_deliveries (id, endpoint_id, message_id, status, attempts, next_attempt_at,
                                last_status_code, created_at, updated_at)
SELECT 'seeded-delivery-' || i, 'seeded-endpoint', 'msg_seeded' || lpad(i::text, 6, '0'), 'delivered', 1, NULL,
       200, now() - ((30000 - i) || ' minutes')::interval, now() - ((30000 - i) || ' minutes')::interval
FROM generate_series(1, 30000) AS i;

INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, duration_ms, error, response_snippet)
SELECT 'seeded-attempt-' || i, 'seeded-delivery-' || i, now() - ((30000 - i) || ' minutes')::interval, 200, 3,
       NULL, 'ok'
FROM generate_series(1, 30000) AS i;
