//! The one integration-test binary: the application over HTTP, in-process, against a real
//! database (SQLite by default; PostgreSQL when TEST_DATABASE_URL is a postgres:// URL).
mod attachments;
mod auth;
mod body_limits;
mod cli;
mod complaints;
mod concurrency;
mod conformance;
mod crash_retries;
mod delivery_failures;
mod errors;
mod helpers;
mod idempotency;
mod login_backoff;
mod messages;
mod moderation;
mod notifications;
mod openapi;
mod operations;
mod order_of_checks;
mod orders;
mod races;
mod returns;
mod reviews;
mod schema;
mod sweep;
mod text_input;
