CREATE TABLE shop_rating_days (
    shop_id TEXT NOT NULL,
    day TEXT NOT NULL,
    c1 BIGINT NOT NULL,
    c2 BIGINT NOT NULL,
    c3 BIGINT NOT NULL,
    c4 BIGINT NOT NULL,
    c5 BIGINT NOT NULL,
    PRIMARY KEY (shop_id, day)
);
INSERT INTO shop_rating_days (shop_id, day, c1, c2, c3, c4, c5)
SELECT subject_id, day, c1, c2, c3, c4, c5 FROM rating_days WHERE subject_type = 'shop';
DROP TABLE rating_days;
