//! Pure rules: no actix, no diesel. Functions of (state, input, now, policy).
pub mod complaints;
pub mod media;
pub mod orders;
pub mod pagination;
pub mod privacy;
pub mod reviews;
pub mod roles;
pub mod screening;
