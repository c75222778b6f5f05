//! `aftersale seed-demo`: a buyer, a seller with a shop, a moderator, a service token and a
//! handful of orders at the ages the rules care about, and the shop's past (`history`).
//! Safe to run again.
pub mod examples;
pub mod history;

use crate::auth::password;
use crate::db::orders::{ItemWrite, OrderWrite};
use crate::db::users::{NewUser, UserRow};
use crate::db::{self, DbConnection, DbError};
use crate::domain::orders::{DeliveryType, OrderStatus};
use crate::domain::roles::Role;
use crate::state::AppState;
use chrono::{DateTime, TimeDelta, Utc};

pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// Fixed ids of the demo records, so that the spec's examples (and "Try it out" in `/docs`)
/// name records that exist in a fresh `serve --demo` database.
pub mod ids {
    pub const BUYER: &str = "01938f00-0000-7000-8000-000000000001";
    pub const SELLER: &str = "01938f00-0000-7000-8000-000000000002";
    pub const MODERATOR: &str = "01938f00-0000-7000-8000-000000000003";
    pub const SHOP: &str = "01938f00-0000-7000-8000-0000000005e1";
    /// DEMO-1001 (delivered 2 days ago): an iPhone and two cases.
    pub const ORDER_1001: &str = "01938f00-0000-7000-8000-000000001001";
    pub const ITEM_1001_PHONE: &str = "01938f00-0000-7000-8000-000000100101";
    pub const ITEM_1001_CASE: &str = "01938f00-0000-7000-8000-000000100102";
    /// DEMO-1002 (delivered 12 days ago): a kettle.
    pub const ORDER_1002: &str = "01938f00-0000-7000-8000-000000001002";
    pub const ITEM_1002_KETTLE: &str = "01938f00-0000-7000-8000-000000100201";
    /// DEMO-1006: came back after two failed attempts.
    pub const ORDER_1006: &str = "01938f00-0000-7000-8000-000000001006";
    /// The shop's past (`history`): its open complaint, its waiting return, its first review.
    pub const COMPLAINT: &str = "01938f00-0000-7000-8000-0000000c0020";
    pub const RETURN: &str = "01938f00-0000-7000-8000-0000000e0022";
    pub const REVIEW: &str = "01938f00-0000-7000-8000-0000000b0001";
    /// The history's sixth review (one star): removed on the shop's upheld flag, appealed.
    pub const REVIEW_REMOVED: &str = "01938f00-0000-7000-8000-0000000b0006";
    /// What `examples` adds: the demo buyer's photo, the demo seller's open flag on
    /// `REVIEW`, the appeal of `REVIEW_REMOVED`, the demo buyer's "delivered" notification of
    /// DEMO-1001, and the demo shop's (disabled) webhook endpoint with its `ping` delivery.
    pub const ATTACHMENT: &str = "01938f00-0000-7000-8000-0000000a0001";
    pub const FLAG: &str = "01938f00-0000-7000-8000-0000000f0001";
    pub const APPEAL: &str = "01938f00-0000-7000-8000-0000000a9001";
    pub const NOTIFICATION: &str = "01938f00-0000-7000-8000-000000009001";
    pub const WEBHOOK: &str = "01938f00-0000-7000-8000-0000000d0001";
    pub const WEBHOOK_DELIVERY: &str = "01938f00-0000-7000-8000-0000000d1001";

    /// The id of the order with this external id, and of its `n`-th item (from 1).
    pub fn order(external_id: &str) -> Option<String> {
        let n = external_id.strip_prefix("DEMO-")?;
        Some(format!("01938f00-0000-7000-8000-00000000{n}"))
    }
    pub fn item(external_id: &str, n: usize) -> Option<String> {
        let number = external_id.strip_prefix("DEMO-")?;
        Some(format!("01938f00-0000-7000-8000-000000{number}{n:02}"))
    }
}

pub struct DemoAccounts {
    pub buyer: UserRow,
    pub seller: UserRow,
    pub moderator: UserRow,
    pub service_token: String,
    pub service_days: i64,
    pub orders: Vec<(String, String)>,
}

pub fn find_or_create(
    conn: &mut DbConnection,
    new: &NewUser,
    now: DateTime<Utc>,
) -> Result<UserRow, DbError> {
    if let Some(existing) = db::users::find_by_email(conn, new.email)? {
        return Ok(existing);
    }
    db::users::create(conn, new, now)
}

/// A service account for upstream systems (no password; token only).
pub fn service_account(
    conn: &mut DbConnection,
    name: &str,
    now: DateTime<Utc>,
) -> Result<UserRow, DbError> {
    let email = format!("{name}@service.aftersale.local");
    let new = NewUser {
        email: &email,
        password_hash: "",
        full_name: name,
        phone: None,
        role: Role::Service,
        shop_name: None,
        id: None,
        shop_id: None,
    };
    find_or_create(conn, &new, now)
}

