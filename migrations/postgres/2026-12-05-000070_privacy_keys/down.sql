DROP TABLE privacy_keys;
