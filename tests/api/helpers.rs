//! `TestApp`: the real application, in-process, on a database of its own, built once per test.
//!
//! Backend: `TEST_DATABASE_URL` unset → a SQLite file in a temp folder; a `postgres://` URL →
//! a database of its own on that server, dropped when the test ends. Either is a copy of a
//! template migrated once per run (a file copy; `CREATE DATABASE … TEMPLATE`), which costs a
//! fraction of migrating every test's database afresh (PostgreSQL: ~100 ms instead of ~300 ms).
use actix_web::http::{header, Method, StatusCode};
use actix_web::test;
use aftersale::clock::FixedClock;
use aftersale::config::Settings;
use aftersale::demo;
use aftersale::state::AppState;
use aftersale::{auth::password, db, startup};
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tempfile::TempDir;

pub const PASSWORD: &str = "correct-horse-battery";

pub fn t0() -> DateTime<Utc> {
    "2026-11-21T10:00:00Z".parse().unwrap()
}

/// `TEST_S3_URL=s3://bucket/prefix` (with the `AWS_*` variables): attachments go to that
/// S3-compatible server instead of a temp folder (see `.ci/s3-server`).
pub fn test_s3_url() -> Option<String> {
    std::env::var("TEST_S3_URL")
        .ok()
        .filter(|u| u.starts_with("s3://"))
}

pub fn pg_base_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
}

/// The PostgreSQL database tests create their schemas in: TEST_DATABASE_URL when it is one,
/// else the local server of a development machine.
pub fn pg_url_for_parity() -> String {
    pg_base_url().unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/aftersale_test".into())
}

/// Creates the test database once per process (tolerating a concurrent creator).
fn ensure_pg_database(url: &str) {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        if PgConnection::establish(url).is_ok() {
            return;
        }
        let (server, name) = url
            .rsplit_once('/')
            .expect("database name in TEST_DATABASE_URL");
        let name = name.split('?').next().unwrap();
        let mut admin = PgConnection::establish(&format!("{server}/postgres"))
            .unwrap_or_else(|e| panic!("PostgreSQL unreachable at {server}: {e}"));
        let _ = diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut admin);
    });
}

/// A fresh schema; the URL selects it through libpq's `options`.
pub fn fresh_pg_schema(base: &str) -> (String, String) {
    ensure_pg_database(base);
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn =
        PgConnection::establish(base).unwrap_or_else(|e| panic!("PostgreSQL unreachable: {e}"));
    diesel::sql_query(format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    (
        format!("{base}{sep}options=-csearch_path%3D{schema}"),
        schema,
    )
}

pub fn drop_pg_schema(base: &str, schema: &str) {
    if let Ok(mut conn) = PgConnection::establish(base) {
        let _ =
            diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).execute(&mut conn);
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub bytes: Vec<u8>,
    pub headers: actix_web::http::header::HeaderMap,
}

impl Resp {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    /// Asserts a problem+json error with the given status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.code(), code, "body: {}", self.body);
        assert!(
            self.content_type().starts_with("application/problem+json"),
            "{}",
            self.content_type()
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].as_str().is_some_and(|t| !t.is_empty()));
    }
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap().to_string(),
                            e["code"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub token: String,
    pub refresh: String,
    pub shop_id: Option<String>,
}

/// The app as one boxed service, built once per test.
type Service = actix_service::boxed::BoxService<
    actix_http::Request,
    actix_web::dev::ServiceResponse,
    actix_web::Error,
>;

pub struct TestApp {
    pub state: AppState,
    service: Service,
    pub clock: Arc<FixedClock>,
    /// Held so the folder (database, files) lives as long as the app.
    #[allow(dead_code)]
    pub dir: TempDir,
    /// The server's admin URL and the test's own PostgreSQL database.
    pg: Option<(String, String)>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg {
            if let Ok(mut conn) = PgConnection::establish(admin) {
                // FORCE: the app's pool still holds connections while it is being dropped.
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut conn);
            }
        }
    }
}

