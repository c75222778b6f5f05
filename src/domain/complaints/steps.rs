//! Every step a case's timeline records, one payload per kind (`domain::steps`).
use super::Track;
use super::{Authority, Category, DesiredResolution, Outcome, RemedyKind, Sla, Status, Target};
use crate::domain::steps::{Recorded, StepPayload};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A step of a case with the status change it made.
pub type CaseStep = Recorded<ComplaintStep, Status>;

text_enum!(
    /// Every kind of step of a case: the timeline's `kind`, `complaint.*` webhooks' `event`.
    #[schema(as = ComplaintEventKind)]
    StepKind {
        Filed => "filed",
        Message => "message",
        Acknowledged => "acknowledged",
        SellerResponded => "seller_responded",
        InfoRequested => "info_requested",
        InfoProvided => "info_provided",
        Assigned => "assigned",
        ReviewStarted => "review_started",
        TrackChanged => "track_changed",
        Extended => "extended",
        Resolved => "resolved",
        Accepted => "accepted",
        Appealed => "appealed",
        Escalated => "escalated",
        Withdrawn => "withdrawn",
        ExternalEscalation => "external_escalation",
        SlaBreached => "sla_breached",
        Closed => "closed",
    }
);

/// The remedy of a decision as its step records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRemedy {
    pub kind: RemedyKind,
    pub amount: Option<i64>,
}

/// Each kind's payload. Field names are the stored (and shown) ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum ComplaintStep {
    Filed {
        target: Target,
        category: Category,
        description: String,
        attachment_ids: Vec<String>,
        status: Status,
        acknowledge_by: DateTime<Utc>,
        seller_respond_by: Option<DateTime<Utc>>,
        resolve_by: DateTime<Utc>,
    },
    Message {
        body: String,
        attachment_ids: Vec<String>,
    },
    Acknowledged {},
    SellerResponded {
        body: String,
        proposed_resolution: Option<DesiredResolution>,
        attachment_ids: Vec<String>,
    },
    InfoRequested {
        question: String,
    },
    InfoProvided {
        body: String,
        attachment_ids: Vec<String>,
    },
    /// Internal: moderators only.
    Assigned {
        moderator_id: String,
    },
    ReviewStarted {},
    TrackChanged {
        track: Track,
        reason: Option<String>,
    },
    Extended {
        reason: String,
        resolve_by: DateTime<Utc>,
    },
    Resolved {
        outcome: Outcome,
        remedy: StepRemedy,
        explanation: String,
    },
    Accepted {},
    Appealed {
        reason: String,
    },
    /// By the buyer (`no_public_reply`) or the sweep (`seller_silence`).
    Escalated {
        reason: String,
    },
    Withdrawn {},
    ExternalEscalation {
        authority: Authority,
        reference: String,
    },
    SlaBreached {
        sla: Sla,
        due_at: DateTime<Utc>,
        status: Status,
    },
    /// By the sweep: `appeal_window_passed`.
    Closed {
        reason: String,
    },
}

impl ComplaintStep {
    pub fn kind(&self) -> StepKind {
        use ComplaintStep as S;
        match self {
            S::Filed { .. } => StepKind::Filed,
            S::Message { .. } => StepKind::Message,
            S::Acknowledged {} => StepKind::Acknowledged,
            S::SellerResponded { .. } => StepKind::SellerResponded,
            S::InfoRequested { .. } => StepKind::InfoRequested,
            S::InfoProvided { .. } => StepKind::InfoProvided,
            S::Assigned { .. } => StepKind::Assigned,
            S::ReviewStarted {} => StepKind::ReviewStarted,
            S::TrackChanged { .. } => StepKind::TrackChanged,
            S::Extended { .. } => StepKind::Extended,
            S::Resolved { .. } => StepKind::Resolved,
            S::Accepted {} => StepKind::Accepted,
            S::Appealed { .. } => StepKind::Appealed,
            S::Escalated { .. } => StepKind::Escalated,
            S::Withdrawn {} => StepKind::Withdrawn,
            S::ExternalEscalation { .. } => StepKind::ExternalEscalation,
            S::SlaBreached { .. } => StepKind::SlaBreached,
            S::Closed { .. } => StepKind::Closed,
        }
    }
}

