-- What a cache may keep of the public review lists (ETag): a version per product and per shop,
-- raised by every change to one of their reviews. A trigger rather than code in each write
-- path: no path can forget it, and it commits (or rolls back) with the change.
CREATE TABLE review_list_versions (
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (subject_type, subject_id)
);

CREATE TRIGGER reviews_raise_list_versions_insert AFTER INSERT ON reviews
BEGIN
    INSERT INTO review_list_versions (subject_type, subject_id, version) VALUES ('shop', NEW.shop_id, 1)
    ON CONFLICT (subject_type, subject_id) DO UPDATE SET version = version + 1;
    INSERT INTO review_list_versions (subject_type, subject_id, version) VALUES ('product', NEW.product_id, 1)
    ON CONFLICT (subject_type, subject_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER reviews_raise_list_versions_update AFTER UPDATE ON reviews
BEGIN
    INSERT INTO review_list_versions (subject_type, subject_id, version) VALUES ('shop', NEW.shop_id, 1)
    ON CONFLICT (subject_type, subject_id) DO UPDATE SET version = version + 1;
    INSERT INTO review_list_versions (subject_type, subject_id, version) VALUES ('product', NEW.product_id, 1)
    ON CONFLICT (subject_type, subject_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER reviews_raise_list_versions_delete AFTER DELETE ON reviews
BEGIN
    INSERT INTO review_list_versions (subject_type, subject_id, version) VALUES ('shop', OLD.shop_id, 1)
    ON CONFLICT (subject_type, subject_id) DO UPDATE SET version = version + 1;
    INSERT INTO review_list_versions (subject_type, subject_id, version) VALUES ('product', OLD.product_id, 1)
    ON CONFLICT (subject_type, subject_id) DO UPDATE SET version = version + 1;
END;

INSERT INTO review_list_versions (subject_type, subject_id, version)
SELECT 'shop', shop_id, 1 FROM reviews GROUP BY shop_id
UNION ALL
SELECT 'product', product_id, 1 FROM reviews GROUP BY product_id;
