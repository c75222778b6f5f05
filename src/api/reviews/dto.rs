use crate::api::rfc3339;
use crate::db::reviews::{AppealRow, FlagRow, ReviewRow, VersionRow};
use crate::domain::privacy::mask_name;
use crate::domain::reviews::{Distribution, FlagReason, ReviewStatus};
use crate::domain::screening::Finding;
use crate::error::FieldError;
use crate::policy::ReviewPolicy;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateReviewRequest {
    #[validate(length(min = 1, max = 64), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 64)]
    pub order_item_id: String,
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i32,
    /// Up to the policy's `text_max_chars` characters (`maxLength`).
    pub text: Option<String>,
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub shop_rating: Option<i32>,
    /// Photos the author uploaded (at most the policy's `photos_max`, `maxItems`).
    pub attachment_ids: Option<Vec<String>>,
}

impl CreateReviewRequest {
    /// The limits the policy sets (`ReviewPolicy`), beyond what the derive checks.
    pub fn beyond_policy(&self, p: &ReviewPolicy) -> Vec<FieldError> {
        beyond_policy(self.text.as_deref(), self.attachment_ids.as_deref(), p)
    }
}

/// Fields present replace the current ones; `text: ""` removes the text. Other fields (the
/// item, the author) cannot change, so sending them is an error rather than silently ignored.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditReviewRequest {
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<i32>,
    /// Up to the policy's `text_max_chars` characters (`maxLength`).
    pub text: Option<String>,
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub shop_rating: Option<i32>,
    /// At most the policy's `photos_max` (`maxItems`).
    pub attachment_ids: Option<Vec<String>>,
}

impl EditReviewRequest {
    /// The limits the policy sets (`ReviewPolicy`), beyond what the derive checks.
    pub fn beyond_policy(&self, p: &ReviewPolicy) -> Vec<FieldError> {
        beyond_policy(self.text.as_deref(), self.attachment_ids.as_deref(), p)
    }
}

/// A review's text and photos against the policy: the numbers live in `policy.rs` alone, and
/// the spec's `maxLength`/`maxItems` are written from the same values (`openapi::limits`).
fn beyond_policy(
    text: Option<&str>,
    photos: Option<&[String]>,
    p: &ReviewPolicy,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if text.is_some_and(|t| t.chars().count() > p.text_max_chars) {
        errors.push(FieldError::new("text", "length"));
    }
    if photos.is_some_and(|ids| ids.len() > p.photos_max) {
        errors.push(FieldError::new("attachment_ids", "length"));
    }
    errors
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReplyRequest {
    #[validate(length(min = 1, max = 2000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct FlagRequest {
    pub reason: FlagReason,
    #[validate(length(min = 1, max = 2000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 2000)]
    pub comment: String,
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
    pub attachment_ids: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ReviewAppealRequest)]
pub struct AppealRequest {
    #[validate(length(min = 1, max = 2000), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorView {
    /// First name and initial.
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyView {
    pub text: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i32,
    pub rating: i32,
    pub shop_rating: Option<i32>,
    pub text: Option<String>,
    pub attachment_ids: Vec<String>,
    pub screening: Vec<Finding>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
}

impl From<VersionRow> for VersionView {
    fn from(v: VersionRow) -> Self {
        VersionView {
            version: v.version,
            rating: v.rating,
            shop_rating: v.shop_rating,
            text: v.body,
            attachment_ids: serde_json::from_str(&v.attachment_ids).unwrap_or_default(),
            screening: serde_json::from_str(&v.screening).unwrap_or_default(),
            created_at: rfc3339(v.created_at),
        }
    }
}

/// A review. Fields after `reply` are shown only to its author, the shop's seller and
/// moderators; `versions` to moderators only.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: String,
    pub product_id: String,
    pub shop_id: String,
    pub rating: i32,
    pub shop_rating: Option<i32>,
    pub text: Option<String>,
    pub attachment_ids: Vec<String>,
    pub author: AuthorView,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
    pub edited: bool,
    pub reply: Option<ReplyView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ReviewStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_item_id: Option<String>,
    /// What screening found in the current version (kind and character span).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screening: Option<Vec<Finding>>,
    /// Hidden while a personal-data flag is open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// Last instant the author may edit.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub editable_until: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removal_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub removed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<VersionView>>,
}

/// How much of a review the caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Party,
    Moderator,
}