/// A name for the current migrations: a template is migrated once per set of migrations.
fn migrations_digest(dir: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut hasher = Sha256::new();
    for entry in entries {
        hasher.update(entry.display().to_string());
        hasher.update(std::fs::read(entry.join("up.sql")).unwrap_or_default());
    }
    hex::encode(hasher.finalize())[..12].to_string()
}

/// `postgres://host/db?opts` → (`postgres://host/postgres?opts`, `postgres://host`, `?opts`).
fn pg_server(base: &str) -> (String, String, String) {
    let (without_query, query) = match base.split_once('?') {
        Some((u, q)) => (u, format!("?{q}")),
        None => (base, String::new()),
    };
    let (server, _) = without_query
        .rsplit_once('/')
        .expect("database name in TEST_DATABASE_URL");
    (
        format!("{server}/postgres{query}"),
        server.to_string(),
        query,
    )
}

/// The migrated PostgreSQL template of this set of migrations, made once (several test
/// processes may race to make it: an advisory lock lets one do it).
fn pg_template(admin: &str, server: &str, query: &str) -> String {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let name = format!("aftersale_tpl_{}", migrations_digest("migrations/postgres"));
        let mut conn = PgConnection::establish(admin)
            .unwrap_or_else(|e| panic!("PostgreSQL unreachable at {admin}: {e}"));
        diesel::sql_query("SELECT pg_advisory_lock(72060001)")
            .execute(&mut conn)
            .unwrap();
        #[derive(QueryableByName)]
        struct Found {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let found = diesel::sql_query("SELECT COUNT(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(&name)
            .get_result::<Found>(&mut conn)
            .unwrap();
        if found.n == 0 {
            // Migrated under another name and renamed, so a half-made template never shows.
            let building = format!("{name}_building");
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{building}\""))
                .execute(&mut conn);
            diesel::sql_query(format!("CREATE DATABASE \"{building}\""))
                .execute(&mut conn)
                .unwrap();
            let url = format!("{server}/{building}{query}");
            let db = db::Db::connect(&url, 1, std::time::Duration::from_secs(10)).unwrap();
            db.migrate().unwrap();
            drop(db);
            diesel::sql_query(format!(
                "ALTER DATABASE \"{building}\" RENAME TO \"{name}\""
            ))
            .execute(&mut conn)
            .unwrap();
        }
        diesel::sql_query("SELECT pg_advisory_unlock(72060001)")
            .execute(&mut conn)
            .unwrap();
        name
    })
    .clone()
}

