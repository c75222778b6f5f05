//! HTTP caching of the public review reads: `ETag` and `Cache-Control` on what everyone
//! sees, 304 for an `If-None-Match` that names the current tag, and a new tag after any
//! change a reader could see.
use super::*;
use actix_web::http::header;
use actix_web::test;

async fn get_with(app: &TestApp, path: &str, token: Option<&str>, tag: Option<&str>) -> Resp {
    let mut req = test::TestRequest::get().uri(path);
    if let Some(t) = token {
        req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
    }
    if let Some(tag) = tag {
        req = req.insert_header((header::IF_NONE_MATCH, tag));
    }
    app.send(req).await
}

fn header_of(r: &Resp, name: header::HeaderName) -> Option<String> {
    r.headers.get(name).map(|v| v.to_str().unwrap().to_string())
}

async fn reply(app: &TestApp, cast: &Cast, review: &str, text: &str) {
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/reviews/{review}/reply"),
            Some(&cast.seller.token),
            Some(json!({ "text": text })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn published_review(app: &TestApp, cast: &Cast, external_id: &str) -> String {
    let item = app.delivered_item(cast, &cast.buyer, external_id, 1).await;
    let r = app
        .review(&cast.buyer.token, &item, 5, "Отличный чайник, греет быстро")
        .await;
    assert_eq!(r.body["status"], "published", "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn public_lists_answer_304_until_a_review_changes() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let review = published_review(&app, &cast, "E-1").await;
    let shop_path = format!("/api/v1/shops/{}/reviews", cast.shop());
    for path in ["/api/v1/products/P-1/reviews", shop_path.as_str()] {
        let first = get_with(&app, path, None, None).await;
        assert_eq!(first.status, 200, "{}", first.body);
        assert_eq!(
            header_of(&first, header::CACHE_CONTROL).as_deref(),
            Some("public, max-age=30, stale-while-revalidate=60")
        );
        let tag = header_of(&first, header::ETAG).expect("a public list has an ETag");
        let again = get_with(&app, path, None, Some(&tag)).await;
        assert_eq!(again.status, 304);
        assert!(again.bytes.is_empty(), "a 304 has no body");
        assert_eq!(header_of(&again, header::ETAG), Some(tag.clone()));
        // Another page of the same subject is another representation.
        let other = get_with(&app, &format!("{path}?limit=1"), None, Some(&tag)).await;
        assert_eq!(other.status, 200);
    }

    // A reply is a change the reader sees: the old tag no longer matches.
    let path = "/api/v1/products/P-1/reviews";
    let before = header_of(&get_with(&app, path, None, None).await, header::ETAG).unwrap();
    reply(&app, &cast, &review, "Спасибо за отзыв!").await;
    let after = get_with(&app, path, None, Some(&before)).await;
    assert_eq!(after.status, 200);
    assert_eq!(after.body["items"][0]["reply"]["text"], "Спасибо за отзыв!");

    // A new review of another product of the shop changes the shop's list, not this one's.
    let tag = header_of(&after, header::ETAG).unwrap();
    let shop_before =
        header_of(&get_with(&app, &shop_path, None, None).await, header::ETAG).unwrap();
    let order = app
        .delivered_order(&cast.service, "E-2", &cast.buyer, cast.shop(), 1)
        .await;
    assert_eq!(order["items"][1]["product_id"], "P-2");
    let item = order["items"][1]["id"].as_str().unwrap().to_string();
    app.review(&cast.buyer.token, &item, 4, "Хороший чехол")
        .await;
    assert_eq!(get_with(&app, path, None, Some(&tag)).await.status, 304);
    assert_eq!(
        get_with(&app, &shop_path, None, Some(&shop_before))
            .await
            .status,
        200
    );

    // A minute on, the 90-day summary may have moved: a list is revalidated afresh.
    app.clock.advance(TimeDelta::minutes(1));
    assert_eq!(get_with(&app, path, None, Some(&tag)).await.status, 200);
}

#[actix_web::test]
async fn a_published_review_is_cacheable_as_the_public_sees_it() {
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let review = published_review(&app, &cast, "E-3").await;
    let path = format!("/api/v1/reviews/{review}");

    let public = get_with(&app, &path, None, None).await;
    assert_eq!(public.status, 200);
    assert_eq!(
        header_of(&public, header::VARY).as_deref(),
        Some("Authorization")
    );
    let tag = header_of(&public, header::ETAG).expect("the public view has an ETag");
    let again = get_with(&app, &path, None, Some(&tag)).await;
    assert_eq!(again.status, 304);
    assert!(again.bytes.is_empty());

    // The author's view carries more than the public's: private, no tag, never a 304.
    let own = get_with(&app, &path, Some(&cast.buyer.token), Some(&tag)).await;
    assert_eq!(own.status, 200);
    assert_eq!(header_of(&own, header::ETAG), None);
    assert_eq!(
        header_of(&own, header::CACHE_CONTROL).as_deref(),
        Some("private, no-cache")
    );

    reply(&app, &cast, &review, "Рады, что понравилось").await;
    let changed = get_with(&app, &path, None, Some(&tag)).await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body["reply"]["text"], "Рады, что понравилось");
}

/// Two replies at once to reviews of two products of one shop: both stand, and no raise of a
/// version is lost (each bumps its product by one and the shop by two between them). On
/// PostgreSQL the trigger's upserts meet on the shop's row, which it takes before the
/// product's, so the two transactions queue instead of deadlocking.
#[actix_web::test]
async fn simultaneous_changes_raise_the_versions_once_each() {
    use aftersale::db::reviews::{list_version, ReviewSubject};
    let app = TestApp::spawn().await;
    let cast = app.cast().await;
    let order = app
        .delivered_order(&cast.service, "E-4", &cast.buyer, cast.shop(), 1)
        .await;
    let mut reviews = Vec::new();
    for i in 0..2 {
        let item = order["items"][i]["id"].as_str().unwrap().to_string();
        let r = app
            .review(&cast.buyer.token, &item, 5, "Всё отлично, спасибо")
            .await;
        assert_eq!(r.body["status"], "published", "{}", r.body);
        reviews.push(r.body["id"].as_str().unwrap().to_string());
    }
    let shop = cast.shop().to_string();
    let versions = |app: &TestApp| {
        let mut c = app.raw_conn();
        [
            ReviewSubject::Shop(&shop),
            ReviewSubject::Product("P-1"),
            ReviewSubject::Product("P-2"),
        ]
        .map(|s| list_version(&mut c, s).unwrap())
    };
    for round in 0..4 {
        let before = versions(&app);
        let path = |i: usize| format!("/api/v1/reviews/{}/reply", reviews[i]);
        let body = |i: usize| json!({ "text": format!("Спасибо! ({round}, {i})") });
        let (a, b) = futures_util::future::join(
            app.call(
                Method::PUT,
                &path(0),
                Some(&cast.seller.token),
                Some(body(0)),
            ),
            app.call(
                Method::PUT,
                &path(1),
                Some(&cast.seller.token),
                Some(body(1)),
            ),
        )
        .await;
        assert_eq!((a.status.as_u16(), b.status.as_u16()), (200, 200));
        let after = versions(&app);
        assert_eq!(
            [
                after[0] - before[0],
                after[1] - before[1],
                after[2] - before[2]
            ],
            [2, 1, 1],
            "round {round}"
        );
    }
}
