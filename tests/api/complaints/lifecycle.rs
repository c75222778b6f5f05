//! Every lifecycle path, walked step by step with each deadline checked to the second.
use super::*;

#[actix_web::test]
async fn lifecycle_paths_with_every_deadline_to_the_second() {
    use Who::*;
    let paths: Vec<(&str, Vec<Step>)> = vec![
        (
            "standard courier case, decided and accepted",
            vec![
                step(FILED, Buyer, courier("delivery_delay"), 201, "submitted")
                    .check("/number", json!("C-2026-000001"))
                    .check("/sla/track", json!("standard"))
                    .check("/sla/acknowledge_by", json!("2026-11-25T18:59:59Z"))
                    .check("/sla/resolve_by", json!("2026-11-25T18:59:59Z"))
                    .check("/sla/seller_respond_by", Value::Null)
                    .check("/sla/due_at", json!("2026-11-25T18:59:59Z"))
                    .check("/timeline/0/kind", json!("filed")),
                step("2026-11-23T04:00:00Z", Mod1, act("acknowledge"), 200, "acknowledged")
                    .check("/acknowledged_at", json!("2026-11-23T04:00:00Z")),
                step("2026-11-23T05:00:00Z", Mod1, act_with("assign", json!({"moderator_id": "$MOD1"})), 200, "in_review"),
                step("2026-11-24T06:00:00Z", Mod1, resolve(), 200, "resolved")
                    .check("/resolution/outcome", json!("upheld"))
                    .check("/resolution/remedy/amount", json!({"amount": 5000, "currency": "KZT"}))
                    .check("/resolution/appeal_until", json!("2026-12-08T06:00:00Z"))
                    .check("/sla/due_at", Value::Null),
                step("2026-11-24T07:00:00Z", Buyer, act("accept"), 200, "closed"),
                step("2026-11-24T08:00:00Z", Buyer, act_with("external-escalations", json!({"authority": "e_tutynushy", "reference": "ET-2026-77"})), 200, "closed"),
                step("2026-11-24T09:00:00Z", Buyer, Do::Dossier, 200, "closed")
                    .check("/external_escalations/0/reference", json!("ET-2026-77"))
                    .check("/order/total", json!({"amount": 157000, "currency": "KZT"})),
            ],
        ),
        (
            "awaiting the buyer pauses the resolution clock; the business days waited are added back",
            vec![
                step(FILED, Buyer, courier("other"), 201, "submitted"),
                step("2026-11-23T04:00:00Z", Mod1, act("acknowledge"), 200, "acknowledged"),
                step("2026-11-23T05:00:00Z", Mod1, act_with("request-info", json!({"question": "Пришлите фото упаковки"})), 200, "awaiting_buyer")
                    .check("/sla/paused_since", json!("2026-11-23T05:00:00Z"))
                    .check("/sla/due_at", Value::Null),
                step("2026-11-23T06:00:00Z", Mod1, resolve(), 409, "invalid_transition")
                    .check("/allowed_actions", json!(["assign", "change_track", "extend", "post_message"])),
                // Paused Monday 10:00 to Tuesday 12:30:15 Almaty: Tuesday, one business day,
                // was spent waiting; the standard deadline moves by it and still ends at
                // 23:59:59 local (not by the 1 d 2 h 30 min 15 s on the clock).
                step("2026-11-24T07:30:15Z", Buyer, act_with("provide-info", json!({"body": "Фото во вложении"})), 200, "in_review")
                    .check("/sla/resolve_by", json!("2026-11-26T18:59:59Z"))
                    .check("/sla/paused_since", Value::Null),
                step("2026-11-26T18:59:59Z", Mod1, Do::Sweep, 200, "in_review")
                    .check("/_sweep/breaches", json!(0)),
                step("2026-11-26T19:00:00Z", Mod1, Do::Sweep, 200, "in_review")
                    .check("/_sweep/breaches", json!(1))
                    .check("/sla/overdue", json!(true)),
                step("2026-11-26T19:01:00Z", Mod1, Do::Sweep, 200, "in_review")
                    .check("/_sweep/breaches", json!(0)),
                step("2026-11-26T22:00:00Z", Buyer, Do::Dossier, 200, "in_review")
                    .check("/breaches/0/sla", json!("resolution"))
                    .check("/breaches/0/due_at", json!("2026-11-26T18:59:59Z"))
                    .check("/breaches/1", Value::Null),
            ],
        ),
        (
            "an extension sets a later date with a reason; its own breach to the second",
            vec![
                step(FILED, Buyer, courier("wrong_delivery"), 201, "submitted"),
                step("2026-11-23T04:00:00Z", Mod1, act("acknowledge"), 200, "acknowledged"),
                step("2026-11-24T04:00:00Z", Mod1, act_with("extend", json!({"reason": "Ждём ответ склада", "resolve_by": "2026-11-25T18:00:00Z"})), 422, "validation_failed"),
                step("2026-11-24T04:00:00Z", Mod1, act_with("extend", json!({"reason": "Ждём ответ склада", "resolve_by": "2026-12-04T12:00:00Z"})), 200, "acknowledged")
                    .check("/sla/resolve_by", json!("2026-12-04T12:00:00Z"))
                    .check("/sla/extended", json!(true))
                    .check("/timeline/2/kind", json!("extended"))
                    .check("/timeline/2/data/reason", json!("Ждём ответ склада")),
                step("2026-12-04T12:00:00Z", Mod1, Do::Sweep, 200, "acknowledged").check("/_sweep/breaches", json!(0)),
                step("2026-12-04T12:00:01Z", Mod1, Do::Sweep, 200, "acknowledged").check("/_sweep/breaches", json!(1)),
            ],
        ),
        (
            "tracks move the resolution deadline",
            vec![
                step(FILED, Buyer, courier("courier_misconduct"), 201, "submitted"),
                step("2026-11-23T05:00:00Z", Mod1, act_with("track", json!({"track": "complex", "reason": "Нужна проверка"})), 200, "submitted")
                    .check("/sla/resolve_by", json!("2026-11-30T13:30:00Z"))
                    .check("/sla/track", json!("complex"))
                    // The acknowledgement is still due first.
                    .check("/sla/due_at", json!("2026-11-25T18:59:59Z")),
                step("2026-11-23T06:00:00Z", Mod1, act_with("track", json!({"track": "expertise"})), 200, "submitted")
                    .check("/sla/resolve_by", json!("2026-12-20T13:30:00Z")),
                step("2026-11-23T07:00:00Z", Mod1, act_with("track", json!({"track": "expertise"})), 422, "validation_failed"),
            ],
        ),
        (
            "seller silence escalates to the moderators after 48 hours",
            vec![
                step(FILED, Buyer, seller("not_as_described"), 201, "submitted")
                    .check("/sla/seller_respond_by", json!("2026-11-22T13:30:00Z"))
                    .check("/sla/due_at", json!("2026-11-22T13:30:00Z")),
                step("2026-11-22T13:30:00Z", Mod1, Do::Sweep, 200, "submitted")
                    .check("/escalated_at", Value::Null)
                    .check("/_sweep/escalated", json!(0)),
                step("2026-11-22T13:30:01Z", Mod1, Do::Sweep, 200, "submitted")
                    .check("/escalated_at", json!("2026-11-22T13:30:01Z"))
                    .check("/_sweep/escalated", json!(1))
                    .check("/_sweep/breaches", json!(1))
                    .check("/sla/due_at", json!("2026-11-25T18:59:59Z")),
                step("2026-11-22T13:31:00Z", Mod1, Do::Sweep, 200, "submitted")
                    .check("/_sweep/escalated", json!(0))
                    .check("/_sweep/breaches", json!(0)),
                // A late answer is still recorded.
                step("2026-11-22T14:00:00Z", Seller, act_with("respond", json!({"body": "Готовы заменить товар", "proposed_resolution": "replacement"})), 200, "submitted")
                    .check("/seller_responded_at", json!("2026-11-22T14:00:00Z")),
                step("2026-11-22T15:00:00Z", Buyer, Do::Dossier, 200, "submitted")
                    .check("/breaches/0/sla", json!("seller_response"))
                    .check("/breaches/0/due_at", json!("2026-11-22T13:30:00Z")),
            ],
        ),
        (
            "a seller that answers in time keeps the case",
            vec![
                step(FILED, Buyer, seller("defective"), 201, "submitted"),
                step("2026-11-21T09:00:00Z", Seller, act_with("respond", json!({"body": "Примем товар на диагностику"})), 200, "submitted")
                    .check("/seller_responded_at", json!("2026-11-21T09:00:00Z"))
                    .check("/sla/due_at", json!("2026-11-25T18:59:59Z")),
                step("2026-11-21T09:05:00Z", Seller, act_with("respond", json!({"body": "Ещё раз"})), 409, "invalid_transition")
                    .check("/allowed_actions", json!(["request_info", "post_message"])),
                step("2026-11-22T13:30:01Z", Mod1, Do::Sweep, 200, "submitted")
                    .check("/escalated_at", Value::Null)
                    .check("/_sweep/breaches", json!(0)),
            ],
        ),
        (
            "one appeal, decided by another moderator",
            vec![
                step(FILED, Buyer, courier("damaged_in_delivery"), 201, "submitted"),
                step("2026-11-23T04:00:00Z", Mod1, act("acknowledge"), 200, "acknowledged"),
                // No decision before a review: `acknowledged → resolved` is not a transition.
                step("2026-11-24T05:00:00Z", Mod1, resolve(), 409, "invalid_transition")
                    .check("/allowed_actions", json!(["request_info", "assign", "start_review", "change_track", "extend", "post_message"])),
                step("2026-11-24T05:00:00Z", Buyer, act("start-review"), 403, "forbidden"),
                step("2026-11-24T05:30:00Z", Mod1, act("start-review"), 200, "in_review")
                    .check("/assignee", Value::Null)
                    .check("/timeline/2/kind", json!("review_started"))
                    .check("/timeline/2/data", json!({"from_status": "acknowledged", "status": "in_review"})),
                step("2026-11-24T05:40:00Z", Mod1, act("start-review"), 409, "invalid_transition"),
                step("2026-11-24T06:00:00Z", Mod1, resolve(), 200, "resolved"),
                step("2026-12-08T06:00:00Z", Buyer, act_with("appeal", json!({"reason": "Сумма не покрывает ущерб"})), 200, "reopened")
                    // Tuesday 11:00 Almaty + 3 business days → Friday 23:59:59.
                    .check("/sla/resolve_by", json!("2026-12-11T18:59:59Z")),
                step("2026-12-09T06:00:00Z", Mod1, resolve(), 403, "appeal_needs_another_moderator"),
                step("2026-12-09T07:00:00Z", Mod2, resolve(), 200, "resolved")
                    .check("/resolution/appeal_until", json!("2026-12-23T07:00:00Z")),
                step("2026-12-09T08:00:00Z", Buyer, act_with("appeal", json!({"reason": "Снова"})), 409, "already_appealed"),
            ],
        ),
        (
            "the appeal window closes to the second; the sweep closes the case",
            vec![
                step(FILED, Buyer, courier("delivery_delay"), 201, "submitted"),
                step("2026-11-23T04:00:00Z", Mod1, act("acknowledge"), 200, "acknowledged"),
                step("2026-11-23T05:00:00Z", Mod1, act("start-review"), 200, "in_review"),
                step("2026-11-24T06:00:00Z", Mod1, resolve(), 200, "resolved"),
                step("2026-12-08T06:00:01Z", Buyer, act_with("appeal", json!({"reason": "Поздно"})), 422, "appeal_window_closed"),
                step("2026-12-08T06:00:00Z", Mod1, Do::Sweep, 200, "resolved").check("/_sweep/closed", json!(0)),
                step("2026-12-08T06:00:01Z", Mod1, Do::Sweep, 200, "closed").check("/_sweep/closed", json!(1)),
            ],
        ),
        (
            "withdrawn before a decision; nothing is open afterwards",
            vec![
                step(FILED, Buyer, seller("staff_misconduct"), 201, "submitted"),
                step("2026-11-21T08:00:00Z", Buyer, act("withdraw"), 200, "withdrawn")
                    .check("/sla/due_at", Value::Null)
                    .check("/allowed_actions", json!([])),
                step("2026-11-21T09:00:00Z", Buyer, act("accept"), 409, "invalid_transition")
                    .check("/allowed_actions", json!([])),
                step("2026-11-23T00:00:00Z", Mod1, Do::Sweep, 200, "withdrawn")
                    .check("/_sweep/escalated", json!(0)),
            ],
        ),
        (
            "the buyer escalates after 2 business days without a public reply, once",
            vec![
                step(FILED, Buyer, courier("courier_unreachable"), 201, "submitted"),
                step("2026-11-24T18:59:59Z", Buyer, act("escalate"), 422, "escalation_not_yet_allowed")
                    .check("/available_at", json!("2026-11-24T18:59:59Z")),
                step("2026-11-24T19:00:00Z", Buyer, act("escalate"), 200, "submitted")
                    .check("/escalated_at", json!("2026-11-24T19:00:00Z")),
                step("2026-11-24T19:01:00Z", Buyer, act("escalate"), 409, "already_escalated"),
            ],
        ),
        (
            "acknowledgement and resolution breaches are recorded once each",
            vec![
                step(FILED, Buyer, courier("delivery_delay"), 201, "submitted"),
                step("2026-11-25T18:59:59Z", Mod1, Do::Sweep, 200, "submitted").check("/_sweep/breaches", json!(0)),
                step("2026-11-25T19:00:00Z", Mod1, Do::Sweep, 200, "submitted")
                    .check("/_sweep/breaches", json!(2))
                    .check("/sla/overdue", json!(true)),
                step("2026-11-26T00:00:00Z", Mod1, Do::Sweep, 200, "submitted").check("/_sweep/breaches", json!(0)),
                step("2026-11-26T01:00:00Z", Buyer, Do::Dossier, 200, "submitted")
                    .check("/breaches/0/sla", json!("acknowledge"))
                    .check("/breaches/1/sla", json!("resolution")),
            ],
        ),
    ];
    for (name, steps) in paths {
        walk(name, steps).await;
    }
}
