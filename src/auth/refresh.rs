//! Refresh tokens are random, shown to the client once, and stored only as a SHA-256 hash.
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn fingerprint(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_random_and_hashed() {
        let a = super::generate();
        assert_eq!(a.len(), 64);
        assert_ne!(a, super::generate());
        assert_eq!(super::fingerprint(&a).len(), 64);
        assert_ne!(super::fingerprint(&a), a);
    }
}
