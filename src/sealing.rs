//! Webhook secrets at rest. The service must sign with them, so they cannot be hashed; they
//! are encrypted (XChaCha20-Poly1305) under a key that is not in the database:
//! `WEBHOOK_SECRETS_KEY` (base64 of 32 bytes), or, when unset, a key derived from
//! `JWT_SECRET`. A copy of the database alone does not give the secrets away.
//!
//! Keys rotate with an overlap: secrets are sealed under the current key and opened with any
//! of the current key, `WEBHOOK_SECRETS_KEY_PREVIOUS`, and the keys derived from `JWT_SECRET`
//! and `JWT_PREVIOUS_SECRETS` (what a secret was sealed under before an explicit key was set,
//! or before the JWT secret rotated). `aftersale reseal-webhook-secrets` then seals every
//! stored secret under the current key, after which the old keys can go.
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

/// Marks the format, so that a later scheme can sit beside this one.
const VERSION: &str = "v1.";

pub struct Sealer {
    /// Seals; the first to try when opening.
    cipher: XChaCha20Poly1305,
    /// Open only: secrets sealed before a rotation.
    older: Vec<XChaCha20Poly1305>,
}

#[derive(Debug, thiserror::Error)]
#[error("WEBHOOK_SECRETS_KEY and WEBHOOK_SECRETS_KEY_PREVIOUS take base64 of exactly 32 bytes")]
pub struct BadKey;

/// What `reseal` made of a stored secret.
#[derive(Debug, PartialEq)]
pub enum Resealed {
    /// Already under the current key.
    Current,
    /// Opened with an older key; here it is under the current one.
    Resealed(String),
    /// No configured key opens it.
    Unreadable,
}

fn explicit(b64: &str) -> Result<[u8; 32], BadKey> {
    STANDARD
        .decode(b64.trim())
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or(BadKey)
}

/// Domain-separated, so that the JWT secret and this key never are one key.
fn derived(jwt_secret: &str) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"aftersale webhook secrets v1\0")
        .chain_update(jwt_secret.as_bytes())
        .finalize()
        .into()
}

impl Sealer {
    /// Seals under `key` (base64), or, when unset, a key derived from the first of
    /// `jwt_secrets` (the current JWT secret; the rest are its predecessors). Opens with that,
    /// then `previous` (base64), then the keys derived from every JWT secret.
    pub fn new(
        key: Option<&str>,
        previous: &[&str],
        jwt_secrets: &[&str],
    ) -> Result<Sealer, BadKey> {
        let current = match key {
            Some(b64) => explicit(b64)?,
            None => derived(jwt_secrets.first().copied().unwrap_or_default()),
        };
        let mut keys = vec![current];
        for k in previous {
            keys.push(explicit(k)?);
        }
        keys.extend(jwt_secrets.iter().map(|s| derived(s)));
        let mut unique: Vec<[u8; 32]> = Vec::new();
        for k in keys {
            if !unique.contains(&k) {
                unique.push(k);
            }
        }
        let mut ciphers = unique
            .iter()
            .map(|k| XChaCha20Poly1305::new(&Key::from(*k)));
        let cipher = ciphers.next().ok_or(BadKey)?;
        Ok(Sealer {
            cipher,
            older: ciphers.collect(),
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

    /// The secret, or `None` when no configured key opens it or it is damaged.
    pub fn open(&self, sealed: &str) -> Option<String> {
        std::iter::once(&self.cipher)
            .chain(&self.older)
            .find_map(|cipher| open_with(cipher, sealed))
    }

    /// The stored secret under the current key, for `reseal-webhook-secrets`.
    pub fn reseal(&self, sealed: &str) -> Resealed {
        if open_with(&self.cipher, sealed).is_some() {
            return Resealed::Current;
        }
        match self.open(sealed) {
            Some(plain) => Resealed::Resealed(self.seal(&plain)),
            None => Resealed::Unreadable,
        }
    }
}

fn open_with(cipher: &XChaCha20Poly1305, sealed: &str) -> Option<String> {
    let raw = STANDARD.decode(sealed.strip_prefix(VERSION)?).ok()?;
    if raw.len() < 24 {
        return None;
    }
    let (nonce, body) = raw.split_at(24);
    let nonce: [u8; 24] = nonce.try_into().ok()?;
    let plain = cipher.decrypt(&XNonce::from(nonce), body).ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key() {
        let a = Sealer::new(None, &[], &["jwt-secret-a"]).unwrap();
        let b = Sealer::new(None, &[], &["jwt-secret-b"]).unwrap();
        let sealed = a.seal("whsec_abc");
        assert!(!sealed.contains("whsec_abc"));
        assert_eq!(a.open(&sealed).as_deref(), Some("whsec_abc"));
        assert_eq!(b.open(&sealed), None);
        // Two seals of one secret differ (fresh nonce).
        assert_ne!(a.seal("whsec_abc"), sealed);
    }

    #[test]
    fn a_configured_key_must_be_32_bytes() {
        assert!(Sealer::new(Some(&STANDARD.encode([7u8; 32])), &[], &["x"]).is_ok());
        assert!(Sealer::new(Some("c2hvcnQ="), &[], &["x"]).is_err());
        assert!(Sealer::new(None, &["c2hvcnQ="], &["x"]).is_err());
    }

    #[test]
    fn rotating_the_jwt_secret_keeps_secrets_readable_and_reseal_moves_them() {
        let before = Sealer::new(None, &[], &["jwt-old"]).unwrap();
        let sealed = before.seal("whsec_abc");
        // JWT_SECRET=jwt-new, JWT_PREVIOUS_SECRETS=jwt-old.
        let overlap = Sealer::new(None, &[], &["jwt-new", "jwt-old"]).unwrap();
        assert_eq!(overlap.open(&sealed).as_deref(), Some("whsec_abc"));
        let Resealed::Resealed(moved) = overlap.reseal(&sealed) else {
            panic!("not resealed")
        };
        assert_eq!(overlap.reseal(&moved), Resealed::Current);
        // The old secret removed: what was resealed still opens.
        let after = Sealer::new(None, &[], &["jwt-new"]).unwrap();
        assert_eq!(after.open(&moved).as_deref(), Some("whsec_abc"));
        assert_eq!(after.open(&sealed), None);
        assert_eq!(after.reseal(&sealed), Resealed::Unreadable);
    }

    #[test]
    fn an_explicit_key_takes_over_from_the_derived_one_and_rotates() {
        let (k1, k2) = (STANDARD.encode([1u8; 32]), STANDARD.encode([2u8; 32]));
        let derived_only = Sealer::new(None, &[], &["jwt"]).unwrap();
        let old = derived_only.seal("whsec_derived");
        let under_k1 = Sealer::new(Some(&k1), &[], &["jwt"]).unwrap();
        assert_eq!(under_k1.open(&old).as_deref(), Some("whsec_derived"));
        let sealed_k1 = under_k1.seal("whsec_k1");
        // WEBHOOK_SECRETS_KEY=k2, WEBHOOK_SECRETS_KEY_PREVIOUS=k1.
        let under_k2 = Sealer::new(Some(&k2), &[&k1], &["jwt"]).unwrap();
        assert_eq!(under_k2.open(&sealed_k1).as_deref(), Some("whsec_k1"));
        assert!(matches!(under_k2.reseal(&sealed_k1), Resealed::Resealed(_)));
    }
}
