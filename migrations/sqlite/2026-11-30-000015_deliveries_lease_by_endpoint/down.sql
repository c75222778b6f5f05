ALTER TABLE webhook_deliveries ADD COLUMN lease_token TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN lease_until TIMESTAMP;
