-- Ratings per local (Almaty) day for products as for shops, so both have a 90-day figure.
CREATE TABLE rating_days (
    subject_type TEXT NOT NULL CHECK (subject_type IN ('product', 'shop')),
    subject_id TEXT NOT NULL,
    day TEXT NOT NULL,
    c1 BIGINT NOT NULL,
    c2 BIGINT NOT NULL,
    c3 BIGINT NOT NULL,
    c4 BIGINT NOT NULL,
    c5 BIGINT NOT NULL,
    PRIMARY KEY (subject_type, subject_id, day)
);

INSERT INTO rating_days (subject_type, subject_id, day, c1, c2, c3, c4, c5)
SELECT 'shop', shop_id, day, c1, c2, c3, c4, c5 FROM shop_rating_days;

-- Products were not kept per day: counted from their published, visible reviews. Kazakhstan
-- was UTC+6 until 2024-02-29 18:00 UTC, UTC+5 since.
INSERT INTO rating_days (subject_type, subject_id, day, c1, c2, c3, c4, c5)
SELECT 'product', product_id,
       date(created_at, CASE WHEN created_at < '2024-02-29 18:00:00'
                                 THEN '+6 hours' ELSE '+5 hours' END),
       SUM(CASE WHEN rating = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN rating = 2 THEN 1 ELSE 0 END),
       SUM(CASE WHEN rating = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN rating = 4 THEN 1 ELSE 0 END),
       SUM(CASE WHEN rating = 5 THEN 1 ELSE 0 END)
FROM reviews WHERE status = 'published' AND hidden = 0
GROUP BY 1, 2, 3;

DROP TABLE shop_rating_days;
