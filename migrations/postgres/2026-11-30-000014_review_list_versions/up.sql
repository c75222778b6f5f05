-- What a cache may keep of the public review lists (ETag): a version per product and per shop,
-- raised by every change to one of their reviews — status, text, reply, anything. A trigger
-- rather than code in each write path: no path can forget it, and it commits (or rolls back)
-- with the change. The shop's row is taken before the product's, the same order everywhere.
CREATE TABLE review_list_versions (
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (subject_type, subject_id)
);

CREATE FUNCTION raise_review_list_versions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    shop TEXT;
    product TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        shop := OLD.shop_id; product := OLD.product_id;
    ELSE
        shop := NEW.shop_id; product := NEW.product_id;
    END IF;
    INSERT INTO review_list_versions (subject_type, subject_id, version) VALUES ('shop', shop, 1)
    ON CONFLICT (subject_type, subject_id) DO UPDATE SET version = review_list_versions.version + 1;
    INSERT INTO review_list_versions (subject_type, subject_id, version) VALUES ('product', product, 1)
    ON CONFLICT (subject_type, subject_id) DO UPDATE SET version = review_list_versions.version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER reviews_raise_list_versions AFTER INSERT OR UPDATE OR DELETE ON reviews
FOR EACH ROW EXECUTE FUNCTION raise_review_list_versions();

INSERT INTO review_list_versions (subject_type, subject_id, version)
SELECT 'shop', shop_id, 1 FROM reviews GROUP BY shop_id
UNION ALL
SELECT 'product', product_id, 1 FROM reviews GROUP BY product_id;
