use crate::db::users::UserRow;
use crate::domain::roles::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RegisterRequest {
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    #[schema(example = "aigerim@example.kz")]
    pub email: String,
    #[validate(length(min = 8, max = 128))]
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    #[validate(length(min = 1, max = 200), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 200)]
    #[schema(example = "Айгерим Нурланова")]
    pub full_name: String,
    /// Kazakhstan number in any common spelling; stored as +7XXXXXXXXXX.
    #[schema(example = "+7 701 123 45 12")]
    pub phone: Option<String>,
    /// `buyer` or `seller`; moderators and service accounts are created by operators.
    #[schema(value_type = RegistrableRole)]
    pub role: Role,
    /// Required for sellers: the shop created with the account.
    #[validate(length(min = 1, max = 200), custom(function = crate::api::text::not_blank))]
    #[schema(min_length = 1, max_length = 200)]
    pub shop_name: Option<String>,
}

/// The roles an account may register itself with (documents `RegisterRequest.role`; the
/// request reads a [`Role`] so that `moderator` is refused with a field error, not a parse error).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum RegistrableRole {
    Buyer,
    Seller,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: String,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl From<&UserRow> for MeResponse {
    fn from(u: &UserRow) -> Self {
        MeResponse {
            id: u.id.clone(),
            email: u.email.clone(),
            full_name: u.full_name.clone(),
            role: u.role(),
            shop_id: u.shop_id.clone(),
            phone: u.phone.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthResponse {
    pub user: MeResponse,
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque; exchange at /auth/refresh. Each use rotates it.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}
