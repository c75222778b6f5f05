//! Hand-written examples for the spec: one per JSON request body (by operation id) and for the
//! main responses. Ids are those of a fresh `serve --demo` database (`demo::ids`), so "Try it
//! out" in `/docs` works as written; texts are what buyers, sellers and moderators in
//! Kazakhstan write. A test validates every example against its schema.
use crate::demo::ids;
use serde_json::{json, Value};

/// The example of an operation's JSON request body.
pub fn request(operation_id: &str) -> Option<Value> {
    Some(match operation_id {
        "register" => json!({
            "email": "dana.seitkali@example.kz", "password": "Almaty-2026-kok",
            "full_name": "Дана Сейткали", "phone": "+7 707 555 12 34", "role": "buyer"
        }),
        "login" => json!({"email": "buyer@demo.kz", "password": "demo-password-2026"}),
        "refresh_tokens" | "logout" => json!({"refresh_token": "rt_3n0tR3al-Exampl3-T0ken"}),
        "upsert_order" => json!({
            "buyer_id": ids::BUYER, "shop_id": ids::SHOP,
            "placed_at": "2026-11-25T09:30:00Z",
            "items": [
                {"product_id": "P-AIRPODS", "title": "Apple AirPods Pro 2", "category": "audio",
                 "quantity": 1, "unit_price": 119990},
                {"product_id": "P-CABLE", "title": "Кабель USB-C 1 м", "category": "accessories",
                 "quantity": 2, "unit_price": 2990}
            ],
            "delivery": {"type": "city", "status": "delivered", "courier_id": "CR-77",
                         "courier_name": "Ерлан К.", "promised_at": "2026-11-27T18:00:00Z",
                         "delivered_at": "2026-11-27T14:12:00Z", "failed_attempts": 0}
        }),
        "create_review" => json!({
            "order_item_id": ids::ITEM_1001_PHONE, "rating": 5, "shop_rating": 5,
            "text": "Телефон оригинальный, доставили за день. Спасибо магазину!"
        }),
        "edit_review" => {
            json!({"rating": 4, "text": "Телефон хороший, но зарядка в комплект не входит."})
        }
        "put_review_reply" => {
            json!({"text": "Спасибо за отзыв! Зарядное устройство можно заказать у нас со скидкой 10%."})
        }
        "create_webhook" => json!({
            "url": "https://hooks.technodom-demo.kz/aftersale",
            "events": ["review.published", "complaint.filed", "return.requested"],
            "description": "Заявки и отзывы в CRM магазина"
        }),
        "update_webhook" => json!({"events": ["*"], "enabled": true}),
        "flag_review" => json!({
            "reason": "false_information",
            "comment": "В заказе был телефон чёрного цвета, в отзыве говорится о синем."
        }),
        "appeal_review" => {
            json!({"text": "В отзыве нет ничего ложного: фото упаковки с номером заказа прилагаю."})
        }
        "decide_review" => {
            json!({"decision": "approve", "note": "Персональных данных нет, номер телефона — из описания товара."})
        }
        "decide_flag" => {
            json!({"decision": "dismiss", "note": "Отзыв описывает полученный товар, нарушений нет."})
        }
        "decide_appeal" => {
            json!({"decision": "reinstate", "note": "Покупатель подтвердил заказ фотографией."})
        }
        "file_complaint" => json!({
            "order_id": ids::ORDER_1002, "target": "seller", "category": "not_as_described",
            "description": "Чайник пришёл белого цвета, а в карточке товара — стальной.",
            "desired_resolution": "replacement",
            "contact": {"phone": "+7 701 123 45 12", "email": "buyer@demo.kz"}
        }),
        "respond_to_complaint" => json!({
            "body": "Приносим извинения, готовы заменить чайник на стальной в течение двух дней.",
            "proposed_resolution": "replacement"
        }),
        "request_complaint_info" => {
            json!({"question": "Пришлите, пожалуйста, фото коробки с наклейкой заказа."})
        }
        "provide_complaint_info" => {
            json!({"body": "Фото коробки прикладываю, наклейка с номером заказа видна."})
        }
        "post_complaint_message" => {
            json!({"body": "Курьер подтвердил, что коробка была без повреждений.", "internal": false})
        }
        "assign_complaint" => json!({"moderator_id": ids::MODERATOR}),
        "change_complaint_track" => {
            json!({"track": "complex", "reason": "Нужен ответ службы доставки."})
        }
        "extend_complaint" => json!({
            "reason": "Ждём заключение сервисного центра.", "resolve_by": "2027-01-15T13:00:00Z"
        }),
        "resolve_complaint" => json!({
            "outcome": "upheld", "remedy": {"kind": "replacement"},
            "explanation": "Цвет товара не совпадает с карточкой; продавец заменит чайник."
        }),
        "appeal_complaint" => json!({"reason": "Замену так и не привезли, прошу вернуть деньги."}),
        "record_external_escalation" => {
            json!({"authority": "e_tutynushy", "reference": "ET-2026-004512"})
        }
        "request_return" => json!({
            "order_id": ids::ORDER_1001, "reason": "changed_mind",
            "items": [{"order_item_id": ids::ITEM_1001_CASE, "quantity": 1}],
            "description": "Чехол не подошёл по цвету, упаковка не вскрыта."
        }),
        "reject_return" => json!({
            "reason_code": "signs_of_use",
            "explanation": "На чехле царапины и следы использования, товар не в товарном виде."
        }),
        "dispute_return" => json!({
            "explanation": "Чехол не использовался: царапины были при получении, есть фото курьеру."
        }),
        "schedule_return_pickup" => json!({"pickup_at": "2027-03-01T10:00:00Z"}),
        "record_return_pickup" => json!({"at": "2026-11-30T10:15:00Z"}),
        "refund_return" => json!({"amount": 4990}),
        "choose_delivery_failure_remedy" => json!({"choice": "refund"}),
        "refund_delivery_failure" => json!({"amount": 24990}),
        "post_order_message" => {
            json!({"body": "Здравствуйте! Когда курьер привезёт заказ в Астану?"})
        }
        _ => return None,
    })
}

