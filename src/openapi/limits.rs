//! Limits the policy sets, written into the request schemas from `Policy::default()` so the
//! spec and the checks read one number (`policy.rs`), not two literals that could drift.
use crate::policy::Policy;
use serde_json::{json, Value};

/// (schema, property, keyword, value) for every limit taken from the policy.
fn limits(p: &Policy) -> Vec<(&'static str, &'static str, &'static str, usize)> {
    let r = &p.reviews;
    let mut out = Vec::new();
    for schema in ["CreateReviewRequest", "EditReviewRequest"] {
        out.push((schema, "text", "maxLength", r.text_max_chars));
        out.push((schema, "attachment_ids", "maxItems", r.photos_max));
    }
    let w = &p.webhooks;
    for schema in ["CreateWebhookRequest", "UpdateWebhookRequest"] {
        out.push((schema, "url", "maxLength", w.url_max_chars));
        out.push((schema, "events", "maxItems", w.events_per_endpoint));
        out.push((schema, "description", "maxLength", w.description_max_chars));
    }
    let min = p.complaints.description_min_chars;
    out.push(("FileComplaintRequest", "description", "minLength", min));
    out.push(("DisputeReturnRequest", "explanation", "minLength", min));
    out
}

pub fn apply(doc: &mut Value, p: &Policy) {
    for (schema, property, keyword, value) in limits(p) {
        let prop = doc
            .pointer_mut(&format!(
                "/components/schemas/{schema}/properties/{property}"
            ))
            .and_then(Value::as_object_mut);
        if let Some(prop) = prop {
            prop.insert(keyword.to_string(), json!(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_limits_come_from_the_policy() {
        let mut p = Policy::default();
        p.reviews.text_max_chars = 7;
        p.reviews.photos_max = 3;
        let mut doc = json!({"components": {"schemas": {
            "CreateReviewRequest": {"properties": {"text": {}, "attachment_ids": {}}},
        }}});
        apply(&mut doc, &p);
        let props = &doc["components"]["schemas"]["CreateReviewRequest"]["properties"];
        assert_eq!(props["text"]["maxLength"], 7);
        assert_eq!(props["attachment_ids"]["maxItems"], 3);
        assert!(doc["components"]["schemas"]["EditReviewRequest"].is_null());
    }

    #[test]
    fn webhook_and_complaint_limits_come_from_the_policy() {
        let mut p = Policy::default();
        p.webhooks.url_max_chars = 11;
        p.webhooks.events_per_endpoint = 2;
        p.webhooks.description_max_chars = 5;
        p.complaints.description_min_chars = 9;
        let mut doc = json!({"components": {"schemas": {
            "UpdateWebhookRequest": {"properties": {"url": {}, "events": {}, "description": {}}},
            "DisputeReturnRequest": {"properties": {"explanation": {}}},
        }}});
        apply(&mut doc, &p);
        let hook = &doc["components"]["schemas"]["UpdateWebhookRequest"]["properties"];
        assert_eq!(hook["url"]["maxLength"], 11);
        assert_eq!(hook["events"]["maxItems"], 2);
        assert_eq!(hook["description"]["maxLength"], 5);
        let dispute = &doc["components"]["schemas"]["DisputeReturnRequest"]["properties"];
        assert_eq!(dispute["explanation"]["minLength"], 9);
    }
}
