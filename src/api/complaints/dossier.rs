//! The dossier: the complete case file a buyer takes to e-tutynushy.kz, eOtinish or a court.
use super::dto::*;
use crate::api::{rfc3339, Money};
use crate::db::attachments::AttachmentRow;
use crate::db::complaints::BreachRow;
use crate::domain::complaints::{Authority, CaseStep, ComplaintStep};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct DossierOrderItem {
    pub title: String,
    pub product_id: String,
    pub quantity: i32,
    pub unit_price: Money,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DossierOrder {
    pub id: String,
    pub external_id: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub placed_at: DateTime<Utc>,
    pub delivery_type: String,
    pub courier_name: Option<String>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub promised_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::instant::write_opt")]
    pub delivered_at: Option<DateTime<Utc>>,
    pub status: String,
    pub total: Money,
    pub items: Vec<DossierOrderItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DossierParties {
    pub buyer: PersonView,
    pub shop_id: String,
    pub shop_name: Option<String>,
    pub courier_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExternalEscalationView {
    pub authority: Authority,
    pub reference: String,
    #[serde(serialize_with = "crate::api::instant::write")]
    pub recorded_at: DateTime<Utc>,
}

/// Everything about the case, for the buyer to take to e-tutynushy.kz, eOtinish or a court.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dossier {
    #[serde(serialize_with = "crate::api::instant::write")]
    pub generated_at: DateTime<Utc>,
    pub complaint: ComplaintView,
    pub parties: DossierParties,
    pub order: DossierOrder,
    /// The messages of the case (a subset of the timeline), oldest first.
    pub messages: Vec<EventView>,
    pub evidence: Vec<EvidenceView>,
    pub breaches: Vec<BreachView>,
    pub external_escalations: Vec<ExternalEscalationView>,
}

impl Dossier {
    /// The case file around a rendered case: its messages and external escalations are the
    /// timeline's steps of those kinds.
    pub fn render(
        complaint: ComplaintView,
        order: crate::db::orders::OrderRecord,
        shop_name: Option<String>,
        evidence: Vec<(AttachmentRow, bool)>,
        breaches: Vec<BreachRow>,
        (reader, buyer_id): (Reader, &str),
        now: DateTime<Utc>,
    ) -> Dossier {
        let timeline = complaint.timeline.as_deref().unwrap_or_default();
        let messages = timeline
            .iter()
            .filter(|e| e.kind == "message")
            .cloned()
            .collect();
        let external_escalations = timeline
            .iter()
            .filter_map(|e| match CaseStep::read(&e.kind, &e.data).ok()?.step {
                ComplaintStep::ExternalEscalation {
                    authority,
                    reference,
                } => Some(ExternalEscalationView {
                    authority,
                    reference,
                    recorded_at: e.at,
                }),
                _ => None,
            })
            .collect();
        let o = order.order;
        let parties = DossierParties {
            buyer: complaint.buyer.clone(),
            shop_id: o.shop_id.clone(),
            shop_name,
            courier_name: o.courier_name.clone(),
        };
        Dossier {
            generated_at: now,
            parties,
            order: DossierOrder {
                items: order
                    .items
                    .into_iter()
                    .map(|i| DossierOrderItem {
                        title: i.title,
                        product_id: i.product_id,
                        quantity: i.quantity,
                        unit_price: Money::kzt(i.unit_price),
                    })
                    .collect(),
                id: o.id,
                external_id: o.external_id,
                placed_at: rfc3339(o.placed_at),
                delivery_type: o.delivery_type.as_str().to_string(),
                courier_name: o.courier_name,
                promised_at: o.promised_at.map(rfc3339),
                delivered_at: o.delivered_at.map(rfc3339),
                status: o.status.as_str().to_string(),
                total: Money::kzt(o.total_amount),
            },
            messages,
            evidence: evidence
                .into_iter()
                .map(|(a, _)| EvidenceView::render(a, reader, buyer_id))
                .collect(),
            breaches: breaches.into_iter().map(BreachView::from).collect(),
            external_escalations,
            complaint,
        }
    }
}
