use super::dto::*;
use crate::api::{client_address, validate_with, ApiJson};
use crate::auth::{password, refresh, AuthUser};
use crate::db::{self, tokens::Rotation, users::NewUser};
use crate::domain::privacy::normalize_phone;
use crate::domain::roles::Role;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError, Problem, Unauthorized};
use crate::state::AppState;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::TimeDelta;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(register)
        .service(login)
        .service(refresh_tokens)
        .service(logout)
        .service(me);
}

fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Signs an access token and starts (or continues) a refresh-token family.
fn issue_pair(
    state: &AppState,
    user: &db::users::UserRow,
    refresh_token: String,
) -> ApiResult<AuthResponse> {
    let ttl = state.settings.access_token_ttl;
    let claims = state.jwt.claims_for(
        &user.id,
        user.role(),
        user.shop_id.clone(),
        state.clock.now(),
        TimeDelta::from_std(ttl).map_err(ApiError::internal)?,
    );
    Ok(AuthResponse {
        user: MeResponse::from(user),
        access_token: state.jwt.sign(&claims).map_err(ApiError::internal)?,
        refresh_token,
        token_type: "Bearer",
        expires_in: ttl.as_secs(),
    })
}

fn refresh_expiry(state: &AppState) -> ApiResult<chrono::DateTime<chrono::Utc>> {
    Ok(state.clock.now()
        + TimeDelta::from_std(state.settings.refresh_token_ttl).map_err(ApiError::internal)?)
}

/// Starts a new refresh-token family for `user` and returns the token pair.
async fn start_session(state: &AppState, user: db::users::UserRow) -> ApiResult<AuthResponse> {
    let token = refresh::generate();
    let hash = refresh::fingerprint(&token);
    let (now, expires) = (state.clock.now(), refresh_expiry(state)?);
    let user_id = user.id.clone();
    state
        .db(move |c| db::tokens::insert(c, &user_id, &db::new_id(), &hash, now, expires))
        .await?;
    issue_pair(state, &user, token)
}

/// Register a buyer, or a seller together with a new shop.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created; signed in", body = AuthResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_taken`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` with every field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/register")]
async fn register(
    state: web::Data<AppState>,
    body: ApiJson<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    let req = body.into_inner()?;
    let phone = req.check()?;
    let password = req.password.clone();
    let hash = state
        .hashing
        .run(move || password::hash(&password))
        .await?
        .map_err(ApiError::internal)?;
    let now = state.clock.now();
    let user = state
        .db(move |c| {
            let email = normalize_email(&req.email);
            db::users::create(c, &req.new_user(&email, &hash, phone.as_deref()), now)
        })
        .await?;
    let pair = start_session(&state, user).await?;
    Ok(HttpResponse::Created().json(pair))
}

/// Exchange e-mail and password for an access and a refresh token.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = AuthResponse),
        (status = 401, description = "`invalid_credentials`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<LoginRequest>,
) -> ApiResult<web::Json<AuthResponse>> {
    let body = body.into_inner()?;
    let email = normalize_email(&body.email);
    let address = client_address::of(&req, &state.settings.trusted_proxies);
    let now = state.clock.now();
    let policy = state.policy.login.clone();
    // An address that earned a lock on this account is refused before its password is looked
    // at; an admitted attempt is counted against its address until it proves right.
    let (key, at, p) = (email.clone(), address.clone(), policy.clone());
    let (user, admitted) = state
        .db(move |c| {
            let admitted = db::login_failures::admit(c, &key, &at, &p, now)?;
            Ok((db::users::find_by_email(c, &key)?, admitted))
        })
        .await?;
    if let Err(until) = admitted {
        return Err(ApiError::RateLimited(seconds_until(now, until)));
    }
    // Service accounts have an empty hash: checked like an unknown account, never let in.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let right = state.hashing.check(body.password, stored).await?;
    let key = email.clone();
    let Some(user) = user.filter(|_| right) else {
        // Unknown accounts count too, so that a lock says nothing about who is registered.
        state
            .db(move |c| db::login_failures::failed(c, &key, &policy, now))
            .await?;
        return Err(ErrorCode::InvalidCredentials.into());
    };
    state
        .db(move |c| db::login_failures::succeeded(c, &key, &address))
        .await?;
    Ok(web::Json(start_session(&state, user).await?))
}

