//! `GET /catalogues`: every code with its label in the caller's language and its rule numbers.
pub mod handlers;
