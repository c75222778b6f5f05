//! `AuthUser`: the verified caller of a request. Handlers check the role in one line.
//!
//! A token counts only when its signature holds and its subject is an account of this
//! database with the token's role and shop (and a service token is on record, unrevoked):
//! see `trust`.
use super::trust;
use crate::domain::roles::Role;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

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

async fn authenticate(req: &HttpRequest) -> Result<AuthUser, ApiError> {
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
    let now = state.clock.now();
    let claims = state
        .jwt
        .verify(token, now)
        .map_err(|_| ErrorCode::InvalidToken)?;
    let key = trust::key_of(&claims);
    let standing = match state.trust.get(&key, now) {
        Some(known) => known,
        None => {
            let sub = claims.sub.clone();
            let service_token = (claims.role == Role::Service).then(|| claims.jti.clone());
            let found = state
                .db(move |c| crate::db::service_tokens::standing(c, &sub, service_token.as_deref()))
                .await?;
            state.trust.put(key, now, found.clone());
            found
        }
    };
    if !trust::accepts(&claims, &standing) {
        return Err(ErrorCode::InvalidToken.into());
    }
    Ok(AuthUser {
        id: claims.sub,
        role: claims.role,
        shop_id: claims.shop_id,
    })
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<AuthUser, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

/// For routes anyone may call: no header → anonymous; a header that fails → 401 (a client
/// that sends a token wants to know it is bad).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<AuthUser>);

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<MaybeUser, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if req
                .headers()
                .get(actix_web::http::header::AUTHORIZATION)
                .is_none()
            {
                return Ok(MaybeUser(None));
            }
            authenticate(&req).await.map(|u| MaybeUser(Some(u)))
        })
    }
}
