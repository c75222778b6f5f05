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
    let caller = user.caller();
    let (rows, names) = state
        .db(move |c| {
            let rows = store::list(c, caller.scope(), &filter, cursor.as_ref(), limit + 1)?;
            let names = store::names_of(c, &rows)?;
            Ok((rows, names))
        })
        .await?;
    let refs = state.buyer_refs().await?;
    let views: Vec<ComplaintView> = rows
        .iter()
        .map(|r| view(&state, r, (&user, &refs), &names, now))
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
    Ok(web::Json(read(&state, path.into_inner(), &user).await?))
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
    let (id, who) = (path.into_inner(), user.caller());
    let record = state.db(move |c| store::read_dossier(c, &id, &who)).await?;
    let (case, now) = (record.case, state.clock.now());
    let refs = state.buyer_refs().await?;
    let buyer_id = case.row.buyer_id.clone();
    let complaint = render(&state, case, (&user, &refs));
    Ok(web::Json(Dossier::render(
        complaint,
        record.order,
        record.shop_name,
        record.evidence,
        record.breaches,
        (Reader::of(&user, &refs), &buyer_id),
        now,
    )))
}
