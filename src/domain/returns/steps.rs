//! Every step a return's timeline records, one payload per kind (`domain::steps`).
use super::{Line, Reason, RejectionReason, Sla, Status};
use crate::domain::steps::{Recorded, StepPayload};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A step of a return with the status change it made.
pub type ReturnStep = Recorded<ReturnStepData, Status>;

text_enum!(
    /// Every kind of step of a return: the timeline's `kind`, `return.*` webhooks' `event`.
    #[schema(as = ReturnEventKind)]
    StepKind {
        Requested => "requested",
        Approved => "approved",
        Rejected => "rejected",
        Disputed => "disputed",
        Overturned => "overturned",
        Escalated => "escalated",
        PickupScheduled => "pickup_scheduled",
        PickedUp => "picked_up",
        Refunded => "refunded",
        Cancelled => "cancelled",
        SlaBreached => "sla_breached",
    }
);

/// An amount in tenge as a refund step records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepAmount {
    pub amount: i64,
    pub currency: String,
}

impl StepAmount {
    pub fn kzt(amount: i64) -> Self {
        StepAmount {
            amount,
            currency: "KZT".into(),
        }
    }
}

/// Each kind's payload. Field names are the stored (and shown) ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum ReturnStepData {
    Requested {
        reason: Reason,
        description: Option<String>,
        items: Vec<Line>,
        attachment_ids: Vec<String>,
        status: Status,
        window_until: DateTime<Utc>,
        seller_decide_by: DateTime<Utc>,
    },
    Approved {},
    Rejected {
        reason_code: RejectionReason,
        explanation: String,
    },
    /// The complaint that disputes the rejection is filed in the step's transaction.
    Disputed {
        explanation: String,
        attachment_ids: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        complaint_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        complaint_number: Option<String>,
    },
    Overturned {
        complaint_id: String,
    },
    /// By the sweep: `seller_silence`.
    Escalated {
        reason: String,
    },
    PickupScheduled {
        pickup_at: DateTime<Utc>,
    },
    PickedUp {
        at: DateTime<Utc>,
        /// Whether the seller had scheduled the pickup (set with the scan).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pickup_scheduled: Option<bool>,
    },
    Refunded {
        amount: StepAmount,
    },
    Cancelled {},
    SlaBreached {
        sla: Sla,
        due_at: DateTime<Utc>,
        status: Status,
    },
}

impl ReturnStepData {
    pub fn kind(&self) -> StepKind {
        use ReturnStepData as S;
        match self {
            S::Requested { .. } => StepKind::Requested,
            S::Approved {} => StepKind::Approved,
            S::Rejected { .. } => StepKind::Rejected,
            S::Disputed { .. } => StepKind::Disputed,
            S::Overturned { .. } => StepKind::Overturned,
            S::Escalated { .. } => StepKind::Escalated,
            S::PickupScheduled { .. } => StepKind::PickupScheduled,
            S::PickedUp { .. } => StepKind::PickedUp,
            S::Refunded { .. } => StepKind::Refunded,
            S::Cancelled {} => StepKind::Cancelled,
            S::SlaBreached { .. } => StepKind::SlaBreached,
        }
    }
}

