//! Who is calling: passwords (argon2id), access tokens (JWT HS256), refresh tokens
//! (opaque, stored hashed, rotated) and the `AuthUser` extractor.
pub mod extractor;
pub mod hashing;
pub mod jwt;
pub mod password;
pub mod refresh;
pub mod trust;

pub use extractor::{AuthUser, MaybeUser};
