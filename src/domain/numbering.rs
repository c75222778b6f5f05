//! The human numbers of cases and returns.

/// `C-2026-000123`: the series' prefix, the year of filing, the sequence within that year.
pub fn case_number(prefix: &str, year: i32, seq: i64) -> String {
    format!("{prefix}-{year}-{seq:06}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers() {
        assert_eq!(super::case_number("C", 2026, 123), "C-2026-000123");
        assert_eq!(super::case_number("R", 2027, 1_234_567), "R-2027-1234567");
    }
}
