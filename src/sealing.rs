//! Webhook secrets at rest. The service must sign with them, so they cannot be hashed; they
//! are encrypted (XChaCha20-Poly1305) under a key that is not in the database:
//! `WEBHOOK_SECRETS_KEY` (base64 of 32 bytes), or, when unset, a key derived from
//! `JWT_SECRET`. A copy of the database alone does not give the secrets away.
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

/// Marks the format, so that a later scheme can sit beside this one.
const VERSION: &str = "v1.";

pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

#[derive(Debug, thiserror::Error)]
#[error("WEBHOOK_SECRETS_KEY must be base64 of exactly 32 bytes")]
pub struct BadKey;

impl Sealer {
    /// The configured key, or one derived from the JWT secret (domain-separated, so the two
    /// uses never share a key).
    pub fn new(key: Option<&str>, jwt_secret: &str) -> Result<Sealer, BadKey> {
        let key: [u8; 32] = match key {
            Some(b64) => STANDARD
                .decode(b64.trim())
                .ok()
                .and_then(|k| k.try_into().ok())
                .ok_or(BadKey)?,
            None => Sha256::new()
                .chain_update(b"aftersale webhook secrets v1\0")
                .chain_update(jwt_secret.as_bytes())
                .finalize()
                .into(),
        };
        Ok(Sealer {
            cipher: XChaCha20Poly1305::new(&Key::from(key)),
        })
    }

    pub fn seal(&self, plain: &str) -> String {
        use rand::RngCore;
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(&XNonce::from(nonce), plain.as_bytes())
            .expect("encryption of a short secret cannot fail");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!("{VERSION}{}", STANDARD.encode(out))
    }

    /// The secret, or `None` when it was sealed under another key or is damaged.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let raw = STANDARD.decode(sealed.strip_prefix(VERSION)?).ok()?;
        if raw.len() < 24 {
            return None;
        }
        let (nonce, body) = raw.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().ok()?;
        let plain = self.cipher.decrypt(&XNonce::from(nonce), body).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key() {
        let a = Sealer::new(None, "jwt-secret-a").unwrap();
        let b = Sealer::new(None, "jwt-secret-b").unwrap();
        let sealed = a.seal("whsec_abc");
        assert!(!sealed.contains("whsec_abc"));
        assert_eq!(a.open(&sealed).as_deref(), Some("whsec_abc"));
        assert_eq!(b.open(&sealed), None);
        // Two seals of one secret differ (fresh nonce).
        assert_ne!(a.seal("whsec_abc"), sealed);
    }

    #[test]
    fn a_configured_key_must_be_32_bytes() {
        assert!(Sealer::new(Some(&STANDARD.encode([7u8; 32])), "x").is_ok());
        assert!(Sealer::new(Some("c2hvcnQ="), "x").is_err());
    }
}
