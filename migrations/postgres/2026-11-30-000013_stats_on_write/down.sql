DROP INDEX reviews_shop_created;
CREATE INDEX reviews_shop_created ON reviews (shop_id, created_at);
DROP INDEX order_threads_shop_first;
ALTER TABLE order_threads DROP COLUMN first_reply_at;
ALTER TABLE order_threads DROP COLUMN first_buyer_at;
