//! Kazakh, Russian and English texts. Machine-readable codes never change with language;
//! only titles, details and notification texts do. Russian is the default.
use serde::Serialize;

mod details;
mod fields;
mod labels;
mod notifications;
mod quantity;
pub use details::*;
pub use fields::*;
pub use labels::*;
pub use notifications::*;
pub use quantity::*;

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
    use crate::policy::Policy;

    #[test]
    fn every_notification_kind_has_its_own_texts() {
        let p = Policy::default();
        let generic = notification_text("unknown-kind", Lang::En, &p);
        for kind in NOTIFICATION_KINDS {
            for lang in Lang::ALL {
                let (title, body) = notification_text(kind, lang, &p);
                assert!(!title.is_empty() && !body.is_empty());
                // Every placeholder names a figure of the policy.
                assert!(!body.contains('{'), "{kind} {lang:?}: {body}");
            }
            assert_ne!(notification_text(kind, Lang::En, &p), generic, "{kind}");
            assert_ne!(
                notification_text(kind, Lang::Ru, &p),
                notification_text(kind, Lang::En, &p),
                "{kind}"
            );
        }
    }

    #[test]
    fn notifications_name_reasons_with_the_catalogues_labels() {
        use serde_json::json;
        let p = Policy::default();
        let data = json!({"reason": "personal_data"});
        let (_, body) = notification_text_with("review_hidden", &data, Lang::Ru, &p);
        let plain = notification_text("review_hidden", Lang::Ru, &p).1;
        assert_eq!(body, format!("{plain} Причина: Персональные данные."));
        let (_, body) = notification_text_with(
            "review_removed",
            &json!({"reason_code": "signs_of_use"}),
            Lang::En,
            &p,
        );
        assert!(body.ends_with(" Reason: Signs of use."), "{body}");
        let (_, body) =
            notification_text_with("review_new", &json!({"category": "fraud"}), Lang::Kk, &p);
        assert!(body.ends_with(" Санаты: Алаяқтық."), "{body}");
        // A code outside the vocabulary is not named.
        let (_, body) = notification_text_with(
            "review_rejected",
            &json!({"reason": "custom"}),
            Lang::En,
            &p,
        );
        assert_eq!(body, notification_text("review_rejected", Lang::En, &p).1);
    }

    #[test]
    fn notification_numbers_follow_the_policy() {
        let mut p = Policy::default();
        let body = |kind, lang, p: &Policy| notification_text(kind, lang, p).1;
        assert!(body("review_held", Lang::Ru, &p).contains("в течение 3 рабочих дней"));
        p.reviews.moderation_sla_business_days = 1;
        assert!(body("review_held", Lang::Ru, &p).contains("в течение 1 рабочего дня"));
        assert!(body("review_held", Lang::En, &p).contains("within 1 business day."));
        assert!(body("review_held", Lang::Kk, &p).contains("1 жұмыс күні ішінде"));
        p.returns.seller_decision_business_days = 5;
        assert!(body("return_escalated", Lang::Ru, &p).contains("за 5 рабочих дней"));
        assert!(body("return_requested", Lang::En, &p).contains("within 5 business days"));
        p.returns.refund_due_hours = 2;
        assert!(body("return_picked_up", Lang::Ru, &p).contains("в течение 2 часов"));
        p.returns.failed_delivery_refund_due_hours = 3;
        assert!(body("delivery_failure_sla_breached", Lang::Ru, &p).contains("за 3 часа"));
        p.returns.failed_attempts_before_return = 3;
        assert!(body("order_returned_to_seller", Lang::En, &p).contains("attempts: 3."));
        p.complaints.seller_response_hours = 72;
        assert!(body("complaint_filed", Lang::Kk, &p).contains("72 сағат ішінде"));
        p.complaints.appeal_window_days = 21;
        assert!(body("complaint_resolved", Lang::Ru, &p).contains("в течение 21 дня"));
        assert!(body("complaint_closed", Lang::En, &p).contains("within 21 days"));
        p.reviews.appeal_window_days = 7;
        assert!(body("review_removed", Lang::Ru, &p).contains("в течение 7 дней"));
        p.returns.dispute_window_days = 10;
        assert!(body("return_rejected", Lang::En, &p).contains("within 10 days"));
        p.reviews.reply_target_hours = 12;
        assert!(body("shop_review_published", Lang::Ru, &p).contains("в течение 12 часов"));
        p.reviews.rating_period_days = 30;
        p.reviews.critical_shop_rating = 3.5;
        let ru = body("shop_rating_critical", Lang::Ru, &p);
        assert!(ru.contains("за 30 дней опустилась ниже 3.5"), "{ru}");
        p.messages.seller_first_reply_target_hours = 12;
        p.messages.seller_first_reply_max_hours = 36;
        let ru = body("order_message_unanswered", Lang::Ru, &p);
        assert!(ru.contains("цель — 12 часов, предел — 36 часов"), "{ru}");
        p.webhooks.disable_after_failing_days = 1;
        assert!(body("webhook_disabled", Lang::En, &p).contains("failed for 1 day."));
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
