DROP TRIGGER reviews_raise_list_versions ON reviews;
DROP FUNCTION raise_review_list_versions();
DROP TABLE review_list_versions;