impl StepPayload for ComplaintStep {
    fn seller_fields(&self) -> &'static [&'static str] {
        use ComplaintStep as S;
        match self {
            S::Filed { .. } => &[
                "target",
                "category",
                "description",
                "attachment_ids",
                "status",
                "acknowledge_by",
                "seller_respond_by",
                "resolve_by",
            ],
            S::Message { .. } | S::InfoProvided { .. } => &["body", "attachment_ids"],
            S::SellerResponded { .. } => &["body", "proposed_resolution", "attachment_ids"],
            S::InfoRequested { .. } => &["question"],
            // Who is assigned stays with the moderators.
            S::Assigned { .. } => &[],
            S::TrackChanged { .. } => &["track", "reason"],
            S::Extended { .. } => &["reason", "resolve_by"],
            S::Resolved { .. } => &["outcome", "remedy", "explanation"],
            S::Appealed { .. } | S::Escalated { .. } | S::Closed { .. } => &["reason"],
            S::ExternalEscalation { .. } => &["authority", "reference"],
            S::SlaBreached { .. } => &["sla", "due_at", "status"],
            S::Acknowledged {} | S::ReviewStarted {} | S::Accepted {} | S::Withdrawn {} => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::steps::{Change, Recorded};
    use serde_json::{json, Value};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// One step of every kind, with every field set.
    fn every_kind() -> Vec<ComplaintStep> {
        use ComplaintStep as S;
        let ids = vec!["att_1".to_string()];
        vec![
            S::Filed {
                target: Target::Seller,
                category: Category::Defective,
                description: "Не включается".into(),
                attachment_ids: ids.clone(),
                status: Status::Submitted,
                acknowledge_by: t("2026-11-25T18:59:59Z"),
                seller_respond_by: Some(t("2026-11-22T13:30:00Z")),
                resolve_by: t("2026-11-25T18:59:59Z"),
            },
            S::Message {
                body: "b".into(),
                attachment_ids: ids.clone(),
            },
            S::Acknowledged {},
            S::SellerResponded {
                body: "b".into(),
                proposed_resolution: Some(DesiredResolution::Replacement),
                attachment_ids: ids.clone(),
            },
            S::InfoRequested {
                question: "q".into(),
            },
            S::InfoProvided {
                body: "b".into(),
                attachment_ids: ids,
            },
            S::Assigned {
                moderator_id: "mod_1".into(),
            },
            S::ReviewStarted {},
            S::TrackChanged {
                track: Track::Complex,
                reason: Some("r".into()),
            },
            S::Extended {
                reason: "r".into(),
                resolve_by: t("2026-12-04T12:00:00Z"),
            },
            S::Resolved {
                outcome: Outcome::Upheld,
                remedy: StepRemedy {
                    kind: RemedyKind::Refund,
                    amount: Some(5000),
                },
                explanation: "e".into(),
            },
            S::Accepted {},
            S::Appealed { reason: "r".into() },
            S::Escalated {
                reason: "no_public_reply".into(),
            },
            S::Withdrawn {},
            S::ExternalEscalation {
                authority: Authority::ETutynushy,
                reference: "ET-1".into(),
            },
            S::SlaBreached {
                sla: Sla::Resolution,
                due_at: t("2026-11-26T21:30:14Z"),
                status: Status::InReview,
            },
            S::Closed {
                reason: "appeal_window_passed".into(),
            },
        ]
    }

    #[test]
    fn every_kind_is_listed_once_and_round_trips() {
        let steps = every_kind();
        assert_eq!(steps.len(), StepKind::ALL.len());
        for step in steps {
            let change = Change {
                from_status: Some(Status::Acknowledged),
                status: Some(Status::InReview),
                resolve_by: Some(t("2026-11-27T18:59:59Z")),
            };
            let recorded = Recorded::with(step.clone(), change.clone());
            let kind = recorded.kind();
            assert_eq!(kind, step.kind().as_str());
            let back = CaseStep::read(&kind, &recorded.data()).unwrap();
            assert_eq!(back.step, step, "{kind}");
            assert_eq!(back.data(), recorded.data(), "{kind}");
        }
    }

    #[test]
    fn stored_field_names_are_unchanged() {
        let step = CaseStep::with(
            ComplaintStep::Resolved {
                outcome: Outcome::Upheld,
                remedy: StepRemedy {
                    kind: RemedyKind::Refund,
                    amount: None,
                },
                explanation: "e".into(),
            },
            Change::moved(Status::InReview, Status::Resolved),
        );
        assert_eq!(step.kind(), "resolved");
        assert_eq!(
            step.data(),
            json!({"outcome": "upheld", "remedy": {"kind": "refund", "amount": null},
                   "explanation": "e", "from_status": "in_review", "status": "resolved"})
        );
        // A row written before the types read back.
        let old = json!({"reason": "Ждём ответ склада", "resolve_by": "2026-12-04T12:00:00Z",
                         "from_status": "acknowledged", "status": "acknowledged"});
        let back = CaseStep::read("extended", &old).unwrap();
        assert_eq!(back.data(), old);
        assert!(CaseStep::read("extended", &json!({"reason": 1})).is_err());
    }

    #[test]
    fn sellers_get_only_the_allowed_fields_of_each_kind() {
        for step in every_kind() {
            let recorded = CaseStep::new(step.clone());
            let full = recorded.data();
            let seen = recorded.for_seller();
            let allowed = step.seller_fields();
            for key in seen.as_object().unwrap().keys() {
                assert!(
                    allowed.contains(&key.as_str()),
                    "{key} of {:?}",
                    step.kind()
                );
            }
            // Public kinds keep every field they had (the webhook payload is unchanged).
            if step.kind() != StepKind::Assigned {
                assert_eq!(seen, full, "{:?}", step.kind());
            }
        }
        let assigned = CaseStep::new(ComplaintStep::Assigned {
            moderator_id: "mod_1".into(),
        });
        assert_eq!(assigned.for_seller(), json!({}));
    }

    #[test]
    fn a_field_nobody_allowed_is_not_projected() {
        for step in every_kind() {
            let recorded =
                CaseStep::with(step, Change::moved(Status::Submitted, Status::Acknowledged));
            // As if a payload grew a private field that nobody added to the allow-list.
            let mut data = recorded.data();
            data["internal_note"] = Value::from("for moderators");
            data["moderator_id"] = Value::from("mod_1");
            let seen = crate::domain::steps::project(&data, recorded.step.seller_fields());
            assert!(seen.get("internal_note").is_none());
            assert!(seen.get("moderator_id").is_none());
            assert_eq!(seen["from_status"], json!("submitted"));
        }
    }
}
