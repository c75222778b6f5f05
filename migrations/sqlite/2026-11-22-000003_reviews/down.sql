DROP TABLE shop_rating_days;
DROP TABLE rating_summaries;
DROP TABLE moderation_log;
DROP TABLE review_appeals;
DROP TABLE review_flags;
DROP TABLE review_versions;
DROP TABLE review_photos;
DROP TABLE reviews;
ALTER TABLE shops DROP COLUMN rating_critical;
