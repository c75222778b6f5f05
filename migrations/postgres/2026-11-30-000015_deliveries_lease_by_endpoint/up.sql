-- Every delivery insert checked its endpoint through this foreign key, which takes a key-share
-- lock on the endpoint's row. With one endpoint per shop, every filing of the shop locked the
-- same row at once, and PostgreSQL records several lockers of a row as a multixact, rewriting
-- the row's lock for each new one: measured with the dispatcher off, in 8 s slices, the outbox cost the filing 16 % of its
-- throughput with the key and 6 % without it (bench/RESULTS.md). The delete of an endpoint
-- removes its deliveries itself (db::webhooks::delete); a filing that read the endpoint just
-- before it was deleted may still add one, which is never sent (the claim starts from the
-- endpoints) and which the sweep removes (db::webhooks::deliveries::purge_orphans).
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_endpoint_id_fkey;

-- A claim leases the endpoint only; its deliveries are read, not marked (see
-- db::webhooks::deliveries::CLAIM_ENDPOINTS): one row version less per message.
ALTER TABLE webhook_deliveries DROP COLUMN lease_token, DROP COLUMN lease_until;
