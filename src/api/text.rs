//! Text as the API accepts it. Two rules hold for every request:
//!
//! - No C0 control character but tab and newline, anywhere: in a JSON string or key (422, the
//!   field named), a path segment (404: no such resource) or a query value (422 `query`).
//!   PostgreSQL cannot store NUL in text, and nothing a person types needs the others.
//! - No invisible or bidirectional control (U+200B–U+200F, U+202A–U+202E, U+2066–U+2069) in
//!   a JSON string or key (422, the field named, `invisible_character`): they hide what a
//!   text says from a reader (a right-to-left override shows `kz.mac` for `cam.zk`) and split
//!   words and numbers for screening. Stripping them would change what the author wrote, so
//!   the author is asked to send the text without them. Two exceptions: a zero-width joiner
//!   between emoji (👨‍👩‍👧 is one picture) and nothing else; the zero-width non-joiner is
//!   refused too, as the service's languages (kk in Cyrillic, ru, en) never need it.
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

/// Invisible and bidirectional controls: zero-width space, non-joiner and joiner, the
/// left-to-right and right-to-left marks, embeddings, overrides and isolates.
pub fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Emoji and other pictographs a zero-width joiner may join (👨‍👩‍👧, 🧑‍⚕️, 🏳️‍🌈).
fn pictograph(c: char) -> bool {
    matches!(
        c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2300..=0x23FF | 0x2B00..=0x2BFF
    )
}

/// What may end an emoji before a joiner: the pictograph, a variation selector (❤️) or a skin
/// tone (its own pictograph range).
fn ends_emoji(c: char) -> bool {
    pictograph(c) || c == '\u{fe0f}'
}

pub fn has_invisible(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().any(|(i, c)| {
        let joins_emoji = *c == '\u{200d}'
            && i > 0
            && ends_emoji(chars[i - 1])
            && chars.get(i + 1).is_some_and(|n| pictograph(*n));
        invisible(*c) && !joins_emoji
    })
}

/// What is wrong with a string, if anything: the field error code.
fn refusal(s: &str) -> Option<&'static str> {
    if has_refused(s) {
        Some("control_character")
    } else if has_invisible(s) {
        Some("invisible_character")
    } else {
        None
    }
}

/// The JSON path (`items[0].title`) of the first string or key holding a refused character,
/// and the field error code (`control_character`, `invisible_character`).
pub fn first_refused(value: &Value) -> Option<(String, &'static str)> {
    fn walk(v: &Value, path: &str) -> Option<(String, &'static str)> {
        match v {
            Value::String(s) => refusal(s).map(|code| (path.to_string(), code)),
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
                if let Some(code) = refusal(k) {
                    Some((here, code))
                } else {
                    walk(item, &here)
                }
            }),
            _ => None,
        }
    }
    walk(value, "").map(|(p, code)| {
        let p = if p.is_empty() { "body".into() } else { p };
        (p, code)
    })
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
        let path = |v: &Value| first_refused(v).map(|(p, _)| p);
        let v = json!({"items": [{"title": "ok"}, {"title": "bad\u{0}"}], "note": "fine"});
        assert_eq!(path(&v).as_deref(), Some("items[1].title"));
        assert_eq!(path(&json!({"a\u{0}": 1})).as_deref(), Some("a\u{0}"));
        assert_eq!(path(&json!("x\u{0}")).as_deref(), Some("body"));
        assert_eq!(first_refused(&json!({"a": ["ok"]})), None);
        assert_eq!(
            first_refused(&json!({"text": "cam\u{202e}zk"})),
            Some(("text".into(), "invisible_character"))
        );
    }

    #[test]
    fn invisible_and_bidi_controls_are_refused_but_emoji_joiners_are_not() {
        for bad in [
            "+7\u{200b}701",
            "a\u{200c}b",
            "му\u{200d}дак",
            "\u{200e}left",
            "\u{200f}right",
            "cam\u{202e}zk",
            "\u{202a}x\u{202c}",
            "\u{2066}x\u{2069}",
            "\u{2067}x",
            "😀\u{200d}",
            "\u{200d}😀",
            "a\u{200d}😀",
        ] {
            assert!(has_invisible(bad), "{bad:?}");
        }
        for good in [
            "семья 👨\u{200d}👩\u{200d}👧 довольна",
            "врач 🧑\u{200d}⚕\u{fe0f}",
            "флаг 🏳\u{fe0f}\u{200d}🌈",
            "👍🏽\u{200d}🔥",
            "❤\u{fe0f}\u{200d}🔥 Қазақша, English",
            "soft\u{ad}hyphen and no\u{a0}break",
        ] {
            assert!(!has_invisible(good), "{good:?}");
        }
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
