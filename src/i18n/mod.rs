//! Kazakh, Russian and English texts. Machine-readable codes never change with language;
//! only titles, details and notification texts do. Russian is the default.
use serde::Serialize;

mod details;
mod fields;
mod labels;
mod notifications;
pub use details::*;
pub use fields::*;
pub use labels::*;
pub use notifications::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Kk,
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    /// Picks the best supported language of an `Accept-Language` header by quality,
    /// falling back to Russian.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::Ru;
        };
        let mut best: Option<(f32, usize, Lang)> = None;
        for (index, part) in header.split(',').enumerate() {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "kk" => Lang::Kk,
                "ru" => Lang::Ru,
                "en" => Lang::En,
                _ => continue,
            };
            if quality <= 0.0 {
                continue;
            }
            // Higher quality wins; among equals, the earlier entry.
            let better = match best {
                None => true,
                Some((q, i, _)) => quality > q || (quality == q && index < i),
            };
            if better {
                best = Some((quality, index, lang));
            }
        }
        best.map(|(_, _, l)| l).unwrap_or(Lang::Ru)
    }

    pub fn pick(self, kk: &'static str, ru: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Kk => kk,
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notification_kind_has_its_own_texts() {
        let generic = notification_text("unknown-kind", Lang::En);
        for kind in NOTIFICATION_KINDS {
            for lang in Lang::ALL {
                let (title, body) = notification_text(kind, lang);
                assert!(!title.is_empty() && !body.is_empty());
            }
            assert_ne!(notification_text(kind, Lang::En), generic, "{kind}");
            assert_ne!(
                notification_text(kind, Lang::Ru),
                notification_text(kind, Lang::En),
                "{kind}"
            );
        }
    }

    #[test]
    fn notifications_name_reasons_with_the_catalogues_labels() {
        use serde_json::json;
        let data = json!({"reason": "personal_data"});
        let (_, body) = notification_text_with("review_hidden", &data, Lang::Ru);
        let plain = notification_text("review_hidden", Lang::Ru).1;
        assert_eq!(body, format!("{plain} Причина: Персональные данные."));
        let (_, body) = notification_text_with(
            "review_removed",
            &json!({"reason_code": "signs_of_use"}),
            Lang::En,
        );
        assert!(body.ends_with(" Reason: Signs of use."), "{body}");
        let (_, body) =
            notification_text_with("review_new", &json!({"category": "fraud"}), Lang::Kk);
        assert!(body.ends_with(" Санаты: Алаяқтық."), "{body}");
        // A code outside the vocabulary is not named.
        let (_, body) =
            notification_text_with("review_rejected", &json!({"reason": "custom"}), Lang::En);
        assert_eq!(body, notification_text("review_rejected", Lang::En).1);
    }

    #[test]
    fn accept_language_negotiation() {
        let cases = [
            (None, Lang::Ru),
            (Some(""), Lang::Ru),
            (Some("en"), Lang::En),
            (Some("kk-KZ,ru;q=0.8"), Lang::Kk),
            (Some("de-DE, en;q=0.5, ru;q=0.9"), Lang::Ru),
            (Some("fr"), Lang::Ru),
            (Some("en;q=0, kk;q=0.1"), Lang::Kk),
            (Some("EN-us"), Lang::En),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::from_accept_language(header), expected, "{header:?}");
        }
    }
}
