//! What a seller may see of a buyer: first name and initial, a masked phone, and an opaque
//! per-shop reference instead of the buyer's id.
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of every buyer reference, so a reference is never mistaken for an id.
pub const BUYER_REF_PREFIX: &str = "byr_";

/// Turns (shop, buyer) into the reference that shop's sellers and webhooks see: the same
/// buyer gets the same reference within one shop, another in every other shop, and the
/// reference cannot be turned back into the id without the server's key (HMAC-SHA256).
/// The key is a random secret of its own (`db::privacy_keys`), not derived from
/// `JWT_SECRET`, so rotating the signing key leaves every reference as it was.
#[derive(Clone)]
pub struct BuyerRefs {
    key: [u8; 32],
}

impl std::fmt::Debug for BuyerRefs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BuyerRefs(..)")
    }
}

impl BuyerRefs {
    pub fn new(key: [u8; 32]) -> Self {
        BuyerRefs { key }
    }

    /// `byr_` and 24 hex digits (96 bits of the MAC): collisions within one shop would need
    /// around 2^48 buyers.
    pub fn of(&self, shop_id: &str, buyer_id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        // Length-prefixed, so ("ab", "c") and ("a", "bc") are different inputs.
        mac.update(&(shop_id.len() as u64).to_be_bytes());
        mac.update(shop_id.as_bytes());
        mac.update(buyer_id.as_bytes());
        let digest = mac.finalize().into_bytes();
        format!("{BUYER_REF_PREFIX}{}", hex::encode(&digest[..12]))
    }
}

/// "Айгерим Нурланова" → "Айгерим Н."; a single name stays as it is.
pub fn mask_name(full_name: &str) -> String {
    let mut parts = full_name.split_whitespace();
    let first = parts.next().unwrap_or("");
    match parts.next().and_then(|last| last.chars().next()) {
        Some(initial) => format!("{first} {}.", initial.to_uppercase()),
        None => first.to_string(),
    }
}

/// "+77011234512" → "+7 7** *** ** 12" (the country code, the leading 7 of the operator code
/// and the last two digits stay).
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() != 11 {
        return "***".into();
    }
    format!("+7 {}** *** ** {}{}", digits[1], digits[9], digits[10])
}

/// Accepts the usual Kazakhstan spellings (+7 701 123 45 12, 8 (701) 123-45-12, 77011234512)
/// and returns the E.164 form, or None.
pub fn normalize_phone(input: &str) -> Option<String> {
    if input
        .chars()
        .any(|c| !(c.is_ascii_digit() || " +-()".contains(c)))
    {
        return None;
    }
    let digits: String = input.chars().filter(|c| c.is_ascii_digit()).collect();
    let national = match digits.len() {
        11 if digits.starts_with('7') || digits.starts_with('8') => &digits[1..],
        10 => &digits[..],
        _ => return None,
    };
    // Kazakhstan numbers: mobile 7xx, landline 7xx as well (all start with 7 after +7).
    if !national.starts_with('7') {
        return None;
    }
    Some(format!("+7{national}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buyer_refs_are_per_shop_stable_and_opaque() {
        let refs = BuyerRefs::new([7; 32]);
        let a = refs.of("shop-1", "buyer-1");
        assert_eq!(a, refs.of("shop-1", "buyer-1"), "stable within a shop");
        assert_ne!(
            a,
            refs.of("shop-2", "buyer-1"),
            "another shop, another reference"
        );
        assert_ne!(
            a,
            refs.of("shop-1", "buyer-2"),
            "another buyer, another reference"
        );
        assert_ne!(
            refs.of("ab", "c"),
            refs.of("a", "bc"),
            "the pair is unambiguous"
        );
        assert_ne!(a, BuyerRefs::new([8; 32]).of("shop-1", "buyer-1"), "keyed");
        assert!(a.starts_with(BUYER_REF_PREFIX));
        assert_eq!(a.len(), BUYER_REF_PREFIX.len() + 24);
        assert!(!a.contains("buyer-1"));
        assert_eq!(
            format!("{refs:?}"),
            "BuyerRefs(..)",
            "the key never reaches a log"
        );
    }

    #[test]
    fn names() {
        assert_eq!(mask_name("Айгерим Нурланова"), "Айгерим Н.");
        assert_eq!(mask_name("  Daniyar   bekov "), "Daniyar B.");
        assert_eq!(mask_name("Madina"), "Madina");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn phones() {
        assert_eq!(mask_phone("+77011234512"), "+7 7** *** ** 12");
        assert_eq!(mask_phone("garbage"), "***");
        for input in [
            "+7 701 123 45 12",
            "8 (701) 123-45-12",
            "77011234512",
            "7011234512",
        ] {
            assert_eq!(
                normalize_phone(input).as_deref(),
                Some("+77011234512"),
                "{input}"
            );
        }
        for input in [
            "+1 202 555 0100",
            "12345",
            "+7 701 123 45 12 ext 5",
            "6011234512",
        ] {
            assert_eq!(normalize_phone(input), None, "{input}");
        }
    }
}