pub fn issue_token(state: &AppState, user: &UserRow, ttl: TimeDelta) -> Result<String, String> {
    let mut conn = state.db.get().map_err(|e| e.to_string())?;
    issue_token_on(&mut conn, state, user, ttl, None)
}

/// Signs a token for `user`. A service account's token is put on record under its id (`jti`)
/// and `name` (the account's name unless given): it is honoured only while the record is
/// there and unrevoked, so that an operator can list and revoke it.
pub fn issue_token_on(
    conn: &mut DbConnection,
    state: &AppState,
    user: &UserRow,
    ttl: TimeDelta,
    name: Option<&str>,
) -> Result<String, String> {
    let now = state.clock.now();
    let claims = state
        .jwt
        .claims_for(&user.id, user.role(), user.shop_id.clone(), now, ttl);
    let token = state.jwt.sign(&claims)?;
    if user.role() == Role::Service {
        db::service_tokens::insert(
            conn,
            &claims.jti,
            &user.id,
            name.unwrap_or(&user.full_name),
            now,
            now + ttl,
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(token)
}

/// Seeds the demo (see the module's comment); safe to run again.
pub async fn seed(state: &AppState) -> Result<DemoAccounts, String> {
    let accounts = seed_records(state)?;
    // The photo's bytes go to the attachments store, which is asynchronous.
    examples::photo(state, &accounts.buyer).await?;
    Ok(accounts)
}

fn seed_records(state: &AppState) -> Result<DemoAccounts, String> {
    let now = state.clock.now();
    let hash = password::hash(DEMO_PASSWORD)?;
    let mut conn = state.db.get().map_err(|e| e.to_string())?;
    let conn: &mut DbConnection = &mut conn;
    let e = |e: DbError| e.to_string();
    let buyer = find_or_create(
        conn,
        &NewUser {
            email: "buyer@demo.kz",
            password_hash: &hash,
            full_name: "Айгерим Нурланова",
            phone: Some("+77011234512"),
            role: Role::Buyer,
            shop_name: None,
            id: Some(ids::BUYER),
            shop_id: None,
        },
        now,
    )
    .map_err(e)?;
    let seller = find_or_create(
        conn,
        &NewUser {
            email: "seller@demo.kz",
            password_hash: &hash,
            full_name: "Данияр Беков",
            phone: Some("+77021112233"),
            role: Role::Seller,
            shop_name: Some("TechnoDom Demo"),
            id: Some(ids::SELLER),
            shop_id: Some(ids::SHOP),
        },
        now,
    )
    .map_err(e)?;
    let moderator = find_or_create(
        conn,
        &NewUser {
            email: "moderator@demo.kz",
            password_hash: &hash,
            full_name: "Мадина Сериккызы",
            phone: None,
            role: Role::Moderator,
            shop_name: None,
            id: Some(ids::MODERATOR),
            shop_id: None,
        },
        now,
    )
    .map_err(e)?;
    let service = service_account(conn, "demo-order-sync", now).map_err(e)?;
    let shop_id = seller.shop_id.clone().ok_or("demo seller has no shop")?;

    struct Demo {
        external_id: &'static str,
        delivered_days_ago: Option<i64>,
        /// Two failed attempts: the buyer owes the refund-or-redelivery choice.
        returned_to_seller: bool,
        kind: DeliveryType,
        items: &'static [(&'static str, &'static str, Option<&'static str>, i32, i64)],
    }
    let demos = [
        Demo {
            external_id: "DEMO-1001",
            delivered_days_ago: Some(2),
            returned_to_seller: false,
            kind: DeliveryType::City,
            items: &[
                (
                    "P-IPHONE15",
                    "Apple iPhone 15 128GB",
                    Some("mobile_phones"),
                    1,
                    429_990,
                ),
                (
                    "P-CASE15",
                    "Чехол для iPhone 15",
                    Some("accessories"),
                    2,
                    4_990,
                ),
            ],
        },
        Demo {
            external_id: "DEMO-1002",
            delivered_days_ago: Some(12),
            returned_to_seller: false,
            kind: DeliveryType::City,
            items: &[(
                "P-KETTLE",
                "Электрочайник Tefal 1.7 л",
                Some("small_appliances"),
                1,
                18_990,
            )],
        },
        Demo {
            external_id: "DEMO-1003",
            delivered_days_ago: Some(20),
            returned_to_seller: false,
            kind: DeliveryType::Intercity,
            items: &[(
                "P-VACUUM",
                "Робот-пылесос Xiaomi S10",
                Some("small_appliances"),
                1,
                119_990,
            )],
        },
        Demo {
            external_id: "DEMO-1004",
            delivered_days_ago: Some(50),
            returned_to_seller: false,
            kind: DeliveryType::Intercity,
            items: &[(
                "P-SOCKS",
                "Носки хлопковые, 5 пар",
                Some("hosiery"),
                3,
                2_490,
            )],
        },
        Demo {
            external_id: "DEMO-1005",
            delivered_days_ago: None,
            returned_to_seller: false,
            kind: DeliveryType::Intercity,
            items: &[(
                "P-TV55",
                "Телевизор Samsung 55\" UHD",
                Some("tv"),
                1,
                289_990,
            )],
        },
        Demo {
            external_id: "DEMO-1006",
            delivered_days_ago: None,
            returned_to_seller: true,
            kind: DeliveryType::City,
            items: &[(
                "P-BLENDER",
                "Блендер Philips 800 Вт",
                Some("small_appliances"),
                1,
                24_990,
            )],
        },
    ];
    let mut orders = Vec::new();
    for d in demos {
        let placed_at = now - TimeDelta::days(d.delivered_days_ago.unwrap_or(0) + 3);
        let delivered_at = d.delivered_days_ago.map(|n| now - TimeDelta::days(n));
        let total = d
            .items
            .iter()
            .map(|(_, _, _, q, p)| i64::from(*q) * p)
            .sum();
        let order_id = ids::order(d.external_id);
        let item_ids: Vec<Option<String>> = (1..=d.items.len())
            .map(|n| ids::item(d.external_id, n))
            .collect();
        let write = OrderWrite {
            id: order_id.as_deref(),
            external_id: d.external_id,
            buyer_id: &buyer.id,
            shop_id: &shop_id,
            placed_at,
            items: d
                .items
                .iter()
                .zip(&item_ids)
                .map(
                    |((product_id, title, category, quantity, unit_price), id)| ItemWrite {
                        id: id.as_deref(),
                        product_id,
                        title,
                        category: *category,
                        quantity: *quantity,
                        unit_price: *unit_price,
                    },
                )
                .collect(),
            delivery_type: d.kind,
            courier_id: Some("CR-77"),
            courier_name: Some("Ерлан К."),
            promised_at: Some(placed_at + TimeDelta::days(2)),
            delivered_at,
            failed_attempts: if d.returned_to_seller { 2 } else { 0 },
            status: if d.returned_to_seller {
                OrderStatus::ReturnedToSeller
            } else if delivered_at.is_some() {
                OrderStatus::Delivered
            } else {
                OrderStatus::InTransit
            },
            total_amount: total,
        };
        let attempts = state.policy.returns.failed_attempts_before_return;
        let (record, _) = db::orders::upsert(conn, &write, attempts, now).map_err(e)?;
        orders.push((d.external_id.to_string(), record.order.id));
    }
    history::write(state, conn, &seller, &moderator, &service, &hash, now)?;
    examples::write(state, conn, &buyer, &seller, &hash, now)?;
    let days = (state.settings.service_token_ttl.as_secs() / 86_400).max(1) as i64;
    let service_token = issue_token_on(conn, state, &service, TimeDelta::days(days), None)?;
    Ok(DemoAccounts {
        buyer,
        seller,
        moderator,
        service_token,
        service_days: days,
        orders,
    })
}