/// A database of the test's own, copied from the template: (its URL, the admin URL, its name).
fn pg_test_database(base: &str) -> (String, String, String) {
    let (admin, server, query) = pg_server(base);
    let template = pg_template(&admin, &server, &query);
    let name = format!("aftersale_t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::establish(&admin).unwrap();
    diesel::sql_query(format!(
        "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
    ))
    .execute(&mut conn)
    .unwrap();
    (format!("{server}/{name}{query}"), admin, name)
}

/// The migrated SQLite template of this run, made once.
fn sqlite_template() -> &'static std::path::Path {
    static TEMPLATE: OnceLock<TempDir> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}/template.db", dir.path().display());
            let db = db::Db::connect(&url, 1, std::time::Duration::from_secs(10)).unwrap();
            db.migrate().unwrap();
            // Closing the last connection checkpoints the WAL into the file.
            drop(db);
            dir
        })
        .path()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    /// `overrides` are settings as environment variables (e.g. `ATTACHMENT_MAX_BYTES`).
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let (url, pg) = match pg_base_url() {
            Some(base) => {
                let (url, admin, name) = pg_test_database(&base);
                (url, Some((admin, name)))
            }
            None => {
                let file = dir.path().join("test.db");
                std::fs::copy(sqlite_template().join("template.db"), &file).unwrap();
                (format!("sqlite://{}", file.display()), None)
            }
        };
        Self::build(url, pg, dir, overrides).await
    }

    /// The service restarted on this test's database and files with `overrides` (another
    /// secret, say); the database stays this app's to drop.
    pub async fn respawn_with(&self, overrides: &[(&str, &str)]) -> TestApp {
        let store = self.store_setting();
        let mut all = vec![(store.0, store.1.as_str())];
        all.extend_from_slice(overrides);
        let url = self.state.settings.database_url.expose().to_string();
        Self::build(url, None, tempfile::tempdir().unwrap(), &all).await
    }

    async fn build(
        url: String,
        pg: Option<(String, String)>,
        dir: TempDir,
        overrides: &[(&str, &str)],
    ) -> TestApp {
        let mut vars: HashMap<String, String> = HashMap::new();
        vars.insert("DATABASE_URL".into(), url);
        vars.insert("DATABASE_POOL_SIZE".into(), "4".into());
        vars.insert("DATABASE_TIMEOUT_MS".into(), "3000".into());
        vars.insert(
            "ATTACHMENTS_DIR".into(),
            dir.path().join("files").display().to_string(),
        );
        vars.insert(
            "JWT_SECRET".into(),
            "test-secret-that-is-long-enough-0123456789".into(),
        );
        // Limits are off unless a test turns them on; tests make many requests per second.
        vars.insert("RATE_LIMIT_PER_MINUTE".into(), "0".into());
        vars.insert("AUTH_RATE_LIMIT_PER_MINUTE".into(), "0".into());
        // Tests move the clock by days; the token-expiry tests set the real 15 minutes.
        vars.insert("ACCESS_TOKEN_TTL_SECS".into(), (400 * 86_400).to_string());
        if let Some(s3) = test_s3_url() {
            // A real S3-compatible server: every app gets a prefix of its own.
            vars.remove("ATTACHMENTS_DIR");
            let prefix = uuid::Uuid::now_v7();
            vars.insert(
                "ATTACHMENTS_URL".into(),
                format!("{}/{prefix}", s3.trim_end_matches('/')),
            );
            for (k, v) in std::env::vars().filter(|(k, _)| k.starts_with("AWS_")) {
                vars.insert(k, v);
            }
        }
        for (k, v) in overrides {
            // One store setting wins: an override names the store this app must use.
            match *k {
                "ATTACHMENTS_DIR" => vars.remove("ATTACHMENTS_URL"),
                "ATTACHMENTS_URL" => vars.remove("ATTACHMENTS_DIR"),
                _ => None,
            };
            vars.insert(k.to_string(), v.to_string());
        }
        let settings = Settings::from_map(&vars).unwrap();
        let clock = Arc::new(FixedClock::new(t0()));
        let state = startup::build_state(settings, clock.clone()).unwrap();
        // A no-op on the template's copy; kept so that a test sees what the service does at start.
        state.db.migrate().unwrap();
        let service = test::init_service(startup::app(state.clone())).await;
        let service = actix_service::boxed::service(actix_service::ServiceExt::map(
            service,
            actix_web::dev::ServiceResponse::map_into_boxed_body,
        ));
        TestApp {
            state,
            service,
            clock,
            dir,
            pg,
        }
    }

    /// The setting that points another instance at this app's evidence store.
    pub fn store_setting(&self) -> (&'static str, String) {
        match &self.state.settings.attachments_store {
            aftersale::storage::StoreConfig::Local(dir) => {
                ("ATTACHMENTS_DIR", dir.display().to_string())
            }
            aftersale::storage::StoreConfig::S3(s3) => (
                "ATTACHMENTS_URL",
                format!("s3://{}/{}", s3.bucket, s3.prefix),
            ),
        }
    }

    /// Every key in this app's evidence store (temp and staged files included, locally).
    pub async fn stored_keys(&self) -> Vec<String> {
        let mut keys = self.state.attachments.keys().await.unwrap();
        keys.sort();
        keys
    }

    pub async fn send(&self, req: test::TestRequest) -> Resp {
        let res = test::call_service(&self.service, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let method = res.request().method().to_string();
        let pattern = res.request().match_pattern();
        let bytes = test::read_body(res).await.to_vec();
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        crate::conformance::check(
            &method,
            pattern.as_deref(),
            status.as_u16(),
            content_type,
            &bytes,
        );
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            body,
            bytes,
            headers,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = test::TestRequest::default().method(method).uri(path);
        if let Some(t) = token {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
        }
        if let Some(b) = body {
            req = req.set_json(b);
        }
        self.send(req).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    pub async fn register(&self, email: &str, role: &str, full_name: &str) -> Account {
        let mut body = json!({"email": email, "password": PASSWORD, "full_name": full_name, "role": role, "phone": "+7 701 555 44 12"});
        if role == "seller" {
            body["shop_name"] = json!(format!("Shop of {full_name}"));
        }
        let r = self.post("/api/v1/auth/register", None, body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        Account {
            id: r.body["user"]["id"].as_str().unwrap().into(),
            token: r.body["access_token"].as_str().unwrap().into(),
            refresh: r.body["refresh_token"].as_str().unwrap().into(),
            shop_id: r.body["user"]["shop_id"].as_str().map(String::from),
        }
    }

    pub async fn buyer(&self, email: &str) -> Account {
        self.register(email, "buyer", "Айгерим Нурланова").await
    }

    pub async fn seller(&self, email: &str) -> Account {
        self.register(email, "seller", "Данияр Беков").await
    }

    pub async fn moderator(&self, email: &str) -> Account {
        let hash = password::hash(PASSWORD).unwrap();
        let now = self.clock.now_utc();
        let email = email.to_string();
        let user = self
            .state
            .db
            .run(|c| {
                let new = aftersale::db::users::NewUser {
                    id: None,
                    shop_id: None,
                    email: &email,
                    password_hash: &hash,
                    full_name: "Мадина Сериккызы",
                    phone: None,
                    role: aftersale::domain::roles::Role::Moderator,
                    shop_name: None,
                };
                demo::find_or_create(c, &new, now)
            })
            .unwrap();
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        Account {
            id: user.id,
            token: r.body["access_token"].as_str().unwrap().into(),
            refresh: r.body["refresh_token"].as_str().unwrap().into(),
            shop_id: None,
        }
    }

    pub fn service_token(&self) -> String {
        let now = self.clock.now_utc();
        let user = self
            .state
            .db
            .run(|c| demo::service_account(c, "order-sync", now))
            .unwrap();
        demo::issue_token(&self.state, &user, TimeDelta::days(400)).unwrap()
    }

    /// Upserts an order through the integration endpoint and returns the response body.
    pub async fn put_order(&self, service: &str, external_id: &str, body: Value) -> Resp {
        self.put(
            &format!("/api/v1/integration/orders/{external_id}"),
            Some(service),
            body,
        )
        .await
    }

    /// A delivered city order of `buyer` at `shop`, delivered `days_ago` days before now.
    pub async fn delivered_order(
        &self,
        service: &str,
        external_id: &str,
        buyer: &Account,
        shop_id: &str,
        days_ago: i64,
    ) -> Value {
        let now = self.clock.now_utc();
        let body = order_body(
            &buyer.id,
            shop_id,
            now - TimeDelta::days(days_ago + 2),
            Some(now - TimeDelta::days(days_ago)),
        );
        let r = self.put_order(service, external_id, body).await;
        assert!(r.status == 201 || r.status == 200, "{}", r.body);
        r.body
    }

    pub fn raw_conn(&self) -> db::Conn {
        self.state.db.get().unwrap()
    }
}

pub trait NowUtc {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl NowUtc for FixedClock {
    fn now_utc(&self) -> DateTime<Utc> {
        aftersale::clock::Clock::now(self)
    }
}

pub fn order_body(
    buyer_id: &str,
    shop_id: &str,
    placed_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
) -> Value {
    json!({
        "buyer_id": buyer_id,
        "shop_id": shop_id,
        "placed_at": placed_at,
        "items": [
            {"product_id": "P-1", "title": "Смартфон", "category": "mobile_phones", "quantity": 1, "unit_price": 150000},
            {"product_id": "P-2", "title": "Чехол", "quantity": 2, "unit_price": 3500}
        ],
        "delivery": {
            "type": "city",
            "courier_id": "CR-1",
            "courier_name": "Ерлан К.",
            "promised_at": placed_at + TimeDelta::days(2),
            "delivered_at": delivered_at,
            "failed_attempts": 0,
            "status": if delivered_at.is_some() { "delivered" } else { "in_transit" }
        }
    })
}

/// A buyer, a seller with a shop, two moderators and a service token.
pub struct Cast {
    pub buyer: Account,
    pub other_buyer: Account,
    pub seller: Account,
    pub other_seller: Account,
    pub moderator: Account,
    pub moderator2: Account,
    pub service: String,
}

impl Cast {
    pub fn shop(&self) -> &str {
        self.seller.shop_id.as_deref().unwrap()
    }
}

impl TestApp {
    pub async fn cast(&self) -> Cast {
        Cast {
            buyer: self.buyer("buyer@example.kz").await,
            other_buyer: self.buyer("other@example.kz").await,
            seller: self.seller("seller@example.kz").await,
            other_seller: self.seller("seller2@example.kz").await,
            moderator: self.moderator("mod1@example.kz").await,
            moderator2: self.moderator("mod2@example.kz").await,
            service: self.service_token(),
        }
    }

    /// A fresh delivered order of `buyer` at `shop` (delivered `days_ago`); returns the id of
    /// its `P-1` item.
    pub async fn delivered_item(
        &self,
        cast: &Cast,
        buyer: &Account,
        external_id: &str,
        days_ago: i64,
    ) -> String {
        let order = self
            .delivered_order(&cast.service, external_id, buyer, cast.shop(), days_ago)
            .await;
        order["items"][0]["id"].as_str().unwrap().to_string()
    }

    /// A return of one case (P-2) of a fresh city order delivered 2026-11-20, for a change of
    /// mind; its id.
    pub async fn changed_mind_return(&self, cast: &Cast, external_id: &str) -> String {
        let (order, _, case) = crate::returns::order_delivered_at(
            self,
            cast,
            external_id,
            "2026-11-20T10:00:00Z",
            "city",
        )
        .await;
        let r = self
            .post(
                "/api/v1/returns",
                Some(&cast.buyer.token),
                json!({"order_id": order, "reason": "changed_mind",
                       "items": [{"order_item_id": case, "quantity": 1}]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// A seller complaint about a fresh delivered order; (order, complaint) ids.
    pub async fn seller_complaint(&self, cast: &Cast, external_id: &str) -> (String, String) {
        let order = self
            .delivered_order(&cast.service, external_id, &cast.buyer, cast.shop(), 1)
            .await;
        let r = self
            .post(
                "/api/v1/complaints",
                Some(&cast.buyer.token),
                json!({"order_id": order["id"], "target": "seller", "category": "not_as_described",
                       "description": "Товар не соответствует описанию в карточке"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let order = order["id"].as_str().unwrap().to_string();
        (order, r.body["id"].as_str().unwrap().to_string())
    }

    pub async fn review(&self, token: &str, item: &str, rating: i32, text: &str) -> Resp {
        self.post(
            "/api/v1/reviews",
            Some(token),
            json!({"order_item_id": item, "rating": rating, "text": text}),
        )
        .await
    }

    pub async fn notification_kinds(&self, token: &str) -> Vec<String> {
        let feed = self
            .get("/api/v1/notifications?limit=100", Some(token))
            .await;
        feed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap().to_string())
            .collect()
    }
}

/// A port nothing listens on, for a real server a test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A seller complaint about `order` as the storage takes it, for tests that file on threads of
/// their own (races), without HTTP.
pub fn defective_filing(order: String) -> db::complaints::Filing {
    db::complaints::Filing {
        order_id: order,
        target: aftersale::domain::complaints::Target::Seller,
        category: aftersale::domain::complaints::Category::Defective,
        description: "Не включается после первой зарядки".into(),
        details: json!({}),
        attachment_ids: Vec::new(),
    }
}
