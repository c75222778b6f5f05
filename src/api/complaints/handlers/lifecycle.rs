//! Every step of a case after filing, one endpoint each; the rules decide in db::complaints::act.
use super::*;

/// Post a message on the case; moderators may post internal notes (`internal: true`).
#[utoipa::path(
    operation_id = "post_complaint_message",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "The case with the message on its timeline", body = ComplaintView),
        Unauthorized,
        (status = 403, description = "`forbidden`: service token, or an internal note by a non-moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (closed or withdrawn), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/messages")]
pub(crate) async fn post_message(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<MessageRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::PostMessage.roles())?;
    let id = path.into_inner();
    let req = body
        .after(
            |r| validate_with(r, distinct_ids(r.attachment_ids.as_deref().unwrap_or(&[]))),
            exists(&state, &id, &user),
        )
        .await?;
    let ids = req.attachment_ids.clone().unwrap_or_default();
    let data = ComplaintStep::Message {
        body: req.body.trim().into(),
        attachment_ids: ids.clone(),
    };
    let cmd = Command::PostMessage {
        internal: req.internal,
    };
    run(state, user, id, cmd, data, ids).await
}

/// Acknowledge the complaint (the acceptance step, due 3 business days after filing).
#[utoipa::path(
    operation_id = "acknowledge_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (only a submitted case), with `allowed_actions`; `seller_acts_first` (a seller case still with the seller)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/acknowledge")]
pub(crate) async fn acknowledge(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Acknowledge.roles())?;
    run(
        state,
        user,
        path.into_inner(),
        Command::Acknowledge,
        ComplaintStep::Acknowledged {},
        Vec::new(),
    )
    .await
}

/// The seller's response to a seller case (due 48 hours after filing; silence escalates).
#[utoipa::path(
    operation_id = "respond_to_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = RespondRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a seller", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (already responded, or decided), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/respond")]
pub(crate) async fn respond(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<RespondRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Respond.roles())?;
    let id = path.into_inner();
    let req = body
        .after(
            |r| validate_with(r, distinct_ids(r.attachment_ids.as_deref().unwrap_or(&[]))),
            exists(&state, &id, &user),
        )
        .await?;
    let ids = req.attachment_ids.clone().unwrap_or_default();
    let data = ComplaintStep::SellerResponded {
        body: req.body.trim().into(),
        proposed_resolution: req.proposed_resolution,
        attachment_ids: ids.clone(),
    };
    run(state, user, id, Command::Respond, data, ids).await
}

/// Ask the buyer for more information: `awaiting_buyer`, the resolution clock pauses.
#[utoipa::path(
    operation_id = "request_complaint_info",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = RequestInfoRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator or seller", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        WrongState,
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/request-info")]
pub(crate) async fn request_info(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<RequestInfoRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::RequestInfo.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = ComplaintStep::InfoRequested {
        question: req.question.trim().into(),
    };
    run(state, user, id, Command::RequestInfo, data, Vec::new()).await
}

/// The buyer's answer: back to `in_review`, the paused time is added to the deadline.
#[utoipa::path(
    operation_id = "provide_complaint_info",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = ProvideInfoRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (nothing was asked), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `invalid_attachment`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/provide-info")]
pub(crate) async fn provide_info(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ProvideInfoRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::ProvideInfo.roles())?;
    let id = path.into_inner();
    let req = body
        .after(
            |r| validate_with(r, distinct_ids(r.attachment_ids.as_deref().unwrap_or(&[]))),
            exists(&state, &id, &user),
        )
        .await?;
    let ids = req.attachment_ids.clone().unwrap_or_default();
    let data = ComplaintStep::InfoProvided {
        body: req.body.trim().into(),
        attachment_ids: ids.clone(),
    };
    run(state, user, id, Command::ProvideInfo, data, ids).await
}

/// Assign the case to a moderator (an internal event; `acknowledged` → `in_review`).
#[utoipa::path(
    operation_id = "assign_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = AssignRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (decided cases), with `allowed_actions`; `seller_acts_first` (a seller case still with the seller)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`moderator_id: not_a_moderator`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/assign")]
pub(crate) async fn assign(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<AssignRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Assign.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = ComplaintStep::Assigned {
        moderator_id: req.moderator_id.clone(),
    };
    let cmd = Command::Assign {
        moderator_id: req.moderator_id,
    };
    run(state, user, id, cmd, data, Vec::new()).await
}

/// Take an acknowledged case into review without assigning it (`acknowledged` →
/// `in_review`); a case is decided only once it is in review.
#[utoipa::path(
    operation_id = "start_complaint_review",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (only an acknowledged case), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/start-review")]
pub(crate) async fn start_review(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::StartReview.roles())?;
    run(
        state,
        user,
        path.into_inner(),
        Command::StartReview,
        ComplaintStep::ReviewStarted {},
        Vec::new(),
    )
    .await
}

/// Change the review track (`standard` 3 business days, `complex` 10 days, `expertise` 30
/// days from filing, plus paused time); the buyer is told the new deadline.
#[utoipa::path(
    operation_id = "change_complaint_track",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = ChangeTrackRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        WrongState,
        (status = 422, description = "`validation_failed` (`track: unchanged`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/track")]