pub fn print(accounts: &DemoAccounts, base_url: &str) {
    println!("Demo data ready ({base_url}).");
    println!("  password for every demo account: {DEMO_PASSWORD}");
    println!(
        "  buyer      {}  (id {})",
        accounts.buyer.email, accounts.buyer.id
    );
    println!(
        "  seller     {}  (shop {})",
        accounts.seller.email,
        accounts.seller.shop_id.as_deref().unwrap_or("-")
    );
    println!("  moderator  {}", accounts.moderator.email);
    println!(
        "  service token (order sync, {} days):\n    {}",
        accounts.service_days, accounts.service_token
    );
    println!("  orders:");
    for (external, id) in &accounts.orders {
        println!("    {external}  {id}");
    }
}

#[cfg(test)]
mod tests {
    use super::ids;

    #[test]
    fn demo_ids_follow_the_external_ids() {
        assert_eq!(ids::order("DEMO-1001").as_deref(), Some(ids::ORDER_1001));
        assert_eq!(ids::order("DEMO-1006").as_deref(), Some(ids::ORDER_1006));
        assert_eq!(
            ids::item("DEMO-1001", 1).as_deref(),
            Some(ids::ITEM_1001_PHONE)
        );
        assert_eq!(
            ids::item("DEMO-1001", 2).as_deref(),
            Some(ids::ITEM_1001_CASE)
        );
        assert_eq!(
            ids::item("DEMO-1002", 1).as_deref(),
            Some(ids::ITEM_1002_KETTLE)
        );
        for id in [
            ids::BUYER,
            ids::SHOP,
            ids::ITEM_1001_PHONE,
            ids::COMPLAINT,
            ids::RETURN,
            ids::REVIEW,
            ids::REVIEW_REMOVED,
            ids::ATTACHMENT,
            ids::FLAG,
            ids::APPEAL,
            ids::NOTIFICATION,
            ids::WEBHOOK,
            ids::WEBHOOK_DELIVERY,
        ] {
            assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
        }
    }
}
