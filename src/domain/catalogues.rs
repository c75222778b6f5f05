//! The reason catalogues the mobile app builds its pickers from (`GET /catalogues`): every
//! code of each vocabulary with its label in the caller's language and the rule numbers that
//! apply to it, read from `policy` — the same functions the rules themselves use.
use crate::domain::complaints::{
    Action as ComplaintAction, Authority, Category, DesiredResolution, Outcome, RemedyKind,
    Status as ComplaintStatus, Target, Track,
};
use crate::domain::delivery_failures::{Choice, Status as DeliveryFailureStatus};
use crate::domain::orders::{DeliveryType, OrderStatus};
use crate::domain::returns::{
    window_days, Action as ReturnAction, Evidence, Reason, RejectionReason, Status as ReturnStatus,
};
use crate::domain::reviews::{FlagReason, ReviewStatus};
use crate::i18n::{Labelled, Lang};
use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

text_enum!(
    /// Where a flag stands.
    #[schema(as = FlagStatus)]
    FlagStatus { Open => "open", Upheld => "upheld", Dismissed => "dismissed" }
);

text_enum!(
    /// Where an appeal against a removal stands.
    #[schema(as = AppealStatus)]
    AppealStatus { Open => "open", Reinstated => "reinstated", KeptRemoved => "kept_removed" }
);

/// A language of the labels (the schema of `i18n::Lang`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)] // Documents `Lang` in the spec.
pub enum CatalogueLanguage {
    Kk,
    Ru,
    En,
}

