//! The demo shop's past, so that its dashboard (`GET /shops/{id}/stats`) and the moderators'
//! have something to show: two months of orders from a second demo buyer, with reviews and
//! replies (some late, some missing), conversations, complaints and returns taken through
//! the same rules as live requests, each at its own instant in the past. Written once: a
//! database that already has it is left alone.
use crate::db::orders::{ItemWrite, OrderWrite};
use crate::db::users::{NewUser, UserRow};
use crate::db::{self, DbConnection, DbError};
use crate::domain::caller::Caller;
use crate::domain::complaints::{
    Category, Command as CaseCommand, ComplaintStep, Outcome, RemedyKind, Resolution, StepRemedy,
    Target,
};
use crate::domain::orders::{DeliveryType, OrderStatus};
use crate::domain::returns::{Command as ReturnCommand, Line, Reason, ReturnStepData, StepAmount};
use crate::domain::roles::Role;
use crate::state::AppState;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

/// Product and shop ratings of the history's reviews, oldest first, and the hours after
/// publication the seller replied (`None`: never).
const REVIEWS: [(i32, Option<u32>); 16] = [
    (5, Some(3)),
    (4, None),
    (5, Some(20)),
    (2, Some(2)),
    (5, None),
    (1, Some(30)),
    (4, Some(5)),
    (5, None),
    (3, Some(8)),
    (5, Some(1)),
    (2, None),
    (4, Some(4)),
    (5, None),
    (5, Some(6)),
    (1, Some(10)),
    (4, None),
];

fn caller(u: &UserRow) -> Caller {
    Caller {
        id: u.id.clone(),
        role: u.role(),
        shop_id: u.shop_id.clone(),
    }
}

