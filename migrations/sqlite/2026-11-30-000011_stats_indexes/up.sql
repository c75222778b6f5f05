-- Seller analytics read a shop's reviews and flags by when they were written, across every
-- status (the existing indexes lead with the status, for the public lists and the queue).
CREATE INDEX reviews_shop_created ON reviews (shop_id, created_at);
CREATE INDEX review_flags_shop_created ON review_flags (shop_id, created_at);