/// Every vocabulary in one language.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Catalogue {
    /// The language of the labels.
    #[schema(value_type = CatalogueLanguage)]
    pub lang: Lang,
    pub complaint_categories: Vec<ComplaintCategoryEntry>,
    pub desired_resolutions: Vec<DesiredResolutionEntry>,
    pub return_reasons: Vec<ReturnReasonEntry>,
    pub rejection_reasons: Vec<RejectionReasonEntry>,
    pub flag_reasons: Vec<FlagReasonEntry>,
    pub remedies: Vec<RemedyEntry>,
    pub complaint_outcomes: Vec<ComplaintOutcomeEntry>,
    pub complaint_tracks: Vec<ComplaintTrackEntry>,
    /// Whom a complaint may be about.
    pub complaint_targets: Vec<ComplaintTargetEntry>,
    /// Where a buyer may have taken a decided complaint further.
    pub external_authorities: Vec<ExternalAuthorityEntry>,
    /// What the buyer may choose after a failed delivery.
    pub delivery_failure_choices: Vec<DeliveryFailureChoiceEntry>,
    /// What a return reason asks for as evidence (`return_reasons[].evidence`).
    pub evidence: Vec<ReturnEvidenceEntry>,
    /// The actions an `allowed_actions` list may name, for buttons.
    pub actions: ActionCatalogue,
    pub statuses: StatusCatalogue,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ActionCatalogue {
    pub complaint: Vec<ComplaintActionEntry>,
    #[serde(rename = "return")]
    #[schema(rename = "return")]
    pub return_: Vec<ReturnActionEntry>,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ComplaintCategoryEntry {
    pub code: Category,
    pub label: String,
    /// Whom a complaint of this category may be about.
    pub targets: Vec<Target>,
    /// Whether it may be filed only once the order is delivered.
    pub needs_delivery: bool,
    /// Days it may be filed in, by delivery type: from delivery, or (for a category that
    /// does not need one) from the promised date while undelivered.
    pub window_days_city: i64,
    pub window_days_intercity: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct DesiredResolutionEntry {
    pub code: DesiredResolution,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ReturnReasonEntry {
    pub code: Reason,
    pub label: String,
    /// Days from delivery a return may be requested in, by delivery type.
    pub window_days_city: i64,
    pub window_days_intercity: i64,
    /// What the request must carry.
    pub evidence: Evidence,
    /// Product categories this reason is refused for (empty: none).
    pub excluded_categories: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct RejectionReasonEntry {
    pub code: RejectionReason,
    pub label: String,
    /// Days the buyer has to dispute a rejection.
    pub dispute_window_days: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FlagReasonEntry {
    pub code: FlagReason,
    pub label: String,
    /// The review is hidden as soon as it is flagged for this (until a moderator decides).
    pub hides_at_once: bool,
    /// Business days a moderator has to decide the flag.
    pub decision_business_days: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct RemedyEntry {
    pub code: RemedyKind,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ComplaintOutcomeEntry {
    pub code: Outcome,
    pub label: String,
    /// Days the buyer has to appeal the resolution.
    pub appeal_window_days: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ComplaintTrackEntry {
    pub code: Track,
    pub label: String,
    /// Time to resolve from filing: `resolution_days`, counted in business days when
    /// `business_days`, else in calendar days.
    pub resolution_days: i64,
    pub business_days: bool,
}

/// Statuses of each kind of record.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct StatusCatalogue {
    pub complaint: Vec<ComplaintStatusEntry>,
    #[serde(rename = "return")]
    #[schema(rename = "return")]
    pub return_: Vec<ReturnStatusEntry>,
    pub review: Vec<ReviewStatusEntry>,
    pub flag: Vec<FlagStatusEntry>,
    pub appeal: Vec<AppealStatusEntry>,
    pub delivery_failure: Vec<DeliveryFailureStatusEntry>,
    pub order: Vec<OrderStatusEntry>,
}

macro_rules! plain_entries {
    ($($name:ident => $ty:ty),* $(,)?) => {$(
        #[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
        pub struct $name {
            pub code: $ty,
            pub label: String,
        }
        impl $name {
            fn all(lang: Lang) -> Vec<$name> {
                <$ty as Labelled>::all()
                    .iter()
                    .map(|v| $name { code: *v, label: v.label(lang).to_string() })
                    .collect()
            }
        }
    )*};
}

plain_entries!(
    ComplaintStatusEntry => ComplaintStatus,
    ReturnStatusEntry => ReturnStatus,
    ReviewStatusEntry => ReviewStatus,
    FlagStatusEntry => FlagStatus,
    AppealStatusEntry => AppealStatus,
    DeliveryFailureStatusEntry => DeliveryFailureStatus,
    OrderStatusEntry => OrderStatus,
    ComplaintTargetEntry => Target,
    ExternalAuthorityEntry => Authority,
    DeliveryFailureChoiceEntry => Choice,
    ReturnEvidenceEntry => Evidence,
    ComplaintActionEntry => ComplaintAction,
    ReturnActionEntry => ReturnAction,
);

/// The catalogue in `lang`, its numbers from `p`.
pub fn catalogue(lang: Lang, p: &Policy) -> Catalogue {
    let c = &p.complaints;
    let r = &p.returns;
    Catalogue {
        lang,
        complaint_categories: Category::ALL
            .iter()
            .map(|&code| {
                let damage = code == Category::DamagedInDelivery;
                let days = |d: DeliveryType| match (damage, d) {
                    (true, DeliveryType::City) => c.damaged_window_days_city,
                    (true, DeliveryType::Intercity) => c.damaged_window_days_intercity,
                    (false, _) => c.other_window_days,
                };
                ComplaintCategoryEntry {
                    code,
                    label: code.label(lang).to_string(),
                    targets: Target::ALL
                        .iter()
                        .copied()
                        .filter(|t| code.valid_for(*t))
                        .collect(),
                    needs_delivery: damage,
                    window_days_city: days(DeliveryType::City),
                    window_days_intercity: days(DeliveryType::Intercity),
                }
            })
            .collect(),
        desired_resolutions: DesiredResolution::ALL
            .iter()
            .map(|&code| DesiredResolutionEntry {
                code,
                label: code.label(lang).to_string(),
            })
            .collect(),
        return_reasons: Reason::ALL
            .iter()
            .map(|&code| ReturnReasonEntry {
                code,
                label: code.label(lang).to_string(),
                window_days_city: window_days(code, DeliveryType::City, r),
                window_days_intercity: window_days(code, DeliveryType::Intercity, r),
                evidence: code.evidence(),
                excluded_categories: if code == Reason::ChangedMind {
                    r.changed_mind_excluded_categories.clone()
                } else {
                    Vec::new()
                },
            })
            .collect(),
        rejection_reasons: RejectionReason::ALL
            .iter()
            .map(|&code| RejectionReasonEntry {
                code,
                label: code.label(lang).to_string(),
                dispute_window_days: r.dispute_window_days,
            })
            .collect(),
        flag_reasons: FlagReason::all()
            .iter()
            .map(|&code| FlagReasonEntry {
                code,
                label: code.label(lang).to_string(),
                hides_at_once: code.hides_immediately(),
                decision_business_days: p.reviews.flag_sla_business_days,
            })
            .collect(),
        remedies: RemedyKind::ALL
            .iter()
            .map(|&code| RemedyEntry {
                code,
                label: code.label(lang).to_string(),
            })
            .collect(),
        complaint_outcomes: Outcome::ALL
            .iter()
            .map(|&code| ComplaintOutcomeEntry {
                code,
                label: code.label(lang).to_string(),
                appeal_window_days: c.appeal_window_days,
            })
            .collect(),
        complaint_tracks: Track::ALL
            .iter()
            .map(|&code| {
                let (resolution_days, business_days) = match code {
                    Track::Standard => (i64::from(c.standard_resolution_business_days), true),
                    Track::Complex => (c.complex_resolution_days, false),
                    Track::Expertise => (c.expertise_resolution_days, false),
                };
                ComplaintTrackEntry {
                    code,
                    label: code.label(lang).to_string(),
                    resolution_days,
                    business_days,
                }
            })
            .collect(),
        complaint_targets: ComplaintTargetEntry::all(lang),
        external_authorities: ExternalAuthorityEntry::all(lang),
        delivery_failure_choices: DeliveryFailureChoiceEntry::all(lang),
        evidence: ReturnEvidenceEntry::all(lang),
        actions: ActionCatalogue {
            complaint: ComplaintActionEntry::all(lang),
            return_: ReturnActionEntry::all(lang),
        },
        statuses: StatusCatalogue {
            complaint: ComplaintStatusEntry::all(lang),
            return_: ReturnStatusEntry::all(lang),
            review: ReviewStatusEntry::all(lang),
            flag: FlagStatusEntry::all(lang),
            appeal: AppealStatusEntry::all(lang),
            delivery_failure: DeliveryFailureStatusEntry::all(lang),
            order: OrderStatusEntry::all(lang),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_numbers_are_the_policys() {
        let mut p = Policy::default();
        p.returns.defective_window_days = 31;
        p.returns.changed_mind_excluded_categories = vec!["x".into()];
        p.complaints.damaged_window_days_intercity = 44;
        p.complaints.expertise_resolution_days = 29;
        let c = catalogue(Lang::En, &p);
        let reason = |code| c.return_reasons.iter().find(|e| e.code == code).unwrap();
        assert_eq!(reason(Reason::Defective).window_days_city, 31);
        assert_eq!(reason(Reason::ChangedMind).excluded_categories, ["x"]);
        assert!(reason(Reason::Defective).excluded_categories.is_empty());
        assert_eq!(
            reason(Reason::Defective).evidence,
            Evidence::PhotoOrDocument
        );
        let damage = &c.complaint_categories[1];
        assert_eq!(damage.code, Category::DamagedInDelivery);
        assert_eq!(
            (damage.needs_delivery, damage.window_days_intercity),
            (true, 44)
        );
        assert_eq!(damage.targets, [Target::Courier]);
        let expertise = c.complaint_tracks.last().unwrap();
        assert_eq!(
            (expertise.resolution_days, expertise.business_days),
            (29, false)
        );
        assert_eq!(c.statuses.complaint.len(), ComplaintStatus::ALL.len());
        assert!(c.flag_reasons.iter().any(|f| f.hides_at_once));
        assert_eq!(c.actions.complaint.len(), ComplaintAction::ALL.len());
        assert_eq!(c.evidence.len(), Evidence::ALL.len());
    }

    #[test]
    fn the_labels_follow_the_language() {
        let p = Policy::default();
        let ru = catalogue(Lang::Ru, &p);
        let kk = catalogue(Lang::Kk, &p);
        assert_eq!(ru.return_reasons[5].label, "Передумал");
        assert_ne!(ru.return_reasons[5].label, kk.return_reasons[5].label);
        assert_eq!(ru.return_reasons[5].code, kk.return_reasons[5].code);
    }
}