pub fn write(
    state: &AppState,
    conn: &mut DbConnection,
    seller: &UserRow,
    moderator: &UserRow,
    service: &UserRow,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let e = |e: DbError| e.to_string();
    if db::users::find_by_email(conn, "regular@demo.kz")
        .map_err(e)?
        .is_some()
    {
        return Ok(());
    }
    let shop_id = seller.shop_id.clone().ok_or("demo seller has no shop")?;
    let buyer = super::find_or_create(
        conn,
        &NewUser {
            email: "regular@demo.kz",
            password_hash,
            full_name: "Ерлан Сапаров",
            phone: Some("+77017654321"),
            role: Role::Buyer,
            shop_name: None,
            id: None,
            shop_id: None,
        },
        now - TimeDelta::days(70),
    )
    .map_err(e)?;
    let (b, s, m) = (caller(&buyer), caller(seller), caller(moderator));
    let p = &state.policy;
    let mut orders = Vec::new();
    for k in 0..24i64 {
        // One delivery every two or three days, from 60 days ago.
        let delivered = now - TimeDelta::days(60) + TimeDelta::hours(k * 60);
        let external_id = format!("HIST-{:02}", k + 1);
        let product = format!("P-HIST-{}", k % 6 + 1);
        let title = format!("Товар витрины №{}", k % 6 + 1);
        let write = OrderWrite {
            id: None,
            external_id: &external_id,
            buyer_id: &buyer.id,
            shop_id: &shop_id,
            placed_at: delivered - TimeDelta::days(2),
            items: vec![ItemWrite {
                id: None,
                product_id: &product,
                title: &title,
                category: Some("accessories"),
                quantity: 1,
                unit_price: 9_990,
            }],
            delivery_type: DeliveryType::City,
            courier_id: Some("CR-7"),
            courier_name: Some("Айдос К."),
            promised_at: Some(delivered),
            delivered_at: Some(delivered),
            failed_attempts: 0,
            status: OrderStatus::Delivered,
            total_amount: 9_990,
        };
        let attempts = p.returns.failed_attempts_before_return;
        let (record, _) = db::orders::upsert(conn, &write, attempts, delivered).map_err(e)?;
        orders.push((
            record.order.id.clone(),
            record.items[0].id.clone(),
            delivered,
        ));
    }
    for (i, (rating, reply_after)) in REVIEWS.iter().enumerate() {
        // The first review has a fixed id: the spec's example of a review; the sixth is the
        // one `examples` has removed and appealed.
        let id = match i {
            0 => Some(super::ids::REVIEW),
            5 => Some(super::ids::REVIEW_REMOVED),
            _ => None,
        };
        let (_, item, delivered) = &orders[i];
        let at = *delivered + TimeDelta::hours(20);
        let input = db::reviews::ReviewInput {
            rating: *rating,
            shop_rating: None,
            body: Some(match rating {
                1 | 2 => "Товар пришёл с опозданием, упаковка помята".to_string(),
                3 => "Нормально, но за такую цену ожидал лучшего".to_string(),
                _ => "Всё как в описании, спасибо магазину".to_string(),
            }),
            attachment_ids: Vec::new(),
        };
        let review =
            db::reviews::create_as(conn, id, item, &b, &input, &p.reviews, at).map_err(e)?;
        if let Some(hours) = reply_after {
            let reply_at = at + TimeDelta::hours(i64::from(*hours));
            let text = "Спасибо за отзыв! Разберёмся и станем лучше.";
            db::reviews::set_reply(conn, &review.id, &s, Some(text), reply_at).map_err(e)?;
        }
    }
    // Conversations: answered in 2 h, in 30 h, and one left waiting.
    for (i, answer_after) in [(16usize, Some(2i64)), (17, Some(30)), (18, None)] {
        let (order, _, delivered) = &orders[i];
        let asked = *delivered - TimeDelta::hours(30);
        db::messages::post(
            conn,
            order,
            &b,
            "Когда приедет курьер?",
            &[],
            &p.messages,
            asked,
        )
        .map_err(e)?;
        if let Some(hours) = answer_after {
            let at = asked + TimeDelta::hours(hours);
            db::messages::post(
                conn,
                order,
                &s,
                "Курьер выехал, ждите сегодня",
                &[],
                &p.messages,
                at,
            )
            .map_err(e)?;
        }
    }
    // A complaint answered, acknowledged and resolved in time; another still open.
    let file = |conn: &mut DbConnection, i: usize, category: Category, id: Option<&str>| {
        let (order, _, delivered) = &orders[i];
        let filing = db::complaints::Filing {
            order_id: order.clone(),
            target: Target::Seller,
            category,
            description: "Товар не соответствует описанию в карточке магазина".into(),
            details: json!({}),
            attachment_ids: Vec::new(),
        };
        let at = *delivered + TimeDelta::days(1);
        db::complaints::file_as(conn, id, &b, &filing, &p.complaints, at).map(|c| (c, at))
    };
    let step = |command: CaseCommand, data: ComplaintStep| db::complaints::Step {
        command,
        data,
        attachment_ids: Vec::new(),
    };
    let (resolved, filed) = file(conn, 19, Category::NotAsDescribed, None).map_err(e)?;
    let pc = &p.complaints;
    let respond = step(
        CaseCommand::Respond,
        ComplaintStep::SellerResponded {
            body: "Готовы заменить товар".into(),
            proposed_resolution: None,
            attachment_ids: Vec::new(),
        },
    );
    db::complaints::act(
        conn,
        &resolved.id,
        &s,
        respond,
        pc,
        filed + TimeDelta::hours(5),
    )
    .map_err(e)?;
    let ack = step(CaseCommand::Acknowledge, ComplaintStep::Acknowledged {});
    db::complaints::act(
        conn,
        &resolved.id,
        &m,
        ack,
        pc,
        filed + TimeDelta::hours(20),
    )
    .map_err(e)?;
    let assign = step(
        CaseCommand::Assign {
            moderator_id: moderator.id.clone(),
        },
        ComplaintStep::Assigned {
            moderator_id: moderator.id.clone(),
        },
    );
    db::complaints::act(
        conn,
        &resolved.id,
        &m,
        assign,
        pc,
        filed + TimeDelta::hours(21),
    )
    .map_err(e)?;
    let resolution = Resolution {
        outcome: Outcome::Upheld,
        remedy: RemedyKind::Refund,
        amount: Some(9_990),
    };
    let resolve = step(
        CaseCommand::Resolve(resolution),
        ComplaintStep::Resolved {
            outcome: Outcome::Upheld,
            remedy: StepRemedy {
                kind: RemedyKind::Refund,
                amount: Some(9_990),
            },
            explanation: "Продавец подтвердил несоответствие".into(),
        },
    );
    db::complaints::act(
        conn,
        &resolved.id,
        &m,
        resolve,
        pc,
        filed + TimeDelta::days(2),
    )
    .map_err(e)?;
    // The open one has a fixed id: the spec's example of a complaint.
    file(conn, 20, Category::Defective, Some(super::ids::COMPLAINT)).map_err(e)?;
    // A return decided, handed in and refunded within the hour; another waiting.
    let request = |conn: &mut DbConnection, i: usize, id: Option<&str>| {
        let (order, item, delivered) = &orders[i];
        let req = db::returns::Request {
            order_id: order.clone(),
            lines: vec![Line {
                order_item_id: item.clone(),
                quantity: 1,
            }],
            reason: Reason::ChangedMind,
            description: None,
            attachment_ids: Vec::new(),
        };
        let at = *delivered + TimeDelta::days(2);
        db::returns::request_as(conn, id, &b, &req, &p.returns, at).map(|r| (r, at))
    };
    let (ret, asked) = request(conn, 21, None).map_err(e)?;
    let policies = || db::returns::Policies {
        returns: &p.returns,
        complaints: &p.complaints,
    };
    let act = |command: ReturnCommand, data: ReturnStepData| db::returns::Step {
        command,
        data,
        attachment_ids: Vec::new(),
    };
    db::returns::act(
        conn,
        &ret.id,
        &s,
        act(ReturnCommand::Approve, ReturnStepData::Approved {}),
        policies(),
        asked + TimeDelta::hours(6),
    )
    .map_err(e)?;
    let scan = crate::clock::truncate(asked + TimeDelta::days(1));
    let service = caller(service);
    db::returns::act(
        conn,
        &ret.id,
        &service,
        act(
            ReturnCommand::PickUp { at: scan },
            ReturnStepData::PickedUp {
                at: scan,
                pickup_scheduled: None,
            },
        ),
        policies(),
        scan,
    )
    .map_err(e)?;
    let refund = act(
        ReturnCommand::Refund { amount: 9_990 },
        ReturnStepData::Refunded {
            amount: StepAmount::kzt(9_990),
        },
    );
    db::returns::act(
        conn,
        &ret.id,
        &s,
        refund,
        policies(),
        scan + TimeDelta::minutes(40),
    )
    .map_err(e)?;
    // The waiting one has a fixed id: the spec's example of a return.
    request(conn, 22, Some(super::ids::RETURN)).map_err(e)?;
    Ok(())
}
