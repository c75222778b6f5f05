//! Argon2id with the OWASP minimum (19 MiB, t=2, p=1).
use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use rand::RngCore;

fn hasher() -> Argon2<'static> {
    // The constants are valid argon2 parameters; `Params::new` only fails on out-of-range values.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify(password: &str, stored: &str) -> bool {
    check(password, Some(stored))
}

/// Checks `password` against `stored` with exactly one Argon2 verification, whatever `stored`
/// is. An unknown account (`None`), an account that has no password (a service account) and a
/// damaged hash are checked against a dummy hash, so that no failure answers sooner than a
/// wrong password for a real account and the latency says nothing about the account.
pub fn check(password: &str, stored: Option<&str>) -> bool {
    match stored.and_then(|s| PasswordHash::new(s).ok()) {
        Some(parsed) => verify_parsed(password, &parsed),
        None => {
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let dummy = DUMMY.get_or_init(|| hash("dummy-password-for-timing").unwrap_or_default());
            if let Ok(parsed) = PasswordHash::new(dummy) {
                verify_parsed(password, &parsed);
            }
            false
        }
    }
}

thread_local! {
    static VERIFICATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Argon2 verifications run on this thread so far (what `Hashing` accounts a check by).
pub fn verifications_on_this_thread() -> u64 {
    VERIFICATIONS.with(|v| v.get())
}

fn verify_parsed(password: &str, parsed: &PasswordHash<'_>) -> bool {
    VERIFICATIONS.with(|v| v.set(v.get() + 1));
    hasher()
        .verify_password(password.as_bytes(), parsed)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_use_argon2id_owasp_parameters() {
        let h = hash("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery staple", &h));
        assert!(!verify("wrong", &h));
        assert!(!verify("x", "not a hash"));
        assert_ne!(h, hash("correct horse battery staple").unwrap(), "salted");
    }

    #[test]
    fn every_failure_costs_one_verification_like_a_wrong_password() {
        let real = hash("right").unwrap();
        for stored in [Some(real.as_str()), Some(""), Some("not a hash"), None] {
            let before = verifications_on_this_thread();
            assert!(!check("wrong", stored));
            assert_eq!(verifications_on_this_thread() - before, 1, "{stored:?}");
        }
        assert!(check("right", Some(&real)));
    }
}
