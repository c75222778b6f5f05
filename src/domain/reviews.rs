//! Review rules: who may review what and until when, what screening decides, which
//! transitions moderators may make, appeals, and the rating arithmetic.
use crate::domain::orders::OrderStatus;
use crate::domain::screening::Finding;
use crate::policy::ReviewPolicy;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    PendingModeration,
    Published,
    Rejected,
    Removed,
    Deleted,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::PendingModeration => "pending_moderation",
            ReviewStatus::Published => "published",
            ReviewStatus::Rejected => "rejected",
            ReviewStatus::Removed => "removed",
            ReviewStatus::Deleted => "deleted",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::PendingModeration,
            Self::Published,
            Self::Rejected,
            Self::Removed,
            Self::Deleted,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// Why a buyer may not review an item; each is a stable error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotOrderBuyer,
    ItemNotDelivered,
    ReviewWindowClosed,
    AlreadyReviewed,
}

pub struct ItemFacts {
    pub is_buyer: bool,
    pub order_status: OrderStatus,
    pub delivered_at: Option<DateTime<Utc>>,
    pub already_reviewed: bool,
}

/// The last instant a review may be written or edited.
pub fn window_until(delivered_at: DateTime<Utc>, policy: &ReviewPolicy) -> DateTime<Utc> {
    delivered_at + TimeDelta::days(policy.window_days)
}

/// May this buyer review this item now? Ok carries the end of the window.
pub fn may_review(
    f: &ItemFacts,
    now: DateTime<Utc>,
    policy: &ReviewPolicy,
) -> Result<DateTime<Utc>, Refusal> {
    if !f.is_buyer {
        return Err(Refusal::NotOrderBuyer);
    }
    let delivered_at = match (f.order_status, f.delivered_at) {
        (OrderStatus::Delivered, Some(at)) => at,
        _ => return Err(Refusal::ItemNotDelivered),
    };
    let until = window_until(delivered_at, policy);
    if now > until {
        return Err(Refusal::ReviewWindowClosed);
    }
    if f.already_reviewed {
        return Err(Refusal::AlreadyReviewed);
    }
    Ok(until)
}

/// Clean text is published by the system; any finding holds it for a moderator.
pub fn status_after_screening(findings: &[Finding]) -> ReviewStatus {
    if findings.is_empty() {
        ReviewStatus::Published
    } else {
        ReviewStatus::PendingModeration
    }
}

/// Only visible published reviews count in ratings.
pub fn counts_in_ratings(status: ReviewStatus, hidden: bool) -> bool {
    status == ReviewStatus::Published && !hidden
}

