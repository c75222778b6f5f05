DROP TABLE notifications;
DROP TABLE attachments;
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TABLE shops;
