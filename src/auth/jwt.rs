//! Access tokens: HS256 JWTs with `iss`, `aud`, `exp`, `nbf`. Expiry and not-before are
//! checked against the injected clock (not the library's system time), so tests and the
//! sweep see one notion of "now".
//!
//! Every token names its key in the header (`kid`): the service signs with the current
//! `JWT_SECRET` and also accepts the keys of `JWT_PREVIOUS_SECRETS`, so that a secret can be
//! rotated with an overlap. A token without a `kid`, or naming no key of ours, is refused.
use crate::domain::roles::Role;
use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
}

/// Seconds of clock difference tolerated on `exp` and `nbf`.
const LEEWAY_SECS: i64 = 5;

pub struct JwtKeys {
    encoding: EncodingKey,
    /// The current key's id, written into every token signed.
    kid: String,
    /// Every key a token may name: the current one first, then the previous ones.
    decoding: Vec<(String, DecodingKey)>,
    issuer: String,
    audience: String,
    validation: Validation,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TokenError {
    #[error("token rejected: {0}")]
    Invalid(String),
    #[error("token expired")]
    Expired,
    #[error("token not yet valid")]
    NotYetValid,
}

/// A key's public name: a digest of the secret (domain-separated, truncated to 64 bits), so
/// that operators list secrets only, and one secret always has one id on every instance.
/// It tells nothing a signed token does not: both are functions of the secret.
pub fn key_id(secret: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"aftersale jwt key id v1\0")
        .chain_update(secret)
        .finalize();
    hex::encode(&digest[..8])
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        // Checked below against the injected clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            kid: key_id(secret),
            decoding: vec![(key_id(secret), DecodingKey::from_secret(secret))],
            issuer: issuer.into(),
            audience: audience.into(),
            validation,
        }
    }

    /// Also accepts tokens signed with these (older) secrets, until they are removed.
    pub fn with_previous<'a>(mut self, secrets: impl IntoIterator<Item = &'a [u8]>) -> Self {
        for secret in secrets {
            let kid = key_id(secret);
            if !self.decoding.iter().any(|(k, _)| *k == kid) {
                self.decoding.push((kid, DecodingKey::from_secret(secret)));
            }
        }
        self
    }

    /// The id of the key new tokens are signed with.
    pub fn current_kid(&self) -> &str {
        &self.kid
    }

    pub fn claims_for(
        &self,
        user_id: &str,
        role: Role,
        shop_id: Option<String>,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Claims {
        Claims {
            sub: user_id.into(),
            role,
            shop_id,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: (now + ttl).timestamp(),
            jti: uuid::Uuid::now_v7().to_string(),
        }
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, String> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        encode(&header, claims, &self.encoding).map_err(|e| e.to_string())
    }

    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
        let kid = header
            .kid
            .ok_or_else(|| TokenError::Invalid("no key id".into()))?;
        let (_, key) = self
            .decoding
            .iter()
            .find(|(k, _)| *k == kid)
            .ok_or_else(|| TokenError::Invalid("unknown key id".into()))?;
        let data = decode::<Claims>(token, key, &self.validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        let claims = data.claims;
        let now = now.timestamp();
        if claims.exp + LEEWAY_SECS <= now {
            return Err(TokenError::Expired);
        }
        if claims.nbf - LEEWAY_SECS > now {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }

    /// jsonwebtoken panics on first use when its crypto backend is misconfigured; find
    /// out at start-up, not on the first request.
    pub fn self_check(&self) -> Result<(), String> {
        let now = Utc::now();
        let claims = self.claims_for(
            "self-check",
            Role::Service,
            None,
            now,
            TimeDelta::minutes(1),
        );
        let token = self.sign(&claims)?;
        self.verify(&token, now)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(
            b"test-secret-test-secret-test-secret",
            "aftersale",
            "aftersale-api",
        )
    }

    fn now() -> DateTime<Utc> {
        "2026-11-21T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn round_trip() {
        let k = keys();
        let c = k.claims_for(
            "u1",
            Role::Seller,
            Some("s1".into()),
            now(),
            TimeDelta::minutes(15),
        );
        let token = k.sign(&c).unwrap();
        assert_eq!(k.verify(&token, now()).unwrap(), c);
        assert!(k.self_check().is_ok());
    }

    #[test]
    fn expiry_and_not_before_follow_the_given_clock() {
        let k = keys();
        let c = k.claims_for("u1", Role::Buyer, None, now(), TimeDelta::minutes(15));
        let token = k.sign(&c).unwrap();
        assert!(k.verify(&token, now() + TimeDelta::minutes(14)).is_ok());
        assert_eq!(
            k.verify(&token, now() + TimeDelta::minutes(16)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            k.verify(&token, now() - TimeDelta::minutes(1)),
            Err(TokenError::NotYetValid)
        );
    }

    #[test]
    fn previous_keys_are_accepted_until_removed_and_unknown_kids_refused() {
        let old = b"old-secret-old-secret-old-secret-xx".as_slice();
        let new = b"new-secret-new-secret-new-secret-xx".as_slice();
        let signed_old = {
            let k = JwtKeys::new(old, "aftersale", "aftersale-api");
            let c = k.claims_for("u1", Role::Buyer, None, now(), TimeDelta::minutes(15));
            k.sign(&c).unwrap()
        };
        let rotated = JwtKeys::new(new, "aftersale", "aftersale-api").with_previous([old]);
        assert_eq!(rotated.verify(&signed_old, now()).unwrap().sub, "u1");
        // New tokens name the new key.
        let c = rotated.claims_for("u2", Role::Buyer, None, now(), TimeDelta::minutes(15));
        let signed_new = rotated.sign(&c).unwrap();
        let header = decode_header(&signed_new).unwrap();
        assert_eq!(header.kid.as_deref(), Some(key_id(new).as_str()));
        assert_ne!(key_id(new), key_id(old));
        // The old key removed: its tokens are refused.
        let done = JwtKeys::new(new, "aftersale", "aftersale-api");
        assert!(done.verify(&signed_new, now()).is_ok());
        assert!(matches!(
            done.verify(&signed_old, now()),
            Err(TokenError::Invalid(_))
        ));
    }

    #[test]
    fn a_kid_naming_no_key_or_no_kid_is_refused() {
        let secret = b"test-secret-test-secret-test-secret";
        let k = keys();
        let c = k.claims_for("u1", Role::Buyer, None, now(), TimeDelta::minutes(15));
        for kid in [Some("0011223344556677".to_string()), None] {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = kid;
            // Signed with the right secret: only the key id is wrong.
            let token = encode(&header, &c, &EncodingKey::from_secret(secret)).unwrap();
            assert!(matches!(
                k.verify(&token, now()),
                Err(TokenError::Invalid(_))
            ));
        }
    }

    #[test]
    fn other_secret_audience_or_issuer_is_rejected() {
        let c = keys().claims_for("u1", Role::Buyer, None, now(), TimeDelta::minutes(15));
        let token = keys().sign(&c).unwrap();
        for other in [
            JwtKeys::new(
                b"another-secret-another-secret-xx",
                "aftersale",
                "aftersale-api",
            ),
            JwtKeys::new(
                b"test-secret-test-secret-test-secret",
                "aftersale",
                "other-api",
            ),
            JwtKeys::new(
                b"test-secret-test-secret-test-secret",
                "someone-else",
                "aftersale-api",
            ),
        ] {
            assert!(matches!(
                other.verify(&token, now()),
                Err(TokenError::Invalid(_))
            ));
        }
    }
}