/// The example of a path parameter, where the demo data has a record to name.
pub fn path_param(path: &str, operation_id: &str, name: &str) -> Option<&'static str> {
    let under = |prefixes: &[&str]| prefixes.iter().any(|p| path.starts_with(p));
    Some(match (operation_id, name) {
        ("choose_delivery_failure_remedy" | "refund_delivery_failure", "id") => ids::ORDER_1006,
        ("get_order" | "list_order_messages" | "post_order_message", "id") => ids::ORDER_1001,
        (_, "id") if under(&["/api/v1/complaints/"]) => ids::COMPLAINT,
        (_, "id") if under(&["/api/v1/returns/", "/api/v1/integration/returns/"]) => ids::RETURN,
        (_, "id") if under(&["/api/v1/reviews/", "/api/v1/moderation/reviews/"]) => ids::REVIEW,
        ("download_attachment", "id") => ids::ATTACHMENT,
        ("decide_flag", "id") => ids::FLAG,
        ("decide_appeal", "id") => ids::APPEAL,
        ("mark_notification_read", "id") => ids::NOTIFICATION,
        (_, "id") if under(&["/api/v1/webhooks/"]) => ids::WEBHOOK,
        (_, "delivery_id") if under(&["/api/v1/webhooks/"]) => ids::WEBHOOK_DELIVERY,
        (_, "shop_id") => ids::SHOP,
        (_, "product_id") => "P-IPHONE15",
        (_, "external_id") => "EXT-2026-0042",
        _ => return None,
    })
}

/// A response example kept as a JSON file beside this one (taken from a demo session, then
/// edited by hand).
fn file(text: &str) -> Value {
    serde_json::from_str(text).expect("example files are JSON")
}

/// Examples of the main responses, by schema name.
pub fn response(schema: &str) -> Option<Value> {
    Some(match schema {
        "OrderView" => file(include_str!("examples/order.json")),
        "ReviewView" => file(include_str!("examples/review.json")),
        "ComplaintView" => file(include_str!("examples/complaint.json")),
        "ReturnView" => file(include_str!("examples/return.json")),
        "AuthResponse" => json!({
            "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMTkzOGYwMCJ9.c2lnbmF0dXJl",
            "refresh_token": "rt_3n0tR3al-Exampl3-T0ken",
            "token_type": "Bearer", "expires_in": 900,
            "user": {"id": ids::BUYER, "email": "buyer@demo.kz", "full_name": "Айгерим Нурланова",
                     "role": "buyer", "phone": "+77011234512"}
        }),
        _ => return None,
    })
}
