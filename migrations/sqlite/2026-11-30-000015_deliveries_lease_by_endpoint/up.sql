-- PostgreSQL drops the delivery's foreign key to its endpoint here (its key-share locks made
-- every filing of a shop contend on the endpoint's row). SQLite runs one writer at a time and
-- takes no row locks, so it keeps the key.
--
-- A claim leases the endpoint only; its deliveries are read, not marked (see
-- db::webhooks::deliveries::CLAIM_ENDPOINTS).
ALTER TABLE webhook_deliveries DROP COLUMN lease_token;
ALTER TABLE webhook_deliveries DROP COLUMN lease_until;
