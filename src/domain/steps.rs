//! What every step of a case or a return records, typed: the payload of each kind, the status
//! change the transaction made, and what of it a seller may receive.
//!
//! Stored as the event row's `kind` and `data` (the same field names as ever, so rows written
//! before need no migration); the timeline shows `data` as stored. Sellers and their webhook
//! endpoints get the projection of an ALLOW-list per kind: a field added to a payload reaches
//! them only once someone lists it.
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// A step's payload: an enum of kinds, adjacently tagged (`kind`, `data`) so that the stored
/// pair reads back into the kind's struct.
pub trait StepPayload: Serialize + DeserializeOwned {
    /// The fields of `data` a seller may receive for this kind.
    fn seller_fields(&self) -> &'static [&'static str];
}

/// The status change a step made, merged into its `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "S: Serialize + DeserializeOwned")]
pub struct Change<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_status: Option<S>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<S>,
    /// Set when the step moved the resolution deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolve_by: Option<DateTime<Utc>>,
}

impl<S> Default for Change<S> {
    fn default() -> Self {
        Change {
            from_status: None,
            status: None,
            resolve_by: None,
        }
    }
}

impl<S> Change<S> {
    /// `from` → `to`.
    pub fn moved(from: S, to: S) -> Self {
        Change {
            from_status: Some(from),
            status: Some(to),
            resolve_by: None,
        }
    }
}

/// The fields of `Change`, which every seller may see (the status is on the payload anyway).
const CHANGE_FIELDS: &[&str] = &["from_status", "status", "resolve_by"];

/// A step as recorded: its payload and the status change.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded<P, S> {
    pub step: P,
    pub change: Change<S>,
}

/// Why a stored step did not read back.
#[derive(Debug)]
pub struct Unreadable(pub String);

impl<P: StepPayload, S: Serialize + DeserializeOwned> Recorded<P, S> {
    pub fn new(step: P) -> Self {
        Recorded {
            step,
            change: Change::default(),
        }
    }

    pub fn with(step: P, change: Change<S>) -> Self {
        Recorded { step, change }
    }

    /// The `kind` column.
    pub fn kind(&self) -> String {
        match serde_json::to_value(&self.step) {
            Ok(Value::Object(mut m)) => match m.remove("kind") {
                Some(Value::String(k)) => k,
                _ => String::new(),
            },
            _ => String::new(),
        }
    }

    /// The `data` column: the payload's fields and the change's.
    pub fn data(&self) -> Value {
        let mut out = match serde_json::to_value(&self.step) {
            Ok(Value::Object(mut m)) => match m.remove("data") {
                Some(Value::Object(d)) => d,
                _ => Map::new(),
            },
            _ => Map::new(),
        };
        // A payload that states its own status (a filing, a breach) keeps it.
        if let Ok(Value::Object(change)) = serde_json::to_value(&self.change) {
            for (k, v) in change {
                out.entry(k).or_insert(v);
            }
        }
        Value::Object(out)
    }

    /// Reads a stored (`kind`, `data`) back.
    pub fn read(kind: &str, data: &Value) -> Result<Self, Unreadable> {
        let tagged = serde_json::json!({"kind": kind, "data": data});
        let step = serde_json::from_value(tagged).map_err(|e| Unreadable(e.to_string()))?;
        let change = serde_json::from_value(data.clone()).unwrap_or_default();
        Ok(Recorded { step, change })
    }

    /// What a seller (and the shop's webhook endpoints) receive of the step: only the fields
    /// its kind allows, and the status change.
    pub fn for_seller(&self) -> Value {
        project(&self.data(), self.step.seller_fields())
    }
}

/// The fields of `data` named by `allowed` (and the status change), nothing else.
pub fn project(data: &Value, allowed: &[&str]) -> Value {
    let Value::Object(map) = data else {
        return Value::Object(Map::new());
    };
    Value::Object(
        map.iter()
            .filter(|(k, _)| allowed.contains(&k.as_str()) || CHANGE_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

text_enum!(
    /// Who took a step: a party's role, `service` (an upstream sync) or `system` (a rule,
    /// the sweep).
    #[schema(as = EventActorRole)]
    ActorRole {
        Buyer => "buyer",
        Seller => "seller",
        Moderator => "moderator",
        Service => "service",
        System => "system",
    }
);

impl ActorRole {
    pub fn of(role: Option<crate::domain::roles::Role>) -> Self {
        use crate::domain::roles::Role;
        match role {
            None => ActorRole::System,
            Some(Role::Buyer) => ActorRole::Buyer,
            Some(Role::Seller) => ActorRole::Seller,
            Some(Role::Moderator) => ActorRole::Moderator,
            Some(Role::Service) => ActorRole::Service,
        }
    }
}
