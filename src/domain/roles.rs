use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Buyer,
    Seller,
    Moderator,
    /// Upstream systems (order and delivery sync): integration endpoints only.
    Service,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::Seller => "seller",
            Role::Moderator => "moderator",
            Role::Service => "service",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "buyer" => Some(Role::Buyer),
            "seller" => Some(Role::Seller),
            "moderator" => Some(Role::Moderator),
            "service" => Some(Role::Service),
            _ => None,
        }
    }

    /// Roles a person may pick when registering; moderators and services are created by operators.
    pub fn self_registrable(self) -> bool {
        matches!(self, Role::Buyer | Role::Seller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_registration() {
        for r in [Role::Buyer, Role::Seller, Role::Moderator, Role::Service] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert!(Role::Buyer.self_registrable());
        assert!(!Role::Moderator.self_registrable());
        assert!(!Role::Service.self_registrable());
        assert_eq!(Role::parse("admin"), None);
    }
}
