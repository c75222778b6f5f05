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
}
