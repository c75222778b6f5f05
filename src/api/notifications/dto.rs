use crate::db::notifications::NotificationRow;
use crate::i18n::{notification_text_with, Lang};
use crate::policy::Policy;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectRef {
    #[serde(rename = "type")]
    #[schema(example = "order")]
    pub kind: String,
    pub id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    /// Stable machine-readable kind, e.g. `order_delivered`.
    pub kind: String,
    /// In the caller's `Accept-Language`.
    pub title: String,
    pub body: String,
    pub subject: SubjectRef,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub read_at: Option<DateTime<Utc>>,
}

impl NotificationView {
    pub fn render(row: NotificationRow, lang: Lang, policy: &Policy) -> Self {
        let data = serde_json::from_str(&row.data).unwrap_or(serde_json::Value::Null);
        let (title, body) = notification_text_with(&row.kind, &data, lang, policy);
        NotificationView {
            id: row.id,
            title: title.into(),
            body,
            kind: row.kind,
            subject: SubjectRef {
                kind: row.subject_type,
                id: row.subject_id,
            },
            data,
            created_at: crate::api::rfc3339(row.created_at),
            read_at: row.read_at.map(crate::api::rfc3339),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    pub next_cursor: Option<String>,
    pub unread_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadAllResult {
    /// How many notifications changed to read.
    pub marked: usize,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread ones.
    pub unread: Option<bool>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(pattern = "^([0-9a-f]{2})+$", max_length = 512)]
    pub cursor: Option<String>,
}
