//! Filing a complaint.
use super::*;

/// File a complaint about the courier or the seller of one of the buyer's orders.
#[utoipa::path(
    tag = "complaints",
    request_body = FileComplaintRequest,
    responses(
        (status = 201, description = "Filed: number `C-YYYY-NNNNNN` and `sla` deadlines", body = ComplaintView),
        Unauthorized,
        (status = 403, description = "`forbidden`: not a buyer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`complaint_already_open` for the same order, target and category", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (e.g. `category: not_for_target`, `description: length`), `order_not_delivered`, `complaint_window_closed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints")]
pub(crate) async fn file_complaint(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<FileComplaintRequest>,
) -> ApiResult<HttpResponse> {
    user.require(&[Role::Buyer])?;
    let req = body.into_inner()?;
    let policy = state.policy.complaints.clone();
    let phone = req.check(&policy)?;
    let (now, who) = (state.clock.now(), user.caller());
    let record = state
        .db(move |c| {
            let account = db::users::find(c, &who.id)?.ok_or(DbError::NotFound)?;
            let row = store::file(c, &who, &req.filing(phone, &account)?, &policy, now)?;
            store::read_case(c, &row.id, &who)
        })
        .await?;
    let refs = state.buyer_refs().await?;
    Ok(HttpResponse::Created().json(render(&state, record, (&user, &refs))))
}