/// The author edits published or held reviews only.
pub fn editable(status: ReviewStatus) -> bool {
    matches!(
        status,
        ReviewStatus::Published | ReviewStatus::PendingModeration
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Approve,
    Reject,
}

/// A moderator's decision on a held review; anything but a held review is a conflict.
pub fn decide_review(status: ReviewStatus, decision: ReviewDecision) -> Option<ReviewStatus> {
    match (status, decision) {
        (ReviewStatus::PendingModeration, ReviewDecision::Approve) => Some(ReviewStatus::Published),
        (ReviewStatus::PendingModeration, ReviewDecision::Reject) => Some(ReviewStatus::Rejected),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagReason {
    FalseInformation,
    OffensiveLanguage,
    RulesViolation,
    PersonalData,
    NotFromPurchase,
}

impl FlagReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagReason::FalseInformation => "false_information",
            FlagReason::OffensiveLanguage => "offensive_language",
            FlagReason::RulesViolation => "rules_violation",
            FlagReason::PersonalData => "personal_data",
            FlagReason::NotFromPurchase => "not_from_purchase",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::FalseInformation,
            Self::OffensiveLanguage,
            Self::RulesViolation,
            Self::PersonalData,
            Self::NotFromPurchase,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
    /// Personal data is hidden at once; for every other reason the review stays visible
    /// until a moderator upholds the flag.
    pub fn hides_immediately(self) -> bool {
        self == FlagReason::PersonalData
    }
}

/// Whether a new flag hides the review before a moderator decides it. Once a moderator has
/// dismissed a flag on this version of the text, the shop's word alone no longer hides it:
/// otherwise flagging again after each dismissal would keep the review hidden for ever. A
/// new version by its author is text no moderator has seen, so it may be hidden at once again.
pub fn flag_hides_at_once(reason: FlagReason, dismissed_on_this_version: bool) -> bool {
    reason.hides_immediately() && !dismissed_on_this_version
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagDecision {
    Uphold,
    Dismiss,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppealDecision {
    Reinstate,
    KeepRemoved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealRefusal {
    NotRemoved,
    WindowClosed,
    AlreadyAppealed,
}

/// The author may appeal a removal (an upheld flag or a rejection) once, within the window.
pub fn may_appeal(
    status: ReviewStatus,
    removed_at: Option<DateTime<Utc>>,
    appealed_this_removal: bool,
    now: DateTime<Utc>,
    policy: &ReviewPolicy,
) -> Result<(), AppealRefusal> {
    let removed_at = match (status, removed_at) {
        (ReviewStatus::Removed | ReviewStatus::Rejected, Some(at)) => at,
        _ => return Err(AppealRefusal::NotRemoved),
    };
    if appealed_this_removal {
        return Err(AppealRefusal::AlreadyAppealed);
    }
    if now > removed_at + TimeDelta::days(policy.appeal_window_days) {
        return Err(AppealRefusal::WindowClosed);
    }
    Ok(())
}

/// Ratings 1–5 counted per star.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Distribution(pub [i64; 5]);

impl Distribution {
    pub fn count(&self) -> i64 {
        self.0.iter().sum()
    }
    /// Average to two decimals; None without ratings.
    pub fn average(&self) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        Some((self.sum() as f64 / n as f64 * 100.0).round() / 100.0)
    }

    fn sum(&self) -> i64 {
        self.0
            .iter()
            .enumerate()
            .map(|(i, c)| (i as i64 + 1) * c)
            .sum()
    }

    /// Whether the exact average (sum over count, not its rounding: a true 3.996 shows as
    /// 4.00 yet is below 4) is below `threshold`, given to two decimals as policies are.
    /// False without ratings.
    pub fn average_below(&self, threshold: f64) -> bool {
        let n = self.count();
        let hundredths = (threshold * 100.0).round() as i64;
        n > 0 && self.sum() * 100 < hundredths * n
    }
}

/// The rating a review gives its shop: the shop rating when the buyer gave one, otherwise the
/// product rating (a purchase rated is the shop's sale rated).
pub fn shop_score(rating: i32, shop_rating: Option<i32>) -> i32 {
    shop_rating.unwrap_or(rating)
}

/// A shop is critical while its 90-day average is below the threshold. Returns the new flag
/// when it changes (the seller is alerted on the way down, once per crossing).
pub fn critical_transition(
    was_critical: bool,
    last_90_days: &Distribution,
    threshold: f64,
) -> Option<bool> {
    let now_critical = last_90_days.average_below(threshold);
    (now_critical != was_critical).then_some(now_critical)
}

/// Who hears of a step of a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hearer {
    /// The review's author: what happens to their review (published, held, rejected,
    /// removed, reinstated, a reply, an appeal's outcome).
    Author,
    /// The shop's sellers: a new review of their shop.
    ShopSellers,
    /// The seller who raised a flag: its outcome.
    FlagRaiser,
}

/// The one recipient rule of reviews, by the notice's kind.
pub fn hearer(kind: &str) -> Hearer {
    match kind {
        // A review became public later than it was written (a held one approved, or made
        // clean by an edit), changed while public, or came back on appeal: the sellers'
        // 24-hour reply clock runs from the moment it is public.
        "review_new"
        | "shop_review_published"
        | "shop_review_edited"
        | "shop_review_reinstated" => Hearer::ShopSellers,
        "flag_upheld" | "flag_dismissed" => Hearer::FlagRaiser,
        _ => Hearer::Author,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn facts() -> ItemFacts {
        ItemFacts {
            is_buyer: true,
            order_status: OrderStatus::Delivered,
            delivered_at: Some(t("2026-11-01T10:00:00Z")),
            already_reviewed: false,
        }
    }

    #[test]
    fn the_window_is_14_days_to_the_second() {
        let p = Policy::default().reviews;
        assert_eq!(
            may_review(&facts(), t("2026-11-15T10:00:00Z"), &p),
            Ok(t("2026-11-15T10:00:00Z"))
        );
        assert_eq!(
            may_review(&facts(), t("2026-11-15T10:00:01Z"), &p),
            Err(Refusal::ReviewWindowClosed)
        );
    }

    #[test]
    fn refusals_in_order() {
        let p = Policy::default().reviews;
        let now = t("2026-11-02T00:00:00Z");
        let mut f = facts();
        f.is_buyer = false;
        assert_eq!(may_review(&f, now, &p), Err(Refusal::NotOrderBuyer));
        let mut f = facts();
        f.order_status = OrderStatus::InTransit;
        assert_eq!(may_review(&f, now, &p), Err(Refusal::ItemNotDelivered));
        let mut f = facts();
        f.already_reviewed = true;
        assert_eq!(may_review(&f, now, &p), Err(Refusal::AlreadyReviewed));
    }

    #[test]
    fn decisions_only_on_held_reviews() {
        assert_eq!(
            decide_review(ReviewStatus::PendingModeration, ReviewDecision::Approve),
            Some(ReviewStatus::Published)
        );
        assert_eq!(
            decide_review(ReviewStatus::PendingModeration, ReviewDecision::Reject),
            Some(ReviewStatus::Rejected)
        );
        assert_eq!(
            decide_review(ReviewStatus::Published, ReviewDecision::Reject),
            None
        );
        assert_eq!(
            decide_review(ReviewStatus::Rejected, ReviewDecision::Approve),
            None
        );
    }

    #[test]
    fn appeals_once_within_14_days_of_removal() {
        let p = Policy::default().reviews;
        let removed = Some(t("2026-11-01T10:00:00Z"));
        assert_eq!(
            may_appeal(
                ReviewStatus::Removed,
                removed,
                false,
                t("2026-11-15T10:00:00Z"),
                &p
            ),
            Ok(())
        );
        assert_eq!(
            may_appeal(
                ReviewStatus::Removed,
                removed,
                false,
                t("2026-11-15T10:00:01Z"),
                &p
            ),
            Err(AppealRefusal::WindowClosed)
        );
        assert_eq!(
            may_appeal(
                ReviewStatus::Removed,
                removed,
                true,
                t("2026-11-02T00:00:00Z"),
                &p
            ),
            Err(AppealRefusal::AlreadyAppealed)
        );
        assert_eq!(
            may_appeal(
                ReviewStatus::Published,
                None,
                false,
                t("2026-11-02T00:00:00Z"),
                &p
            ),
            Err(AppealRefusal::NotRemoved)
        );
    }

    #[test]
    fn averages_and_critical_crossings() {
        assert_eq!(Distribution([0, 0, 0, 0, 0]).average(), None);
        assert_eq!(Distribution([1, 0, 0, 0, 2]).average(), Some(3.67));
        assert_eq!(Distribution([0, 0, 0, 1, 1]).count(), 2);
        let (at_3_5, at_4, none) = (
            Distribution([0, 0, 1, 1, 0]),
            Distribution([0, 0, 0, 1, 0]),
            Distribution::default(),
        );
        assert_eq!(critical_transition(false, &at_3_5, 4.0), Some(true));
        assert_eq!(
            critical_transition(true, &at_3_5, 4.0),
            None,
            "alert once per crossing"
        );
        assert_eq!(critical_transition(true, &at_4, 4.0), Some(false));
        assert_eq!(critical_transition(false, &none, 4.0), None);
        assert_eq!(shop_score(2, Some(5)), 5);
        assert_eq!(shop_score(2, None), 2);
    }

    /// 996 fours and 4 threes average 3.996: shown as 4.00, yet below 4, so the shop is
    /// critical.
    #[test]
    fn the_critical_check_compares_the_exact_average_not_its_rounding() {
        let d = Distribution([0, 0, 4, 996, 0]);
        assert_eq!(d.count(), 1000);
        assert_eq!(d.average(), Some(4.0), "shown rounded");
        assert!(d.average_below(4.0), "3.996 is below 4");
        assert_eq!(critical_transition(false, &d, 4.0), Some(true));
        let exactly_4 = Distribution([0, 0, 0, 1000, 0]);
        assert!(!exactly_4.average_below(4.0));
        assert!(Distribution([0, 0, 1, 0, 0]).average_below(3.01));
        assert!(!Distribution::default().average_below(4.0));
    }

    #[test]
    fn a_dismissal_on_this_version_stops_hiding_at_once() {
        assert!(flag_hides_at_once(FlagReason::PersonalData, false));
        assert!(!flag_hides_at_once(FlagReason::PersonalData, true));
        assert!(!flag_hides_at_once(FlagReason::RulesViolation, false));
    }

    #[test]
    fn only_personal_data_hides_at_once() {
        assert!(FlagReason::PersonalData.hides_immediately());
        assert!(!FlagReason::OffensiveLanguage.hides_immediately());
        assert!(counts_in_ratings(ReviewStatus::Published, false));
        assert!(!counts_in_ratings(ReviewStatus::Published, true));
        assert!(!counts_in_ratings(ReviewStatus::PendingModeration, false));
    }

    #[test]
    fn each_notice_reaches_the_one_it_concerns() {
        assert_eq!(hearer("review_new"), Hearer::ShopSellers);
        assert_eq!(hearer("flag_upheld"), Hearer::FlagRaiser);
        assert_eq!(hearer("flag_dismissed"), Hearer::FlagRaiser);
        for kind in [
            "review_published",
            "review_held",
            "review_rejected",
            "review_removed",
            "review_reply",
            "appeal_upheld",
            "appeal_rejected",
        ] {
            assert_eq!(hearer(kind), Hearer::Author, "{kind}");
        }
    }
}
