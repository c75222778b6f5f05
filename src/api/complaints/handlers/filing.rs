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
    let description = req.description.trim().to_string();
    let mut extra = Vec::new();
    if description.chars().count() < policy.description_min_chars {
        extra.push(FieldError::new("description", "length"));
    }
    if !req.category.valid_for(req.target) {
        extra.push(FieldError::new("category", "not_for_target"));
    }
    let phone = match req.contact.as_ref().and_then(|c| c.phone.as_deref()) {
        Some(raw) => match normalize_phone(raw) {
            Some(p) => Some(p),
            None => {
                extra.push(FieldError::new("contact.phone", "phone"));
                None
            }
        },
        None => None,
    };
    let attachment_ids = req.attachment_ids.clone().unwrap_or_default();
    extra.extend(crate::api::distinct_ids(&attachment_ids));
    validate_with(&req, extra)?;
    let now = state.clock.now();
    let who = user.caller();
    let record = state
        .db(move |c| {
            // The contact defaults to the account's.
            let account = db::users::find(c, &who.id)?.ok_or(DbError::NotFound)?;
            let email = req.contact.as_ref().and_then(|c| c.email.clone());
            let details = FilingDetails {
                desired_resolution: req.desired_resolution,
                contact: ContactDetails {
                    phone: phone.or(account.phone),
                    email: email.or(Some(account.email)),
                },
                involved_person: req.involved_person.map(|p| p.trim().to_string()),
                expected_at: req.expected_at.map(crate::clock::truncate),
                actual_at: req.actual_at.map(crate::clock::truncate),
                return_id: None,
            };
            let filing = Filing {
                order_id: req.order_id,
                target: req.target,
                category: req.category,
                description,
                details: serde_json::to_value(&details)
                    .map_err(|e| DbError::Other(e.to_string()))?,
                attachment_ids,
            };
            let row = store::file(c, &who, &filing, &policy, now)?;
            store::read_case(c, &row.id, &who)
        })
        .await?;
    Ok(HttpResponse::Created().json(render(&state, record, &user)))
}
