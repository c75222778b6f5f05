//! Reading complaints: the list, one case, and the moderator's dossier.
use super::*;

/// The caller's complaints, newest first: a buyer's own, the seller cases of a seller's shop, all for moderators.
#[utoipa::path(
    tag = "complaints",
    params(ComplaintListQuery),
    responses(
        (status = 200, body = ComplaintPage),
        Unauthorized,
        (status = 403, description = "Service tokens cannot list complaints", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/complaints")]
pub(crate) async fn list_complaints(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ComplaintListQuery>,
) -> ApiResult<web::Json<ComplaintPage>> {
    user.require(&[Role::Buyer, Role::Seller, Role::Moderator])?;
    let q = query.into_inner();
    let (limit, cursor) = time_page(&state.policy, q.limit, q.cursor.as_deref())?;
    let now = state.clock.now();
    let filter = ListFilter {
        status: q.status,
        target: q.target,
        category: q.category,
        overdue_at: q.overdue.filter(|o| *o).map(|_| now),
    };
    let (role, id, shop) = (user.role, user.id.clone(), user.shop_id.clone());
    let (rows, names) = state
        .db(move |c| {
            let scope = match role {
                Role::Buyer => Scope::Buyer(&id),
                Role::Seller => Scope::Shop(shop.as_deref().unwrap_or("")),
                _ => Scope::All,
            };
            let rows = store::list(c, scope, &filter, cursor.as_ref(), limit + 1)?;
            let names = names_of(c, &rows)?;
            Ok((rows, names))
        })
        .await?;
    let views: Vec<ComplaintView> = rows
        .iter()
        .map(|r| view(&state, r, &user, &names, now))
        .collect();
    let (items, next_cursor) = pagination::split_page(views, limit, |v| {
        TimeCursor {
            at: v.filed_at,
            id: v.id.clone(),
        }
        .encode()
    });
    Ok(web::Json(ComplaintPage { items, next_cursor }))
}

/// One case with its timeline (moderators also see internal events).
#[utoipa::path(
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Service tokens cannot read complaints", body = Problem, content_type = "application/problem+json"),
        NotAParty,
    ),
    security(("bearer" = []))
)]
#[get("/complaints/{id}")]
pub(crate) async fn get_complaint(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(&[Role::Buyer, Role::Seller, Role::Moderator])?;
    let row = visible(&state, path.into_inner(), &user).await?;
    Ok(web::Json(detail(&state, row, &user).await?))
}

/// The complete case file: parties, order, timeline, messages, evidence with SHA-256,
/// deadlines, breaches and external escalations.
#[utoipa::path(
    operation_id = "get_complaint_dossier",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = Dossier),
        Unauthorized,
        (status = 403, description = "Service tokens cannot read complaints", body = Problem, content_type = "application/problem+json"),
        NotAParty,
    ),
    security(("bearer" = []))
)]
#[get("/complaints/{id}/dossier")]
pub(crate) async fn dossier(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Dossier>> {
    user.require(&[Role::Buyer, Role::Seller, Role::Moderator])?;
    let row = visible(&state, path.into_inner(), &user).await?;
    let internal = user.role == Role::Moderator;
    let (order_id, shop_id, id) = (row.order_id.clone(), row.shop_id.clone(), row.id.clone());
    let (order, shop_name, evidence, breaches) = state
        .db(move |c| {
            let order = db::orders::find(c, &order_id)?.ok_or(DbError::NotFound)?;
            let shop_name = db::users::shop_name(c, &shop_id)?;
            let evidence = store::evidence(c, &id, internal)?;
            let breaches = store::breaches(c, &id)?;
            Ok((order, shop_name, evidence, breaches))
        })
        .await?;
    let complaint = detail(&state, row, &user).await?;
    let timeline = complaint.timeline.as_deref().unwrap_or_default();
    let messages = timeline
        .iter()
        .filter(|e| e.kind == "message")
        .cloned()
        .collect();
    let external_escalations = timeline
        .iter()
        .filter(|e| e.kind == "external_escalation")
        .map(|e| ExternalEscalationView {
            authority: e.data["authority"].as_str().unwrap_or_default().into(),
            reference: e.data["reference"].as_str().unwrap_or_default().into(),
            recorded_at: e.at,
        })
        .collect();
    let o = order.order;
    let parties = DossierParties {
        buyer: complaint.buyer.clone(),
        shop_id: o.shop_id.clone(),
        shop_name,
        courier_name: o.courier_name.clone(),
    };
    Ok(web::Json(Dossier {
        generated_at: state.clock.now(),
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
            placed_at: crate::api::rfc3339(o.placed_at),
            delivery_type: o.delivery_type,
            courier_name: o.courier_name,
            promised_at: o.promised_at.map(crate::api::rfc3339),
            delivered_at: o.delivered_at.map(crate::api::rfc3339),
            status: o.status,
            total: Money::kzt(o.total_amount),
        },
        messages,
        evidence: evidence.into_iter().map(EvidenceView::from).collect(),
        breaches: breaches.into_iter().map(BreachView::from).collect(),
        external_escalations,
        complaint,
    }))
}