impl StepPayload for ReturnStepData {
    fn seller_fields(&self) -> &'static [&'static str] {
        use ReturnStepData as S;
        match self {
            S::Requested { .. } => &[
                "reason",
                "description",
                "items",
                "attachment_ids",
                "status",
                "window_until",
                "seller_decide_by",
            ],
            S::Rejected { .. } => &["reason_code", "explanation"],
            S::Disputed { .. } => &[
                "explanation",
                "attachment_ids",
                "complaint_id",
                "complaint_number",
            ],
            S::Overturned { .. } => &["complaint_id"],
            S::Escalated { .. } => &["reason"],
            S::PickupScheduled { .. } => &["pickup_at"],
            S::PickedUp { .. } => &["at", "pickup_scheduled"],
            S::Refunded { .. } => &["amount"],
            S::SlaBreached { .. } => &["sla", "due_at", "status"],
            S::Approved {} | S::Cancelled {} => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::steps::{project, Change};
    use serde_json::{json, Value};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn every_kind() -> Vec<ReturnStepData> {
        use ReturnStepData as S;
        let ids = vec!["att_1".to_string()];
        vec![
            S::Requested {
                reason: Reason::Defective,
                description: Some("d".into()),
                items: vec![Line {
                    order_item_id: "item_1".into(),
                    quantity: 1,
                }],
                attachment_ids: ids.clone(),
                status: Status::Requested,
                window_until: t("2026-12-01T12:00:00Z"),
                seller_decide_by: t("2026-11-25T18:59:59Z"),
            },
            S::Approved {},
            S::Rejected {
                reason_code: RejectionReason::ALL[0],
                explanation: "e".into(),
            },
            S::Disputed {
                explanation: "e".into(),
                attachment_ids: ids,
                complaint_id: Some("cmp_1".into()),
                complaint_number: Some("C-2026-000001".into()),
            },
            S::Overturned {
                complaint_id: "cmp_1".into(),
            },
            S::Escalated {
                reason: "seller_silence".into(),
            },
            S::PickupScheduled {
                pickup_at: t("2026-11-24T10:00:00Z"),
            },
            S::PickedUp {
                at: t("2026-11-24T10:00:00Z"),
                pickup_scheduled: Some(true),
            },
            S::Refunded {
                amount: StepAmount::kzt(9990),
            },
            S::Cancelled {},
            S::SlaBreached {
                sla: Sla::Refund,
                due_at: t("2026-11-24T11:00:00Z"),
                status: Status::PickedUp,
            },
        ]
    }

    #[test]
    fn every_kind_is_listed_once_and_round_trips() {
        let steps = every_kind();
        assert_eq!(steps.len(), StepKind::ALL.len());
        for step in steps {
            let recorded = ReturnStep::with(
                step.clone(),
                Change::moved(Status::Approved, Status::PickedUp),
            );
            let kind = recorded.kind();
            assert_eq!(kind, step.kind().as_str());
            let back = ReturnStep::read(&kind, &recorded.data()).unwrap();
            assert_eq!(back.step, step, "{kind}");
            assert_eq!(back.data(), recorded.data(), "{kind}");
        }
    }

    #[test]
    fn stored_field_names_are_unchanged() {
        let refund = ReturnStep::new(ReturnStepData::Refunded {
            amount: StepAmount::kzt(9990),
        });
        assert_eq!(refund.kind(), "refunded");
        assert_eq!(
            refund.data(),
            json!({"amount": {"amount": 9990, "currency": "KZT"}})
        );
        let old = json!({"at": "2026-11-24T10:00:00Z", "pickup_scheduled": false,
                         "from_status": "approved", "status": "picked_up"});
        assert_eq!(ReturnStep::read("picked_up", &old).unwrap().data(), old);
    }

    #[test]
    fn sellers_get_only_the_allowed_fields_of_each_kind() {
        for step in every_kind() {
            let recorded = ReturnStep::new(step.clone());
            let seen = recorded.for_seller();
            for key in seen.as_object().unwrap().keys() {
                assert!(step.seller_fields().contains(&key.as_str()), "{key}");
            }
            // Every field of a return's step is the shop's to see: the payload is unchanged.
            assert_eq!(seen, recorded.data(), "{:?}", step.kind());
        }
    }

    #[test]
    fn a_field_nobody_allowed_is_not_projected() {
        for step in every_kind() {
            let recorded = ReturnStep::new(step);
            let mut data = recorded.data();
            data["buyer_id"] = Value::from("usr_1");
            data["note"] = Value::from("for moderators");
            let seen = project(&data, recorded.step.seller_fields());
            assert!(seen.get("buyer_id").is_none() && seen.get("note").is_none());
        }
    }
}
