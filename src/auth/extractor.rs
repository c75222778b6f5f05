//! `AuthUser`: the verified caller of a request. Handlers check the role in one line.
use crate::domain::roles::Role;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use std::future::{ready, Ready};

#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub role: Role,
    pub shop_id: Option<String>,
}

impl AuthUser {
    /// 403 unless the caller has one of `roles`.
    /// Who acts, as the case stores (complaints, returns, orders) take it.
    pub fn caller(&self) -> crate::domain::caller::Caller {
        crate::domain::caller::Caller {
            id: self.id.clone(),
            role: self.role,
            shop_id: self.shop_id.clone(),
        }
    }

    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ErrorCode::Forbidden.into())
        }
    }
}

fn authenticate(req: &HttpRequest) -> Result<AuthUser, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or(ApiError::from(ErrorCode::Unauthenticated))?;
    let value = header.to_str().map_err(|_| ErrorCode::InvalidToken)?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(ErrorCode::InvalidToken)?;
    let claims = state
        .jwt
        .verify(token, state.clock.now())
        .map_err(|_| ErrorCode::InvalidToken)?;
    Ok(AuthUser {
        id: claims.sub,
        role: claims.role,
        shop_id: claims.shop_id,
    })
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<AuthUser, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

/// For routes anyone may call: no header → anonymous; a header that fails → 401 (a client
/// that sends a token wants to know it is bad).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<AuthUser>);

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = Ready<Result<MaybeUser, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .is_none()
        {
            return ready(Ok(MaybeUser(None)));
        }
        ready(authenticate(req).map(|u| MaybeUser(Some(u))))
    }
}
