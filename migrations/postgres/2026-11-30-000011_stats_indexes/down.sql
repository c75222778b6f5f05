DROP INDEX review_flags_shop_created;
DROP INDEX reviews_shop_created;
