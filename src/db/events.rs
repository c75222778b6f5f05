//! The one way a step of a case or a return is recorded, in the transaction of the change:
//! its timeline entry, then the notifications of everyone the recipient rule names
//! (`domain::events::recipients`). Webhook messages join here.
use super::complaints::ComplaintRow;
use super::notifications::{notify, Notice};
use super::returns::ReturnRow;
use super::schema::{complaint_events as ce, return_events as re};
use super::{new_id, to_db, DbConnection, DbError};
use crate::domain::caller::Caller;
use crate::domain::complaints::Target;
use crate::domain::events::{recipients, Audience};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

/// What a step happened to.
#[derive(Clone, Copy)]
pub enum Subject<'a> {
    Complaint(&'a ComplaintRow),
    Return(&'a ReturnRow),
}

/// One step: its kind (`filed`, `approved`, `sla_breached`, …), who took it (`None`: the
/// system), who may see it, and what the timeline shows of it.
pub struct Event<'a> {
    pub kind: &'a str,
    pub actor: Option<&'a Caller>,
    pub audience: Audience,
    pub data: &'a serde_json::Value,
}

pub fn record(
    conn: &mut DbConnection,
    subject: Subject<'_>,
    e: &Event<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let actor_id = e.actor.map(|a| a.id.as_str());
    let actor_role = e.actor.map(|a| a.role.as_str()).unwrap_or("system");
    let (id, number, status, assignee, shop) = match subject {
        Subject::Complaint(row) => {
            diesel::insert_into(ce::table)
                .values((
                    ce::id.eq(new_id()),
                    ce::complaint_id.eq(&row.id),
                    ce::kind.eq(e.kind),
                    ce::actor_id.eq(actor_id),
                    ce::actor_role.eq(actor_role),
                    ce::audience.eq(e.audience.as_str()),
                    ce::data.eq(e.data.to_string()),
                    ce::created_at.eq(to_db(now)),
                ))
                .execute(conn)?;
            let shop = (row.target() == Target::Seller).then_some(row.shop_id.as_str());
            let assignee = row.assignee_id.as_deref();
            (&row.id, &row.number, row.status.as_str(), assignee, shop)
        }
        Subject::Return(row) => {
            diesel::insert_into(re::table)
                .values((
                    re::id.eq(new_id()),
                    re::return_id.eq(&row.id),
                    re::kind.eq(e.kind),
                    re::actor_id.eq(actor_id),
                    re::actor_role.eq(actor_role),
                    re::data.eq(e.data.to_string()),
                    re::created_at.eq(to_db(now)),
                ))
                .execute(conn)?;
            (
                &row.id,
                &row.number,
                row.status.as_str(),
                None,
                Some(row.shop_id.as_str()),
            )
        }
    };
    let mut parties = vec![match subject {
        Subject::Complaint(row) => row.buyer_id.clone(),
        Subject::Return(row) => row.buyer_id.clone(),
    }];
    if let Some(shop) = shop {
        parties.extend(super::users::shop_sellers(conn, shop)?);
    }
    let to = recipients(e.audience, &parties, assignee, actor_id);
    if to.is_empty() {
        return Ok(());
    }
    let (subject_type, id_field) = match subject {
        Subject::Complaint(_) => ("complaint", "complaint_id"),
        Subject::Return(_) => ("return", "return_id"),
    };
    let kind = format!("{subject_type}_{}", e.kind);
    let mut data = serde_json::json!({ "number": number, "event": e.kind, "status": status });
    data[id_field] = serde_json::json!(id);
    let to: Vec<&str> = to.iter().map(String::as_str).collect();
    notify(
        conn,
        &to,
        &Notice {
            kind: &kind,
            subject_type,
            subject_id: id,
            data,
        },
        now,
    )
}
