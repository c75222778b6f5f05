-- Conversations keep when their buyer first wrote and when the seller first answered after
-- that (kept on write by db::messages::post), so that the dashboard's conversation figures
-- read one row per conversation instead of every message of every order of the shop.
ALTER TABLE order_threads ADD COLUMN first_buyer_at TIMESTAMP;
ALTER TABLE order_threads ADD COLUMN first_reply_at TIMESTAMP;
UPDATE order_threads SET first_buyer_at = (
    SELECT MIN(m.created_at) FROM order_messages m
    WHERE m.order_id = order_threads.order_id AND m.author_role = 'buyer');
UPDATE order_threads SET first_reply_at = (
    SELECT MIN(m.created_at) FROM order_messages m
    WHERE m.order_id = order_threads.order_id AND m.author_role = 'seller'
      AND m.created_at >= order_threads.first_buyer_at)
WHERE first_buyer_at IS NOT NULL;
CREATE INDEX order_threads_shop_first ON order_threads (shop_id, first_buyer_at);

-- The reviews' figures read only these columns: an index that holds them all is read without
-- the table.
DROP INDEX reviews_shop_created;
CREATE INDEX reviews_shop_created ON reviews
    (shop_id, created_at, status, rating, shop_rating, published_at, reply_created_at);