pub(crate) async fn change_track(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ChangeTrackRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::ChangeTrack.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = ComplaintStep::TrackChanged {
        track: req.track,
        reason: req.reason,
    };
    run(
        state,
        user,
        id,
        Command::ChangeTrack(req.track),
        data,
        Vec::new(),
    )
    .await
}

/// Extend the resolution deadline, with a reason the buyer is told.
#[utoipa::path(
    operation_id = "extend_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = ExtendRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        WrongState,
        (status = 422, description = "`validation_failed` (`resolve_by: not_later`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/extend")]
pub(crate) async fn extend(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ExtendRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Extend.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let resolve_by = crate::clock::truncate(req.resolve_by);
    let data = ComplaintStep::Extended {
        reason: req.reason.trim().into(),
        resolve_by,
    };
    run(
        state,
        user,
        id,
        Command::Extend { resolve_by },
        data,
        Vec::new(),
    )
    .await
}

/// Decide the case: outcome, remedy and a written explanation. The buyer may accept, or
/// appeal once within 14 days; an appeal is decided by another moderator.
#[utoipa::path(
    operation_id = "resolve_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = ResolveRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a moderator; `appeal_needs_another_moderator`", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (not in review yet — an acknowledged case is assigned or taken into review first —, awaiting the buyer, decided), with `allowed_actions`; `seller_acts_first` (a seller case still with the seller)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`remedy.amount: required|not_allowed|exceeds_order_total`, `remedy.kind: rejected_needs_none`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/resolve")]
pub(crate) async fn resolve(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ResolveRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Resolve.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = ComplaintStep::Resolved {
        outcome: req.outcome,
        remedy: StepRemedy {
            kind: req.remedy.kind,
            amount: req.remedy.amount,
        },
        explanation: req.explanation.trim().into(),
    };
    let cmd = Command::Resolve(Resolution {
        outcome: req.outcome,
        remedy: req.remedy.kind,
        amount: req.remedy.amount,
    });
    run(state, user, id, cmd, data, Vec::new()).await
}

/// The buyer accepts the decision: `closed`.
#[utoipa::path(
    operation_id = "accept_complaint_decision",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (not resolved), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/accept")]
pub(crate) async fn accept(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Accept.roles())?;
    run(
        state,
        user,
        path.into_inner(),
        Command::Accept,
        ComplaintStep::Accepted {},
        Vec::new(),
    )
    .await
}

/// Appeal the decision once, within 14 days: `reopened`, decided by another moderator.
#[utoipa::path(
    operation_id = "appeal_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = AppealRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`already_appealed`; `invalid_transition` (not resolved), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`, `appeal_window_closed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/appeal")]
pub(crate) async fn appeal(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<AppealRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Appeal.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = ComplaintStep::Appealed {
        reason: req.reason.trim().into(),
    };
    run(state, user, id, Command::Appeal, data, Vec::new()).await
}

/// Escalate to the moderators after 2 business days without a public reply (once).
#[utoipa::path(
    operation_id = "escalate_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`already_escalated`; `invalid_transition`, with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`escalation_not_yet_allowed`, with `available_at`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/escalate")]
pub(crate) async fn escalate(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Escalate.roles())?;
    let data = ComplaintStep::Escalated {
        reason: "no_public_reply".into(),
    };
    run(
        state,
        user,
        path.into_inner(),
        Command::Escalate,
        data,
        Vec::new(),
    )
    .await
}

/// Withdraw the complaint before it is decided.
#[utoipa::path(
    operation_id = "withdraw_complaint",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (decided), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/withdraw")]
pub(crate) async fn withdraw(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::Withdraw.roles())?;
    run(
        state,
        user,
        path.into_inner(),
        Command::Withdraw,
        ComplaintStep::Withdrawn {},
        Vec::new(),
    )
    .await
}

/// Record that the buyer took the decided case to an outside authority.
#[utoipa::path(
    operation_id = "record_external_escalation",
    tag = "complaints",
    params(("id" = String, Path, description = "Complaint id")),
    request_body = ExternalEscalationRequest,
    responses(
        (status = 200, body = ComplaintView),
        Unauthorized,
        (status = 403, description = "Not a buyer", body = Problem, content_type = "application/problem+json"),
        NotAParty,
        (status = 409, description = "`invalid_transition` (no final decision yet), with `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/complaints/{id}/external-escalations")]
pub(crate) async fn external_escalation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<ExternalEscalationRequest>,
) -> ApiResult<web::Json<ComplaintView>> {
    user.require(Action::RecordExternalEscalation.roles())?;
    let id = path.into_inner();
    let req = body
        .after(|r| validate_with(r, Vec::new()), exists(&state, &id, &user))
        .await?;
    let data = ComplaintStep::ExternalEscalation {
        authority: req.authority,
        reference: req.reference.trim().into(),
    };
    let cmd = Command::RecordExternalEscalation;
    run(state, user, id, cmd, data, Vec::new()).await
}