/// Whole seconds until `until`, at least one (the `Retry-After` of a locked login).
fn seconds_until(now: chrono::DateTime<chrono::Utc>, until: chrono::DateTime<chrono::Utc>) -> u64 {
    let ms = (until - now).num_milliseconds().max(0) as u64;
    ms.div_ceil(1000).max(1)
}

/// Rotate a refresh token. A token that was already used revokes its whole family.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = AuthResponse),
        (status = 401, description = "`invalid_refresh_token` or `refresh_token_reused`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
async fn refresh_tokens(
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> ApiResult<web::Json<AuthResponse>> {
    let old = refresh::fingerprint(&body.into_inner()?.refresh_token);
    let token = refresh::generate();
    let new = refresh::fingerprint(&token);
    let (now, expires) = (state.clock.now(), refresh_expiry(&state)?);
    let outcome = state
        .db(move |c| db::tokens::rotate(c, &old, &new, now, expires))
        .await?;
    match outcome {
        Rotation::Rotated(user) => Ok(web::Json(issue_pair(&state, &user, token)?)),
        Rotation::Reused => Err(ErrorCode::RefreshTokenReused.into()),
        Rotation::Invalid => Err(ErrorCode::InvalidRefreshToken.into()),
    }
}

/// End the session the refresh token belongs to.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out"),
        Unauthorized,
    ),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
async fn logout(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let hash = refresh::fingerprint(&body.into_inner()?.refresh_token);
    let now = state.clock.now();
    state
        .db(move |c| db::tokens::revoke_for_user(c, &user.id, &hash, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's account.
#[utoipa::path(
    operation_id = "get_me",
    tag = "auth",
    responses(
        (status = 200, body = MeResponse),
        Unauthorized,
    ),
    security(("bearer" = []))
)]
#[get("/me")]
async fn me(state: web::Data<AppState>, user: AuthUser) -> ApiResult<web::Json<MeResponse>> {
    let row = state
        .db(move |c| db::users::find(c, &user.id))
        .await?
        .ok_or(ErrorCode::InvalidToken)?;
    Ok(web::Json(MeResponse::from(&row)))
}

impl RegisterRequest {
    /// The checks the derive cannot make: a role one may register with, a seller's shop name,
    /// a phone that normalises. The normalised phone.
    fn check(&self) -> ApiResult<Option<String>> {
        let mut extra = Vec::new();
        if !self.role.self_registrable() {
            extra.push(FieldError::new("role", "role"));
        }
        if self.role == Role::Seller && self.shop_name.is_none() {
            extra.push(FieldError::new("shop_name", "required"));
        }
        let phone = self.phone.as_deref().map(|raw| (raw, normalize_phone(raw)));
        if let Some((_, None)) = phone {
            extra.push(FieldError::new("phone", "phone"));
        }
        validate_with(self, extra)?;
        Ok(phone.and_then(|(_, p)| p))
    }

    /// The account to create (`email` normalised): names trimmed, a shop only for a seller.
    fn new_user<'a>(
        &'a self,
        email: &'a str,
        hash: &'a str,
        phone: Option<&'a str>,
    ) -> NewUser<'a> {
        NewUser {
            id: None,
            shop_id: None,
            email,
            password_hash: hash,
            full_name: self.full_name.trim(),
            phone,
            role: self.role,
            shop_name: match self.role {
                Role::Seller => self.shop_name.as_deref().map(str::trim),
                _ => None,
            },
        }
    }
}
