//! The figures a shop's dashboard shows (`GET /shops/{id}/stats`), as they are served. What
//! each counts is in the README ("Seller analytics"); the queries are `db::stats`.
use super::Rate;
use crate::domain::money::Money;
use crate::domain::reviews::Distribution;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Counts by a code (a category, reason, status or outcome); codes with none are left out.
/// The codes are those of `GET /catalogues`, which labels them.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq, Default)]
#[serde(transparent)]
#[schema(as = CodeCounts, example = json!({"damaged_in_delivery": 2, "other": 1}))]
pub struct Breakdown(pub BTreeMap<String, i64>);

impl Breakdown {
    pub fn new() -> Breakdown {
        Breakdown::default()
    }
}

impl std::ops::Deref for Breakdown {
    type Target = BTreeMap<String, i64>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Breakdown {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl FromIterator<(String, i64)> for Breakdown {
    fn from_iter<I: IntoIterator<Item = (String, i64)>>(iter: I) -> Self {
        Breakdown(iter.into_iter().collect())
    }
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ShopStats {
    pub shop_id: String,
    /// The window `[from, to)` the other figures count.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub ratings: RatingFigures,
    pub reviews: ReviewFigures,
    pub messages: MessageFigures,
    pub complaints: ComplaintFigures,
    pub returns: ReturnFigures,
    /// The window's days or weeks (`interval`) as points a chart draws.
    pub series: super::series::ShopSeries,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct RatingFigures {
    /// Every published, visible review, whenever written.
    pub all_time: RatingSummaryFigures,
    /// Those written in the 90 × 24 hours before the request.
    pub last_90_days: RatingSummaryFigures,
    /// The 90-day average is below the critical level (4.0), compared exactly.
    pub critical: bool,
    /// Per Almaty week (Monday first) overlapping the window: the reviews written that week
    /// that are published and visible now.
    pub weekly: Vec<WeekFigures>,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct RatingSummaryFigures {
    /// To two decimals; null without ratings.
    pub average: Option<f64>,
    pub count: i64,
    /// Ratings per star, "1" to "5".
    pub distribution: BTreeMap<String, i64>,
}

impl From<Distribution> for RatingSummaryFigures {
    fn from(d: Distribution) -> Self {
        RatingSummaryFigures {
            average: d.average(),
            count: d.count(),
            distribution: (1..=5).map(|s| (s.to_string(), d.0[s - 1])).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct WeekFigures {
    /// The week's Monday (Almaty).
    pub week_start: NaiveDate,
    pub average: Option<f64>,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct ReviewFigures {
    /// Reviews written in the window, whatever became of them.
    pub received: i64,
    /// Of those, published and visible now.
    pub published: i64,
    /// Of those, waiting for a moderator now.
    pub held: i64,
    /// Of those, deleted by their authors.
    pub deleted: i64,
    /// Of those, removed or rejected by moderators, by reason.
    pub removed_by_reason: Breakdown,
    pub negative: NegativeReviewFigures,
    /// Median time from publication to the seller's reply, over replied published reviews;
    /// null without replies.
    pub median_reply_seconds: Option<i64>,
    pub flags: FlagFigures,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct NegativeReviewFigures {
    /// Published reviews rating the shop 2★ or less.
    pub count: i64,
    /// Replied within 24 hours of publication, of those replied or published over 24 hours
    /// ago.
    pub replied_within_24h: Rate,
    /// Replied at all, of all of them.
    pub reply_rate: Rate,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct FlagFigures {
    /// The shop's flags raised in the window, by reason.
    pub by_reason: Breakdown,
    /// The same flags by outcome: `open`, `upheld` or `dismissed`.
    pub by_outcome: Breakdown,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct MessageFigures {
    /// Orders whose buyer first wrote in the window.
    pub conversations: i64,
    /// The seller's first answer came within 24 hours (the target), of conversations
    /// answered or waiting over 24 hours.
    pub answered_within_24h: Rate,
    /// The same within 48 hours (the limit).
    pub answered_within_48h: Rate,
    /// Median time to the seller's first answer, over answered conversations.
    pub median_first_reply_seconds: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct ComplaintFigures {
    /// Complaints about the shop (not its couriers) filed in the window.
    pub filed: i64,
    pub by_category: Breakdown,
    pub by_status: Breakdown,
    /// Resolved ones, by the moderator's outcome.
    pub by_outcome: Breakdown,
    pub sla: ComplaintSlaFigures,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct ComplaintSlaFigures {
    /// The seller answered within 48 hours, of cases that asked the seller and were
    /// answered or are past the 48 hours.
    pub seller_responded_within_48h: Rate,
    /// Acknowledged within 3 business days, of cases acknowledged or past that deadline.
    pub acknowledged_within_3_business_days: Rate,
    /// Resolved by the deadline (extensions and pauses included), of cases resolved or past
    /// it.
    pub resolved_by_deadline: Rate,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ReturnFigures {
    /// Returns requested in the window.
    pub requested: i64,
    pub by_reason: Breakdown,
    pub by_status: Breakdown,
    /// The seller decided within 2 business days, of returns decided or past that deadline.
    pub decided_within_2_business_days: Rate,
    /// Refunded within 1 hour of the pickup scan, of returns refunded or past that hour.
    pub refunded_within_1h_of_pickup: Rate,
    /// What the window's returns refunded.
    pub refunded_amount: Money,
}

/// The moderators' dashboard (`GET /moderation/stats`).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ModerationStats {
    /// The window `[from, to)` the decisions are counted over; the queue figures are now.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Items waiting for a moderator now, by kind (`review`, `flag`, `appeal`, `complaint`,
    /// `return`), as the queue lists them.
    pub open: QueueCounts,
    /// Of those, past their deadline now.
    pub overdue: QueueCounts,
    pub sla: ModerationSla,
    /// Appeals decided in the window, and how many reinstated the review.
    pub appeals: AppealFigures,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct QueueCounts {
    pub review: i64,
    pub flag: i64,
    pub appeal: i64,
    pub complaint: i64,
    #[serde(rename = "return")]
    #[schema(rename = "return")]
    pub return_: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct ModerationSla {
    /// Decisions made in the window by their deadline, of those made, by the kind of item:
    /// held reviews (3 business days), flags, appeals, and complaints' acknowledgement and
    /// resolution.
    pub by_kind: BTreeMap<String, Rate>,
    /// The same per moderator, all kinds together, most decisions first.
    pub by_moderator: Vec<ModeratorFigures>,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ModeratorFigures {
    pub moderator_id: String,
    pub name: String,
    pub on_time: Rate,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct AppealFigures {
    pub decided: i64,
    pub reinstated: i64,
    /// Reinstated of decided: how often a removal did not stand.
    pub reversal_rate: Rate,
}
