//! Text as the API accepts it. Two rules hold for every request:
//!
//! - No C0 control character but tab and newline, anywhere: in a JSON string or key (422, the
//!   field named), a path segment (404: no such resource) or a query value (422 `query`).
//!   PostgreSQL cannot store NUL in text, and nothing a person types needs the others.
//! - Required text is checked after trimming: `"   "` is as empty as `""` (`not_blank`, used
//!   by the request types beside their length limits).
use serde_json::Value;
use validator::ValidationError;

/// Whether a character is a control character the API refuses.
pub fn refused(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}')
}

pub fn has_refused(s: &str) -> bool {
    s.chars().any(refused)
}

/// The JSON path (`items[0].title`) of the first string or key holding a refused character.
pub fn first_refused(value: &Value) -> Option<String> {
    fn walk(v: &Value, path: &str) -> Option<String> {
        match v {
            Value::String(s) => has_refused(s).then(|| path.to_string()),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(item, &format!("{path}[{i}]"))),
            Value::Object(map) => map.iter().find_map(|(k, item)| {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if has_refused(k) {
                    Some(here)
                } else {
                    walk(item, &here)
                }
            }),
            _ => None,
        }
    }
    walk(value, "").map(|p| if p.is_empty() { "body".into() } else { p })
}

/// Whether a raw (percent-encoded) path or query carries a refused character: `%00`–`%1F`
/// but `%09` and `%0A`, and `%7F` (raw control bytes cannot appear in a request line).
pub fn encoded_refused(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes.windows(3).any(|w| {
        w[0] == b'%'
            && std::str::from_utf8(&w[1..])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .is_some_and(|b| refused(b as char))
    })
}

/// Refuses a request whose path (404: no resource has such an id) or query (422) carries a
/// refused character, before it reaches a handler or the database.
pub fn check_uri(uri: &actix_web::http::Uri) -> Result<(), crate::error::ApiError> {
    use crate::error::{ApiError, ErrorCode};
    if encoded_refused(uri.path()) {
        return Err(ErrorCode::NotFound.into());
    }
    if uri.query().is_some_and(encoded_refused) {
        return Err(ApiError::field("query", "control_character"));
    }
    Ok(())
}

/// validator: text that is not only white space.
pub fn not_blank(s: &str) -> Result<(), ValidationError> {
    if s.trim().is_empty() {
        Err(ValidationError::new("blank"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn controls_but_tab_and_newline_are_refused() {
        assert!(!has_refused("Строка\tс табом\nи переводом"));
        for bad in ["a\u{0}b", "\u{1b}[31m", "\r", "\u{7f}", "\u{8}"] {
            assert!(has_refused(bad), "{bad:?}");
        }
        assert!(!has_refused("emoji 😀 and Қазақша"));
    }

    #[test]
    fn the_path_of_the_refused_string_is_named() {
        let v = json!({"items": [{"title": "ok"}, {"title": "bad\u{0}"}], "note": "fine"});
        assert_eq!(first_refused(&v).as_deref(), Some("items[1].title"));
        assert_eq!(
            first_refused(&json!({"a\u{0}": 1})).as_deref(),
            Some("a\u{0}")
        );
        assert_eq!(first_refused(&json!("x\u{0}")).as_deref(), Some("body"));
        assert_eq!(first_refused(&json!({"a": ["ok"]})), None);
    }

    #[test]
    fn encoded_controls_are_found_in_paths_and_queries() {
        assert!(encoded_refused("/api/v1/orders/abc%00"));
        assert!(encoded_refused("cursor=%1b%5B"));
        assert!(encoded_refused("x=%7F"));
        assert!(!encoded_refused("/api/v1/orders/%D0%90%20b"));
        assert!(!encoded_refused("text=a%0Ab%09c"));
        assert!(!encoded_refused("100%"));
    }

    #[test]
    fn blank_is_not_text() {
        assert!(not_blank("  \n\t ").is_err());
        assert!(not_blank(" a ").is_ok());
    }
}
