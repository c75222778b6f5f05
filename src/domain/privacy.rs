//! What a seller may see of a buyer: first name and initial, and a masked phone.

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