impl ReviewView {
    pub fn render(
        row: ReviewRow,
        author_full_name: &str,
        audience: Audience,
        versions: Option<Vec<VersionRow>>,
    ) -> Self {
        let private = audience != Audience::Public;
        let reply = match (&row.reply_body, row.reply_created_at, row.reply_updated_at) {
            (Some(text), Some(c), Some(u)) => Some(ReplyView {
                text: text.clone(),
                created_at: rfc3339(c),
                updated_at: rfc3339(u),
            }),
            _ => None,
        };
        ReviewView {
            status: private.then(|| row.status()),
            order_item_id: private.then(|| row.order_item_id.clone()),
            screening: private.then(|| row.findings()),
            hidden: private.then_some(row.hidden),
            editable_until: private.then(|| rfc3339(row.window_until)),
            removal_reason: if private {
                row.removal_reason.clone()
            } else {
                None
            },
            removed_at: if private {
                row.removed_at.map(rfc3339)
            } else {
                None
            },
            versions: if audience == Audience::Moderator {
                versions.map(|v| v.into_iter().map(VersionView::from).collect())
            } else {
                None
            },
            attachment_ids: row.attachment_list(),
            author: AuthorView {
                name: mask_name(author_full_name),
            },
            edited: row.version > 1,
            created_at: rfc3339(row.created_at),
            id: row.id,
            product_id: row.product_id,
            shop_id: row.shop_id,
            rating: row.rating,
            shop_rating: row.shop_rating,
            text: row.body,
            reply,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingSummary {
    /// Two decimals; null without ratings.
    pub average: Option<f64>,
    pub count: i64,
    /// Count per star, keys "1" to "5".
    pub distribution: BTreeMap<String, i64>,
}

impl From<Distribution> for RatingSummary {
    fn from(d: Distribution) -> Self {
        RatingSummary {
            average: d.average(),
            count: d.count(),
            distribution: (1..=5).map(|s| (s.to_string(), d.0[s - 1])).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewPage {
    pub summary: RatingSummary,
    /// The same over exactly the last 90 × 24 hours before the request.
    pub summary_90d: RatingSummary,
    pub items: Vec<ReviewView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyReviewPage {
    pub items: Vec<ReviewView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SortParam {
    Newest,
    Highest,
    Lowest,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicQuery {
    /// Only this star rating (1–5).
    #[param(minimum = 1, maximum = 5)]
    pub rating: Option<i32>,
    /// Only reviews with (true) or without (false) photos.
    pub with_media: Option<bool>,
    /// `newest` (default), `highest`, `lowest`.
    #[param(inline)]
    pub sort: Option<SortParam>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(pattern = "^([0-9a-f]{2})+$", max_length = 512)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(pattern = "^([0-9a-f]{2})+$", max_length = 512)]
    pub cursor: Option<String>,
}

/// Which flags a list shows.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FlagStatusFilter {
    Open,
    Upheld,
    Dismissed,
}

impl FlagStatusFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagStatusFilter::Open => "open",
            FlagStatusFilter::Upheld => "upheld",
            FlagStatusFilter::Dismissed => "dismissed",
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlagQuery {
    #[param(inline)]
    pub status: Option<FlagStatusFilter>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(pattern = "^([0-9a-f]{2})+$", max_length = 512)]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlagView {
    pub id: String,
    pub review_id: String,
    pub reason: FlagReason,
    pub comment: String,
    pub attachment_ids: Vec<String>,
    /// The review as it was when flagged.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
    /// `open`, `upheld`, `dismissed`.
    pub status: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub due_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
}

impl From<FlagRow> for FlagView {
    fn from(f: FlagRow) -> Self {
        FlagView {
            id: f.id,
            review_id: f.review_id,
            reason: f.reason,
            comment: f.comment,
            attachment_ids: serde_json::from_str(&f.attachment_ids).unwrap_or_default(),
            snapshot: serde_json::from_str(&f.snapshot).unwrap_or(serde_json::Value::Null),
            status: f.status,
            due_at: rfc3339(f.due_at),
            decided_at: f.decided_at.map(rfc3339),
            decision_note: f.decision_note,
            created_at: rfc3339(f.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlagPage {
    pub items: Vec<FlagView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppealView {
    pub id: String,
    pub review_id: String,
    pub text: String,
    /// `open`, `reinstated`, `kept_removed`.
    pub status: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub due_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
}

impl From<AppealRow> for AppealView {
    fn from(a: AppealRow) -> Self {
        AppealView {
            id: a.id,
            review_id: a.review_id,
            text: a.body,
            status: a.status,
            due_at: rfc3339(a.due_at),
            decided_at: a.decided_at.map(rfc3339),
            decision_note: a.decision_note,
            created_at: rfc3339(a.created_at),
        }
    }
}
