//! Access tokens: HS256 JWTs with `iss`, `aud`, `exp`, `nbf`. Expiry and not-before are
//! checked against the injected clock (not the library's system time), so tests and the
//! sweep see one notion of "now".
use crate::domain::roles::Role;
use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

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
    decoding: DecodingKey,
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
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.into(),
            audience: audience.into(),
            validation,
        }
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
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).map_err(|e| e.to_string())
    }

    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
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
