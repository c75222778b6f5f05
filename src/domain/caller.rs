//! Who makes a request, and the one rule of who is a party to an order's affairs.
use super::roles::Role;

#[derive(Debug, Clone)]
pub struct Caller {
    pub id: String,
    pub role: Role,
    /// A seller's shop.
    pub shop_id: Option<String>,
}

/// The parties of an order, a case or a return.
#[derive(Debug, Clone, Copy)]
pub struct Parties<'a> {
    pub buyer_id: &'a str,
    /// The shop whose sellers take part; `None` when the shop is not a party (a complaint
    /// about the courier).
    pub shop_id: Option<&'a str>,
    /// Whether the integration (a service account) acts on it.
    pub service: bool,
}

/// Whose records a list shows a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// A buyer's own.
    Buyer(&'a str),
    /// A seller's shop's (for complaints: the cases about the seller).
    Shop(&'a str),
    /// Everyone's: moderators.
    All,
}

impl Caller {
    /// What the caller's lists show. A seller without a shop sees an empty shop's.
    pub fn scope(&self) -> Scope<'_> {
        match self.role {
            Role::Buyer => Scope::Buyer(&self.id),
            Role::Seller => Scope::Shop(self.shop_id.as_deref().unwrap_or("")),
            Role::Moderator | Role::Service => Scope::All,
        }
    }

    /// Its buyer, a seller of its shop, any moderator, and the integration where it acts.
    /// Anyone else must not learn that it exists.
    pub fn is_party(&self, p: Parties<'_>) -> bool {
        match self.role {
            Role::Buyer => p.buyer_id == self.id,
            Role::Seller => p.shop_id.is_some() && self.shop_id.as_deref() == p.shop_id,
            Role::Moderator => true,
            Role::Service => p.service,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, id: &str, shop: Option<&str>) -> Caller {
        Caller {
            id: id.into(),
            role,
            shop_id: shop.map(str::to_string),
        }
    }

    const ORDER: Parties<'static> = Parties {
        buyer_id: "b1",
        shop_id: Some("s1"),
        service: false,
    };

    #[test]
    fn the_buyer_the_shops_sellers_and_moderators_are_parties() {
        assert!(caller(Role::Buyer, "b1", None).is_party(ORDER));
        assert!(!caller(Role::Buyer, "b2", None).is_party(ORDER));
        assert!(caller(Role::Seller, "u9", Some("s1")).is_party(ORDER));
        assert!(!caller(Role::Seller, "u9", Some("s2")).is_party(ORDER));
        assert!(!caller(Role::Seller, "u9", None).is_party(ORDER));
        assert!(caller(Role::Moderator, "m1", None).is_party(ORDER));
    }

    #[test]
    fn a_shop_that_is_not_a_party_has_no_seller_party() {
        let courier_case = Parties {
            shop_id: None,
            ..ORDER
        };
        assert!(!caller(Role::Seller, "u9", Some("s1")).is_party(courier_case));
        assert!(caller(Role::Buyer, "b1", None).is_party(courier_case));
    }

    #[test]
    fn the_integration_is_a_party_only_where_it_acts() {
        let service = caller(Role::Service, "svc", None);
        assert!(!service.is_party(ORDER));
        assert!(service.is_party(Parties {
            service: true,
            ..ORDER
        }));
    }
}
