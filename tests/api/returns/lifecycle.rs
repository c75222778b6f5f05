//! Every lifecycle path, walked step by step with each deadline checked to the second.
use super::*;

#[actix_web::test]
async fn lifecycle_paths_with_every_deadline_to_the_second() {
    use Who::*;
    let paths: Vec<(&str, Vec<Step>)> = vec![
        (
            "approved, picked up and refunded on time",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested")
                    .check("/number", json!("R-2026-000001"))
                    .check("/window_until", json!("2026-12-03T10:00:00Z"))
                    .check("/seller_decide_by", json!("2026-11-24T18:59:59Z"))
                    .check("/due_at", json!("2026-11-24T18:59:59Z"))
                    .check("/refundable", json!({"amount": 7000, "currency": "KZT"}))
                    .check("/items/0/quantity", json!(2))
                    .check("/evidence/0/content_type", json!("image/png"))
                    .check("/allowed_actions", json!(["cancel"]))
                    .check("/timeline/0/kind", json!("requested")),
                step("2026-11-21T05:00:00Z", Service, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-23T06:00:00Z"})), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved")
                    .check("/decision/decided_at", json!("2026-11-21T05:00:00Z"))
                    .check("/decision/decided_by/role", json!("seller"))
                    .check("/due_at", Value::Null)
                    .check("/allowed_actions", json!(["schedule_pickup"])),
                step("2026-11-21T05:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-21T04:59:59Z"})), 422, "validation_failed")
                    .check("/errors/0/field", json!("pickup_at"))
                    .check("/errors/0/code", json!("in_past")),
                step("2026-11-21T05:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-21T05:00:00Z"})), 200, "pickup_scheduled"),
                step("2026-11-21T06:00:00Z", Service, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-23T06:00:00Z"})), 200, "pickup_scheduled")
                    .check("/pickup_at", json!("2026-11-23T06:00:00Z")),
                step("2026-11-23T06:10:00Z", Service, Do::Scan("2026-11-23T06:10:01Z"), 422, "validation_failed")
                    .check("/errors/0/code", json!("in_future")),
                step("2026-11-23T06:10:00Z", Buyer, Do::Scan("2026-11-23T06:10:00Z"), 403, "forbidden"),
                step("2026-11-23T06:10:00Z", Service, Do::Scan("2026-11-23T06:10:00Z"), 200, "picked_up")
                    .check("/refund_due_by", json!("2026-11-23T07:10:00Z"))
                    .check("/due_at", json!("2026-11-23T07:10:00Z")),
                step("2026-11-23T06:20:00Z", Buyer, act("cancel"), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-23T07:10:00Z", Mod1, Do::Sweep, 200, "picked_up")
                    .check("/_sweep/breaches", json!(0)),
                step("2026-11-23T07:10:00Z", Seller, Do::Act("refund", json!({"amount": 7001})), 422, "validation_failed")
                    .check("/errors/0/code", json!("exceeds_paid")),
                step("2026-11-23T07:10:00Z", Seller, Do::Act("refund", json!({"amount": 7000})), 200, "refunded")
                    .check("/refund", json!({"amount": {"amount": 7000, "currency": "KZT"}, "refunded_at": "2026-11-23T07:10:00Z"}))
                    .check("/breaches", json!([]))
                    .check("/due_at", Value::Null),
                step("2026-11-23T09:00:00Z", Mod1, Do::Sweep, 200, "refunded")
                    .check("/_sweep/breaches", json!(0))
                    .check("/timeline/5/kind", json!("refunded"))
                    .check("/timeline/6", Value::Null),
            ],
        ),
        (
            "a parcel handed in without a scheduled pickup is picked up all the same",
            vec![
                step(REQUESTED, Buyer, request("wrong_item"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Service, Do::Scan("2026-11-21T05:00:00Z"), 409, "invalid_transition"),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved"),
                step("2026-11-21T09:00:00Z", Service, Do::Scan("2026-11-21T08:30:00Z"), 200, "picked_up")
                    .check("/pickup_at", Value::Null)
                    .check("/refund_due_by", json!("2026-11-21T09:30:00Z"))
                    .check("/timeline/2/kind", json!("picked_up"))
                    .check("/timeline/2/data/pickup_scheduled", json!(false))
                    .check("/timeline/2/data/from_status", json!("approved")),
                step("2026-11-21T09:10:00Z", Seller, Do::Act("refund", json!({"amount": 5000})), 200, "refunded")
                    .check("/breaches", json!([])),
            ],
        ),
        (
            "a refund later than an hour after the scan is a breach, by the sweep or at once",
            vec![
                step(REQUESTED, Buyer, request("wrong_item"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved"),
                step("2026-11-21T05:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-22T05:00:00Z"})), 200, "pickup_scheduled"),
                step("2026-11-22T05:30:00Z", Service, Do::Scan("2026-11-21T04:59:59Z"), 422, "validation_failed")
                    .check("/errors/0/code", json!("before_approval")),
                step("2026-11-22T05:30:00Z", Service, Do::Scan("2026-11-22T05:00:00Z"), 200, "picked_up")
                    .check("/refund_due_by", json!("2026-11-22T06:00:00Z")),
                step("2026-11-22T06:00:01Z", Mod1, Do::Sweep, 200, "picked_up")
                    .check("/_sweep/breaches", json!(1))
                    .check("/overdue", json!(true))
                    .check("/breaches/0/sla", json!("refund"))
                    .check("/breaches/0/due_at", json!("2026-11-22T06:00:00Z")),
                step("2026-11-22T06:05:00Z", Mod1, Do::Sweep, 200, "picked_up")
                    .check("/_sweep/breaches", json!(0)),
                step("2026-11-22T06:30:00Z", Service, Do::Act("refund", json!({"amount": 5000})), 200, "refunded")
                    .check("/breaches/1", Value::Null),
            ],
        ),
        (
            "a late refund the sweep never saw is recorded when it is made",
            vec![
                step(REQUESTED, Buyer, request("incomplete"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved"),
                step("2026-11-21T05:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-22T05:00:00Z"})), 200, "pickup_scheduled"),
                step("2026-11-22T05:00:00Z", Service, Do::Scan("2026-11-22T05:00:00Z"), 200, "picked_up"),
                step("2026-11-22T06:00:01Z", Seller, Do::Act("refund", json!({"amount": 7000})), 200, "refunded")
                    .check("/breaches/0/sla", json!("refund"))
                    .check("/breaches/0/recorded_at", json!("2026-11-22T06:00:01Z")),
            ],
        ),
        (
            "seller silence escalates to the moderators after 2 business days",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-24T18:59:59Z", Mod1, Do::Sweep, 200, "requested")
                    .check("/_sweep", json!({"breaches": 0, "escalated": 0}))
                    .check("/escalated_at", Value::Null)
                    .check("/allowed_actions", json!([])),
                step("2026-11-24T18:59:59Z", Mod1, Do::Queue, 200, "queue")
                    .check("/items", json!([])),
                step("2026-11-24T19:00:00Z", Mod1, Do::Sweep, 200, "requested")
                    .check("/_sweep", json!({"breaches": 1, "escalated": 1}))
                    .check("/escalated_at", json!("2026-11-24T19:00:00Z"))
                    .check("/overdue", json!(true))
                    .check("/breaches/0/sla", json!("seller_decision"))
                    .check("/allowed_actions", json!(["approve", "reject"])),
                step("2026-11-24T19:01:00Z", Mod1, Do::Sweep, 200, "requested")
                    .check("/_sweep", json!({"breaches": 0, "escalated": 0})),
                step("2026-11-25T04:00:00Z", Mod1, Do::Queue, 200, "queue")
                    .check("/items/0/kind", json!("return"))
                    .check("/items/0/due_at", json!("2026-11-24T18:59:59Z"))
                    .check("/items/0/overdue", json!(true))
                    .check("/items/0/detail/number", json!("R-2026-000001"))
                    .check("/items/0/detail/reason", json!("not_as_described"))
                    .check("/items/0/review_id", Value::Null),
                step("2026-11-25T05:00:00Z", Mod1, act("approve"), 200, "approved")
                    .check("/decision/decided_by/role", json!("moderator"))
                    .check("/timeline/1/kind", json!("sla_breached"))
                    .check("/timeline/2/kind", json!("escalated"))
                    .check("/timeline/3/kind", json!("approved")),
                step("2026-11-25T05:00:01Z", Mod1, Do::Queue, 200, "queue")
                    .check("/items", json!([])),
            ],
        ),
        (
            "a moderator may not decide before escalation; a seller may decide late",
            vec![
                step(REQUESTED, Buyer, request("defective"), 201, "requested"),
                step("2026-11-23T05:00:00Z", Mod1, act("approve"), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-23T05:00:00Z", Mod1, reject(), 409, "invalid_transition"),
                step("2026-11-25T00:00:00Z", Mod1, Do::Sweep, 200, "requested")
                    .check("/_sweep/escalated", json!(1)),
                step("2026-11-25T01:00:00Z", Seller, reject(), 200, "rejected")
                    .check("/rejection", json!({"reason_code": "signs_of_use", "explanation": "На чехле следы использования", "dispute_until": "2026-12-09T01:00:00Z"}))
                    .check("/due_at", Value::Null),
            ],
        ),
        (
            "after escalation a moderator may reject; the buyer may then dispute",
            vec![
                step(REQUESTED, Buyer, request("damaged_in_delivery"), 201, "requested")
                    .check("/window_until", json!("2026-11-29T10:00:00Z")),
                step("2026-11-24T19:00:00Z", Mod1, Do::Sweep, 200, "requested")
                    .check("/_sweep/escalated", json!(1)),
                step("2026-11-25T03:00:00Z", Mod2, reject(), 200, "rejected")
                    .check("/decision/decided_by/role", json!("moderator"))
                    .check("/rejection/dispute_until", json!("2026-12-09T03:00:00Z")),
                step("2026-11-25T04:00:00Z", Seller, act("approve"), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-25T05:00:00Z", Buyer, dispute(), 200, "rejected")
                    .check("/complaint_id", json!("$some")),
            ],
        ),
        (
            "dispute within 14 days opens a linked complaint; upholding it approves the return",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Buyer, dispute(), 409, "invalid_transition")
                    .check("/allowed_actions", json!(["cancel"])),
                step("2026-11-21T05:00:00Z", Seller, reject(), 200, "rejected")
                    .check("/rejection/dispute_until", json!("2026-12-05T05:00:00Z"))
                    .check("/allowed_actions", json!([])),
                step("2026-11-21T05:00:01Z", Buyer, act("cancel"), 409, "invalid_transition")
                    .check("/allowed_actions", json!(["dispute"])),
                step("2026-11-21T06:00:00Z", Buyer, Do::Act("dispute", json!({"explanation": "Слишком коротко"})), 422, "validation_failed")
                    .check("/errors/0/field", json!("explanation")),
                step("2026-12-05T05:00:00Z", Buyer, dispute(), 200, "rejected")
                    .check("/disputed_at", json!("2026-12-05T05:00:00Z"))
                    .check("/complaint_id", json!("$some"))
                    .check("/timeline/2/kind", json!("disputed"))
                    .check("/timeline/2/data/complaint_number", json!("C-2026-000001")),
                step("2026-12-05T05:00:01Z", Buyer, dispute(), 409, "already_disputed"),
                // The rejection was the seller's answer: the dispute is the moderators' at once
                // (no second 48 hours with the seller), so no seller step comes before this.
                step("2026-12-05T06:00:00Z", Mod1, Do::Complaint("acknowledge", Value::Null), 200, "acknowledged")
                    .check("/category", json!("return_refused"))
                    .check("/target", json!("seller"))
                    .check("/return_id", json!("$some")),
                step("2026-12-05T06:30:00Z", Mod1, Do::Complaint("start-review", Value::Null), 200, "in_review"),
                step("2026-12-05T07:00:00Z", Mod1, Do::Complaint("resolve", json!({"outcome": "upheld", "remedy": {"kind": "refund"}, "explanation": "Следов использования нет"})), 200, "resolved"),
                step("2026-12-05T07:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-12-06T05:00:00Z"})), 200, "pickup_scheduled")
                    .check("/timeline/3/kind", json!("overturned"))
                    .check("/timeline/3/actor/role", json!("moderator"))
                    .check("/decision/decided_at", json!("2026-12-05T07:00:00Z")),
            ],
        ),
        (
            "the dispute window closes 14 days after the rejection, to the second",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, reject(), 200, "rejected"),
                step("2026-12-05T05:00:01Z", Buyer, dispute(), 422, "dispute_window_closed"),
            ],
        ),
        (
            "a moderator overturns a disputed rejection directly only once its dispute is final",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, reject(), 200, "rejected"),
                step("2026-11-21T06:00:00Z", Mod1, act("approve"), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-21T07:00:00Z", Buyer, dispute(), 200, "rejected"),
                step("2026-11-21T07:30:00Z", Mod2, act("approve"), 409, "return_under_dispute"),
                step("2026-11-21T08:00:00Z", Mod1, Do::Complaint("acknowledge", Value::Null), 200, "acknowledged"),
                step("2026-11-21T08:30:00Z", Mod1, Do::Complaint("start-review", Value::Null), 200, "in_review"),
                step("2026-11-21T09:00:00Z", Mod1, Do::Complaint("resolve", json!({"outcome": "rejected", "remedy": {"kind": "none"}, "explanation": "Следы использования подтверждены"})), 200, "resolved"),
                step("2026-11-21T09:00:00Z", Buyer, act("cancel"), 409, "invalid_transition"),
                // Still appealable: the decision is the dispute's to make.
                step("2026-11-21T10:00:00Z", Mod2, act("approve"), 409, "return_under_dispute"),
                step("2026-12-05T09:00:01Z", Mod1, Do::Sweep, 200, "rejected"),
                step("2026-12-05T10:00:00Z", Mod2, act("approve"), 200, "approved")
                    .check("/decision/decided_by/role", json!("moderator")),
            ],
        ),
        (
            "an appealed dispute is decided by another moderator, not through the return",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, reject(), 200, "rejected"),
                step("2026-11-21T07:00:00Z", Buyer, dispute(), 200, "rejected"),
                step("2026-11-21T08:00:00Z", Mod1, Do::Complaint("acknowledge", Value::Null), 200, "acknowledged"),
                step("2026-11-21T08:30:00Z", Mod1, Do::Complaint("start-review", Value::Null), 200, "in_review"),
                step("2026-11-21T09:00:00Z", Mod1, Do::Complaint("resolve", json!({"outcome": "rejected", "remedy": {"kind": "none"}, "explanation": "Следы использования подтверждены"})), 200, "resolved"),
                step("2026-11-22T09:00:00Z", Buyer, Do::Complaint("appeal", json!({"reason": "Следов использования нет, есть фото"})), 200, "reopened"),
                step("2026-11-22T10:00:00Z", Mod1, Do::Complaint("resolve", json!({"outcome": "upheld", "remedy": {"kind": "refund"}, "explanation": "Передумал"})), 403, "appeal_needs_another_moderator"),
                step("2026-11-22T10:00:00Z", Mod1, act("approve"), 409, "return_under_dispute"),
                // Nothing was written: the return is still rejected, its timeline unchanged.
                step("2026-11-22T10:00:01Z", Buyer, act("cancel"), 409, "invalid_transition"),
                step("2026-11-22T11:00:00Z", Mod2, Do::Complaint("resolve", json!({"outcome": "upheld", "remedy": {"kind": "refund"}, "explanation": "Следов использования нет"})), 200, "resolved"),
                step("2026-11-22T11:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-23T05:00:00Z"})), 200, "pickup_scheduled")
                    .check("/timeline/3/kind", json!("overturned"))
                    .check("/timeline/3/actor/role", json!("moderator"))
                    .check("/decision/decided_at", json!("2026-11-22T11:00:00Z")),
            ],
        ),
        (
            "a moderator approves an escalated return that nobody disputes",
            vec![
                step(REQUESTED, Buyer, request("defective"), 201, "requested"),
                step("2026-11-25T00:00:00Z", Mod1, Do::Sweep, 200, "requested")
                    .check("/_sweep/escalated", json!(1)),
                step("2026-11-25T01:00:00Z", Mod1, act("approve"), 200, "approved")
                    .check("/decision/decided_by/role", json!("moderator")),
            ],
        ),
        (
            "the buyer cancels a request or an approved return; the seller cannot",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, act("cancel"), 403, "forbidden"),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved"),
                step("2026-11-21T05:30:00Z", Buyer, act("cancel"), 200, "cancelled")
                    .check("/due_at", Value::Null)
                    .check("/timeline/2/kind", json!("cancelled")),
                step("2026-11-21T05:30:01Z", Buyer, act("cancel"), 409, "invalid_transition"),
                step("2026-11-21T05:30:01Z", Buyer, request("not_as_described"), 201, "requested")
                    .check("/number", json!("R-2026-000002")),
            ],
        ),
        (
            "the buyer cancels before pickup, not after",
            vec![
                step(REQUESTED, Buyer, request("not_as_described"), 201, "requested"),
                step("2026-11-21T05:00:00Z", Seller, act("approve"), 200, "approved"),
                step("2026-11-21T05:00:00Z", Seller, Do::Act("schedule-pickup", json!({"pickup_at": "2026-11-22T05:00:00Z"})), 200, "pickup_scheduled"),
                step("2026-11-21T06:00:00Z", Buyer, act("cancel"), 200, "cancelled")
                    .check("/cancelled_at", json!("2026-11-21T06:00:00Z"))
                    .check("/allowed_actions", json!([])),
                step("2026-11-22T05:00:00Z", Service, Do::Scan("2026-11-22T05:00:00Z"), 409, "invalid_transition"),
                step("2026-11-22T05:00:00Z", Seller, act("approve"), 409, "invalid_transition"),
            ],
        ),
    ];
    for (name, steps) in paths {
        walk(name, steps).await;
    }
}
