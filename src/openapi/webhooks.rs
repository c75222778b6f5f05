//! The webhook events in the spec's structure, built from the one catalogue
//! (`domain::webhooks::EventType`), so that a new event type cannot be sent without being
//! declared:
//!
//! - one envelope schema per type (`ReviewPublishedEvent`, …): `type` fixed to the type's
//!   name, `timestamp`, and `data` of the type's payload schema;
//! - `WebhookEvent` (`api::webhooks::events`): the `oneOf` of the envelopes, discriminated by `type`, so that typed
//!   clients narrow a received message on `type` to its `data`;
//! - the OpenAPI 3.1 top-level `webhooks`: one operation per type (`ping` aside, which only
//!   answers the seller's own test request), the request the shop's endpoint receives.
use crate::domain::webhooks::EventType;
use serde_json::{json, Map, Value};

/// The payload schema of a type's `data`. Exhaustive: a new type must name its payload.
pub fn data_schema(t: EventType) -> &'static str {
    use EventType::*;
    match t {
        ReviewPublished | ReviewReplied | ReviewRemoved => "ReviewEventData",
        ReviewFlagDecided => "FlagDecidedEventData",
        ComplaintFiled
        | ComplaintStatusChanged
        | ComplaintMessageAdded
        | ComplaintUpdated
        | ComplaintSlaBreached => "ComplaintEventData",
        ReturnRequested | ReturnStatusChanged | ReturnRefundDue | ReturnSlaBreached => {
            "ReturnEventData"
        }
        OrderMessageReceived => "OrderMessageEventData",
        OrderDeliveryFailed => "DeliveryFailedEventData",
        ShopRatingCritical => "RatingCriticalEventData",
        Ping => "PingEventData",
    }
}

/// The envelope schema's name: `review.flag_decided` → `ReviewFlagDecidedEvent`.
pub fn envelope_schema(t: EventType) -> String {
    let mut name: String = t
        .as_str()
        .split(['.', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    name.push_str("Event");
    name
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn envelope(t: EventType) -> Value {
    let (name, what) = t.describe();
    json!({
        "type": "object",
        "description": format!("`{name}`: {what}"),
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": { "type": "string", "enum": [name] },
            "timestamp": {
                "type": "string", "format": "date-time", "description": "When the event happened."
            },
            "data": reference(data_schema(t)),
        }
    })
}

/// `WebhookEvent`: the envelopes, discriminated by `type`.
pub fn event_schema() -> Value {
    let mut one_of = Vec::new();
    let mut mapping = Map::new();
    for t in EventType::ALL {
        let name = envelope_schema(*t);
        one_of.push(reference(&name));
        mapping.insert(
            t.as_str().into(),
            json!(format!("#/components/schemas/{name}")),
        );
    }
    json!({
        "description": "The body of every webhook request, signed as Standard Webhooks v1 \
    (`webhook-id`, `webhook-timestamp`, `webhook-signature`: `v1,<base64 HMAC-SHA256>` per live \
    secret). `data` is the payload of the event's `type`.",
        "oneOf": one_of,
        "discriminator": { "propertyName": "type", "mapping": mapping },
    })
}

/// The envelopes `WebhookEvent` refers to, into the document's schemas.
pub fn add_envelopes(schemas: &mut Map<String, Value>) {
    for t in EventType::ALL {
        schemas.insert(envelope_schema(*t), envelope(*t));
    }
}

fn header(name: &str, description: &str) -> Value {
    json!({
        "name": name, "in": "header", "required": true, "description": description,
        "schema": { "type": "string" }
    })
}

/// The top-level `webhooks`: what a shop's endpoint receives, one operation per type.
pub fn webhooks() -> Value {
    let mut out = Map::new();
    for t in EventType::ALL.iter().filter(|t| **t != EventType::Ping) {
        let (name, what) = t.describe();
        let schema = envelope_schema(*t);
        out.insert(
            name.into(),
            json!({ "post": {
                "operationId": format!("webhook_{}", name.replace('.', "_")),
                "summary": name,
                "description": format!("{what} Sent to the shop's endpoints subscribed to `{name}` or `*`; any 2xx answer acknowledges it, anything else is retried."),
                "tags": ["webhooks"],
                // The receiver authenticates the request by its signature, not by a token.
                "security": [],
                "parameters": [
                    header("webhook-id", "The message id: the same on every retry and redelivery (deduplicate on it)."),
                    header("webhook-timestamp", "Unix seconds of this attempt."),
                    header("webhook-signature", "`v1,<base64 HMAC-SHA256 of id.timestamp.body>` per live secret, space-separated."),
                ],
                "requestBody": {
                    "required": true,
                    "content": { "application/json": { "schema": reference(&schema) } }
                },
                "responses": {
                    "2XX": { "description": "Received." },
                    "410": { "description": "Gone: the endpoint is disabled and receives nothing more." },
                    "default": { "description": "Not received: retried with back-off." }
                }
            }}),
        );
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_names_are_pascal_case_of_the_type() {
        assert_eq!(
            envelope_schema(EventType::ReviewFlagDecided),
            "ReviewFlagDecidedEvent"
        );
        assert_eq!(
            envelope_schema(EventType::OrderMessageReceived),
            "OrderMessageReceivedEvent"
        );
        assert_eq!(envelope_schema(EventType::Ping), "PingEvent");
    }

    #[test]
    fn every_type_but_ping_is_a_webhook() {
        let w = webhooks();
        assert_eq!(w.as_object().unwrap().len(), EventType::ALL.len() - 1);
        assert!(w.get("ping").is_none());
        assert!(w["complaint.filed"]["post"]["security"] == json!([]));
    }
}
