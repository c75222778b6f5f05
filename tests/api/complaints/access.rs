//! Who may do what on every route, and what each party may see (internal notes, evidence).
use super::*;

/// Every route, every kind of caller: 401 without a token, 403 for a role that may never
/// act, 404 for a caller who is not a party, and through for the party.
#[actix_web::test]
async fn authorisation_for_every_route_and_role() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let (order_id, case) = filed(&app, &cast, "A-1", "seller", "defective").await;
    let id = case["id"].as_str().unwrap().to_string();
    let (_, courier_case) = filed(&app, &cast, "A-2", "courier", "other").await;
    let courier_id = courier_case["id"].as_str().unwrap().to_string();

    let service = cast.service.clone();
    let who: Vec<(&str, Option<&str>)> = vec![
        ("anonymous", None),
        ("service", Some(&service)),
        ("buyer", Some(&cast.buyer.token)),
        ("other_buyer", Some(&cast.other_buyer.token)),
        ("seller", Some(&cast.seller.token)),
        ("other_seller", Some(&cast.other_seller.token)),
        ("moderator", Some(&cast.moderator.token)),
    ];
    // (method, path, body, roles allowed by role) — parties are checked separately.
    let routes: Vec<(&str, String, Value, &[&str])> = vec![
        (
            "GET",
            "/api/v1/complaints".into(),
            Value::Null,
            &[
                "buyer",
                "other_buyer",
                "seller",
                "other_seller",
                "moderator",
            ],
        ),
        (
            "GET",
            format!("/api/v1/complaints/{id}"),
            Value::Null,
            &["buyer", "seller", "moderator"],
        ),
        (
            "GET",
            format!("/api/v1/complaints/{id}/dossier"),
            Value::Null,
            &["buyer", "seller", "moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/messages"),
            json!({"body": "Здравствуйте"}),
            &["buyer", "seller", "moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/acknowledge"),
            Value::Null,
            &["moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/respond"),
            json!({"body": "Ответ"}),
            &["seller"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/request-info"),
            json!({"question": "?"}),
            &["seller", "moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/provide-info"),
            json!({"body": "!"}),
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/assign"),
            json!({"moderator_id": cast.moderator.id}),
            &["moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/track"),
            json!({"track": "complex"}),
            &["moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/extend"),
            json!({"reason": "r", "resolve_by": "2027-01-01T00:00:00Z"}),
            &["moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/resolve"),
            json!({"outcome": "rejected", "remedy": {"kind": "none"}, "explanation": "e"}),
            &["moderator"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/accept"),
            Value::Null,
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/appeal"),
            json!({"reason": "r"}),
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/escalate"),
            Value::Null,
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/withdraw"),
            Value::Null,
            &["buyer"],
        ),
        (
            "POST",
            format!("/api/v1/complaints/{id}/external-escalations"),
            json!({"authority": "court", "reference": "2-1234/2026"}),
            &["buyer"],
        ),
    ];
    let role_of = |name: &str| name.trim_start_matches("other_").to_string();
    for (method, path, body, parties) in &routes {
        for (name, token) in &who {
            let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
            let body = (!body.is_null()).then(|| body.clone());
            let r = app.call(method.clone(), path, *token, body).await;
            let role_may = parties.iter().any(|p| role_of(p) == role_of(name));
            let label = format!("{name} {method} {path}: {}", r.body);
            match (name, token) {
                (_, None) => r.assert_problem(401, "unauthenticated"),
                (&"service", _) => r.assert_problem(403, "forbidden"),
                _ if !role_may => r.assert_problem(403, "forbidden"),
                _ if !parties.contains(name) => r.assert_problem(404, "not_found"),
                // A party gets through the guards: success, or a rule of the case.
                _ => assert!(
                    r.status.is_success() || [409, 422].contains(&r.status.as_u16()),
                    "{label}"
                ),
            }
        }
    }
    // The shop's seller is no party to a courier case.
    app.get(
        &format!("/api/v1/complaints/{courier_id}"),
        Some(&cast.seller.token),
    )
    .await
    .assert_problem(404, "not_found");
    // Internal notes are the moderators'.
    app.post(
        &format!("/api/v1/complaints/{courier_id}/messages"),
        Some(&cast.buyer.token),
        json!({"body": "x", "internal": true}),
    )
    .await
    .assert_problem(403, "forbidden");
    let _ = order_id;
}

#[actix_web::test]
async fn privacy_internal_notes_and_evidence() {
    let app = TestApp::spawn().await;
    // Tokens are valid from their issue: the cast exists before every instant the test uses.
    app.clock.set(at(EARLY));
    let cast = app.cast().await;
    let photo = upload(&app, &cast.buyer.token, PNG).await;
    let order = app
        .delivered_order(&cast.service, "P-1", &cast.buyer, cast.shop(), 1)
        .await;
    let r = app
        .post(
            "/api/v1/complaints",
            Some(&cast.buyer.token),
            json!({"order_id": order["id"], "target": "seller", "category": "defective",
                   "description": "Телефон не включается после зарядки",
                   "contact": {"phone": "8 (701) 123-45-12"}, "attachment_ids": [photo]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/complaints/{id}");

    // The seller sees the buyer masked; no e-mail.
    let seen = app.get(&base, Some(&cast.seller.token)).await;
    assert_eq!(seen.body["buyer"]["name"], "Айгерим Н.");
    assert_eq!(
        seen.body["contact"],
        json!({"phone": "+7 7** *** ** 12", "email": null})
    );
    let mine = app.get(&base, Some(&cast.buyer.token)).await;
    assert_eq!(mine.body["buyer"]["name"], "Айгерим Нурланова");
    assert_eq!(mine.body["contact"]["phone"], "+77011234512");

    // A moderator's internal note and its file stay with the moderators.
    let note_file = upload(&app, &cast.moderator.token, PNG).await;
    let r = app
        .post(
            &format!("{base}/messages"),
            Some(&cast.moderator.token),
            json!({"body": "Проверить продавца", "internal": true, "attachment_ids": [note_file]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The seller answers first (seller-first routing); then the moderators take the case.
    let r = app
        .post(
            &format!("{base}/respond"),
            Some(&cast.seller.token),
            json!({"body": "Примем телефон на диагностику"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .post(
            &format!("{base}/acknowledge"),
            Some(&cast.moderator.token),
            json!(null),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for token in [&cast.buyer.token, &cast.seller.token] {
        let view = app.get(&base, Some(token)).await;
        let kinds: Vec<&str> = view.body["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["filed", "seller_responded", "acknowledged"],
            "{}",
            view.body
        );
        // Moderators appear by display name only.
        let actor = &view.body["timeline"][2]["actor"];
        assert_eq!(actor, &json!({"role": "moderator", "name": "Мадина С."}));
        app.get(&format!("/api/v1/attachments/{note_file}"), Some(token))
            .await
            .assert_problem(404, "not_found");
        let dossier = app.get(&format!("{base}/dossier"), Some(token)).await;
        assert_eq!(
            dossier.body["evidence"].as_array().unwrap().len(),
            1,
            "{}",
            dossier.body
        );
    }
    let full = app.get(&base, Some(&cast.moderator.token)).await;
    assert_eq!(full.body["timeline"].as_array().unwrap().len(), 4);
    assert_eq!(full.body["timeline"][1]["audience"], "internal");
    assert_eq!(
        full.body["timeline"][3]["actor"]["id"],
        json!(cast.moderator.id)
    );

    // The buyer's evidence is readable by the case's seller, not by another shop.
    let file = app
        .get(
            &format!("/api/v1/attachments/{photo}"),
            Some(&cast.seller.token),
        )
        .await;
    assert_eq!(file.status, 200);
    app.get(
        &format!("/api/v1/attachments/{photo}"),
        Some(&cast.other_seller.token),
    )
    .await
    .assert_problem(404, "not_found");

    // The dossier lists the evidence with its checksum and the whole public timeline.
    let dossier = app
        .get(&format!("{base}/dossier"), Some(&cast.buyer.token))
        .await;
    assert_eq!(dossier.status, 200, "{}", dossier.body);
    let sha = app
        .get(
            &format!("/api/v1/attachments/{photo}"),
            Some(&cast.buyer.token),
        )
        .await;
    assert_eq!(dossier.body["evidence"][0]["id"], json!(photo));
    assert_eq!(
        dossier.body["evidence"][0]["sha256"].as_str().unwrap(),
        sha.headers
            .get("etag")
            .unwrap()
            .to_str()
            .unwrap()
            .trim_matches('"')
    );
    assert_eq!(dossier.body["order"]["external_id"], "P-1");
    assert_eq!(dossier.body["parties"]["shop_name"], "Shop of Данияр Беков");
    assert_eq!(
        dossier.body["complaint"]["timeline"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "filed, the seller's answer and the acknowledgement; not the internal note"
    );
}
