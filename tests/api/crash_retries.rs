//! Idempotent retries after a crash: a request's writes commit together with its stored
//! response, so the retry of a request that committed replays it and the retry of one that
//! did not runs afresh — on PostgreSQL as soon as the dead request's connection is gone (its
//! claim is a lock of that connection), on SQLite once the claim's lease passes, a claim taken
//! over making the first request's late write fail.
use crate::helpers::*;
use aftersale::db::idempotency::{self, Begin, Claim, Finish, Held, Response};
use aftersale::db::{write_tx, Backend, Db, DbConnection, DbError};
use chrono::TimeDelta;
use diesel::prelude::*;
use std::io::{Read, Write};
use std::time::Duration;

const ORDER: &str = "01938f00-0000-7000-8000-000000001001";

fn claim(token: &str) -> Claim {
    Claim {
        scope: "user-1".into(),
        key: "k-1".into(),
        token: token.into(),
    }
}

fn begin(conn: &mut DbConnection, token: &str, now: chrono::DateTime<chrono::Utc>) -> Begin {
    idempotency::begin(
        conn,
        "user-1",
        "k-1",
        "h",
        token,
        now,
        TimeDelta::hours(24),
        TimeDelta::seconds(60),
    )
    .unwrap()
}

/// A write of the kind a handler makes: one row, inside a write transaction.
fn write(conn: &mut DbConnection) -> Result<(), DbError> {
    write_tx(conn, |c| {
        diesel::sql_query(
            "INSERT INTO login_failures (email, address, failures, locked_until, last_failure_at) \
             VALUES ('crash@test.kz', '*', 1, NULL, CURRENT_TIMESTAMP)",
        )
        .execute(c)?;
        Ok(())
    })
}

fn written(app: &TestApp) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut pooled = app.raw_conn();
    let conn: &mut DbConnection = &mut pooled;
    diesel::sql_query("SELECT COUNT(*) AS n FROM login_failures WHERE email = 'crash@test.kz'")
        .get_result::<N>(conn)
        .unwrap()
        .n
}

fn created() -> Response<'static> {
    Response {
        status: 201,
        content_type: "application/json",
        body: r#"{"id":"1"}"#,
    }
}

#[actix_web::test]
async fn a_dead_claim_is_taken_over_and_its_late_write_is_refused() {
    let app = TestApp::spawn().await;
    let t = app.clock.now_utc();
    let mut pooled = app.raw_conn();
    let conn: &mut DbConnection = &mut pooled;
    assert_eq!(begin(conn, "first", t), Begin::Proceed);
    // Within the lease the first request may still be running.
    assert_eq!(
        begin(conn, "second", t + TimeDelta::seconds(59)),
        Begin::InProgress
    );
    // After it, nothing was committed: the retry takes the claim over.
    assert_eq!(
        begin(conn, "second", t + TimeDelta::seconds(61)),
        Begin::Proceed
    );
    // Should the first request still be alive, its write is refused.
    let first = Held::new(claim("first"));
    let late = first.run(&app.state.db, write);
    assert!(late.is_err(), "{late:?}");
    assert_eq!(first.finish(None).unwrap(), Finish::NoWrite);
    // The new owner's write and response commit together.
    let second = Held::new(claim("second"));
    second.run(&app.state.db, write).unwrap();
    assert_eq!(second.finish(Some(created())).unwrap(), Finish::Committed);
    assert_eq!(written(&app), 1);
    match begin(conn, "third", t + TimeDelta::minutes(5)) {
        Begin::Replay { status, body, .. } => {
            assert_eq!((status, body.as_str()), (201, r#"{"id":"1"}"#))
        }
        other => panic!("{other:?}"),
    }
}

#[actix_web::test]
async fn a_write_whose_response_was_never_stored_did_not_commit() {
    let app = TestApp::spawn().await;
    let t = app.clock.now_utc();
    let mut pooled = app.raw_conn();
    let conn: &mut DbConnection = &mut pooled;
    assert_eq!(begin(conn, "first", t), Begin::Proceed);
    // The request wrote, then the process died before its response was stored: the
    // connection closes with the transaction open.
    let held = Held::new(claim("first"));
    held.run(&app.state.db, write).unwrap();
    drop(held);
    assert_eq!(written(&app), 0);
    // So the retry runs afresh once the lease passes, and writes once.
    assert_eq!(
        begin(conn, "retry", t + TimeDelta::minutes(5)),
        Begin::Proceed
    );
    let retry = Held::new(claim("retry"));
    retry.run(&app.state.db, write).unwrap();
    assert_eq!(retry.finish(Some(created())).unwrap(), Finish::Committed);
    assert_eq!(written(&app), 1);
}

#[actix_web::test]
async fn a_refused_response_rolls_the_requests_writes_back() {
    let app = TestApp::spawn().await;
    let t = app.clock.now_utc();
    let mut pooled = app.raw_conn();
    let conn: &mut DbConnection = &mut pooled;
    assert_eq!(begin(conn, "first", t), Begin::Proceed);
    let held = Held::new(claim("first"));
    held.run(&app.state.db, write).unwrap();
    assert_eq!(held.finish(None).unwrap(), Finish::RolledBack);
    assert_eq!(written(&app), 0);
    idempotency::abandon(conn, &claim("first")).unwrap();
    // Forgotten: the corrected request runs at once under the same key.
    assert_eq!(
        begin(conn, "again", t + TimeDelta::seconds(1)),
        Begin::Proceed
    );
}

/// `Held::begin` as the middleware calls it (lease 60 s, keys kept 24 h).
fn claim_held(db: &Db, held: &Held, now: chrono::DateTime<chrono::Utc>) -> Begin {
    held.begin(db, "h", now, TimeDelta::hours(24), TimeDelta::seconds(60))
        .unwrap()
}

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

/// The server process of the connection a request holds.
fn backend_pid(app: &TestApp, held: &Held) -> i32 {
    held.run(&app.state.db, |c| {
        Ok(diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<Pid>(c)?
            .pid)
    })
    .unwrap()
}

/// Waits until PostgreSQL has ended the server process of a closed connection (it does so
/// as soon as it reads the closed socket; the test must not race that cleanup).
fn wait_ended(app: &TestApp, pid: i32) {
    let mut pooled = app.raw_conn();
    let conn: &mut DbConnection = &mut pooled;
    for _ in 0..250 {
        let alive = diesel::sql_query("SELECT pid FROM pg_stat_activity WHERE pid = $1")
            .bind::<diesel::sql_types::Integer, _>(pid)
            .load::<Pid>(conn)
            .unwrap();
        if alive.is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the closed connection's server process did not end");
}

/// A request that claimed the key and wrote, then died: its connection closes with the
/// transaction open.
fn dead_claim(app: &TestApp, now: chrono::DateTime<chrono::Utc>) {
    let first = Held::new(claim("first"));
    assert_eq!(claim_held(&app.state.db, &first, now), Begin::Proceed);
    first.run(&app.state.db, write).unwrap();
    let pid = backend_pid(app, &first);
    drop(first);
    wait_ended(app, pid);
}

#[actix_web::test]
async fn on_postgres_a_live_claim_is_409_and_a_dead_one_is_taken_over_at_once() {
    let app = TestApp::spawn().await;
    if app.state.db.backend != Backend::Postgres {
        return;
    }
    let t = app.clock.now_utc();
    let first = Held::new(claim("first"));
    assert_eq!(claim_held(&app.state.db, &first, t), Begin::Proceed);
    first.run(&app.state.db, write).unwrap();
    // Alive, it keeps its claim however long it runs: no lease applies.
    let early = Held::new(claim("early"));
    assert_eq!(
        claim_held(&app.state.db, &early, t + TimeDelta::minutes(5)),
        Begin::InProgress
    );
    // Its instance dies: the connection closes mid-transaction, the write with it.
    let pid = backend_pid(&app, &first);
    drop(first);
    wait_ended(&app, pid);
    assert_eq!(written(&app), 0);
    // The retry runs at once, well within the lease.
    let retry = Held::new(claim("retry"));
    assert_eq!(
        claim_held(&app.state.db, &retry, t + TimeDelta::seconds(1)),
        Begin::Proceed
    );
    retry.run(&app.state.db, write).unwrap();
    assert_eq!(retry.finish(Some(created())).unwrap(), Finish::Committed);
    assert_eq!(written(&app), 1);
    let again = Held::new(claim("again"));
    match claim_held(&app.state.db, &again, t + TimeDelta::seconds(2)) {
        Begin::Replay { status, body, .. } => {
            assert_eq!((status, body.as_str()), (201, r#"{"id":"1"}"#))
        }
        other => panic!("{other:?}"),
    }
}

#[actix_web::test]
async fn on_postgres_a_claim_that_nobody_holds_is_taken_over_within_the_lease() {
    let app = TestApp::spawn().await;
    if app.state.db.backend != Backend::Postgres {
        return;
    }
    let t = app.clock.now_utc();
    // A committed claim without a response and without a live holder (left by an instance
    // of a version that claimed with a lease only).
    {
        let mut pooled = app.raw_conn();
        assert_eq!(begin(&mut pooled, "old", t), Begin::Proceed);
    }
    // A retry that fails (its response is not a success) rolls its takeover back too...
    let failed = Held::new(claim("failed"));
    assert_eq!(
        claim_held(&app.state.db, &failed, t + TimeDelta::seconds(1)),
        Begin::Proceed
    );
    failed.run(&app.state.db, write).unwrap();
    assert_eq!(failed.finish(None).unwrap(), Finish::RolledBack);
    // ...so the next one takes it over again, and it writes once.
    let next = Held::new(claim("next"));
    assert_eq!(
        claim_held(&app.state.db, &next, t + TimeDelta::seconds(2)),
        Begin::Proceed
    );
    next.run(&app.state.db, write).unwrap();
    assert_eq!(next.finish(Some(created())).unwrap(), Finish::Committed);
    assert_eq!(written(&app), 1);
    // The lease-era request, should it still be alive, cannot write any more.
    let old = Held::new(claim("old"));
    assert!(old.run(&app.state.db, write).is_err());
    assert_eq!(old.finish(None).unwrap(), Finish::NoWrite);
    assert_eq!(written(&app), 1);
}

#[actix_web::test]
async fn on_postgres_simultaneous_retries_of_a_dead_claim_let_exactly_one_run() {
    let app = TestApp::spawn().await;
    if app.state.db.backend != Backend::Postgres {
        return;
    }
    let t = app.clock.now_utc();
    dead_claim(&app, t);
    const RETRIES: usize = 6;
    let start = std::sync::Barrier::new(RETRIES);
    let answered = std::sync::Barrier::new(RETRIES);
    let answers: Vec<Begin> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..RETRIES)
            .map(|i| {
                let (db, start, answered) = (&app.state.db, &start, &answered);
                s.spawn(move || {
                    let held = Held::new(claim(&format!("retry-{i}")));
                    start.wait();
                    let answer = claim_held(db, &held, t + TimeDelta::seconds(1));
                    // The one that runs holds its claim until every retry has its answer.
                    answered.wait();
                    if answer == Begin::Proceed {
                        held.run(db, write).unwrap();
                        assert_eq!(held.finish(Some(created())).unwrap(), Finish::Committed);
                    }
                    answer
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let proceeded = answers.iter().filter(|a| **a == Begin::Proceed).count();
    let refused = answers.iter().filter(|a| **a == Begin::InProgress).count();
    assert_eq!((proceeded, refused), (1, RETRIES - 1), "{answers:?}");
    assert_eq!(written(&app), 1);
}

fn http(port: u16, request: &str) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).to_string()
}

fn post(port: u16, path: &str, token: &str, key: &str, body: &str) -> String {
    http(
        port,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Authorization: Bearer {token}\r\nIdempotency-Key: {key}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn start(url: &str, dir: &std::path::Path, port: u16, lease_secs: &str) -> std::process::Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args(["serve", "--demo"])
        .env("DATABASE_URL", url)
        .env("ATTACHMENTS_DIR", dir.join("files"))
        .env("PORT", port.to_string())
        .env("IDEMPOTENCY_LEASE_SECS", lease_secs)
        .env("SWEEP_INTERVAL_SECS", "0")
        .env("RUST_LOG", "warn")
        .env_remove("APP_ENV")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut child = child;
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the service did not start");
}

/// Two instances of the real binary on one PostgreSQL database; one is killed while a keyed
/// write waits on a lock another connection holds (its claim taken). The client retries on the
/// other instance: with a lease of an hour, the retry runs within seconds (the dead instance's
/// connection, hence its claim's lock, is gone), and the message is stored once.
#[test]
fn a_retry_after_kill_9_runs_once_and_is_stored_once() {
    let base = pg_url_for_parity();
    let (url, schema) = fresh_pg_schema(&base);
    let dir = tempfile::tempdir().unwrap();
    let (port, other) = (free_port(), free_port());
    let mut server = start(&url, dir.path(), port, "3600");
    let mut survivor = start(&url, dir.path(), other, "3600");
    let credentials = r#"{"email":"buyer@demo.kz","password":"demo-password-2026"}"#;
    let login = http(
        port,
        &format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{credentials}",
            credentials.len()
        ),
    );
    let token = login
        .split("\"access_token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{login}"))
        .to_string();
    let path = format!("/api/v1/orders/{ORDER}/messages");
    let body = r#"{"body":"Сообщение, которое переживёт сбой"}"#;

    // Another connection holds the table the message goes into.
    let mut blocker = PgConnection::establish(&url).unwrap();
    diesel::sql_query("BEGIN").execute(&mut blocker).unwrap();
    diesel::sql_query("LOCK TABLE order_messages IN EXCLUSIVE MODE")
        .execute(&mut blocker)
        .unwrap();
    let (p, t, b, pa) = (port, token.clone(), body.to_string(), path.clone());
    let inflight = std::thread::spawn(move || post(p, &pa, &t, "crash-1", &b));
    std::thread::sleep(Duration::from_millis(700));
    // While the first instance is alive, a retry on the other is told it is in progress.
    let early = post(other, &path, &token, "crash-1", body);
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = inflight.join();
    // The dead instance's statement still waits on the table; PostgreSQL ends it within about
    // a second (client_connection_check_interval), before the blocker lets go.
    std::thread::sleep(Duration::from_millis(2500));
    #[derive(QueryableByName)]
    struct Waiting {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        waiting: i64,
    }
    let waiting = diesel::sql_query(
        "SELECT COUNT(*) AS waiting FROM pg_locks \
         WHERE NOT granted AND relation = 'order_messages'::regclass",
    )
    .get_result::<Waiting>(&mut blocker)
    .unwrap()
    .waiting;
    diesel::sql_query("COMMIT").execute(&mut blocker).unwrap();

    // Retried as a client would, at most 5 s: far less than the lease.
    let mut retry = String::new();
    for _ in 0..25 {
        retry = post(other, &path, &token, "crash-1", body);
        if !retry.starts_with("HTTP/1.1 409") {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let replay = post(other, &path, &token, "crash-1", body);
    let list = http(
        other,
        &format!(
            "GET {path}?limit=100 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Authorization: Bearer {token}\r\n\r\n"
        ),
    );
    survivor.kill().unwrap();
    survivor.wait().unwrap();
    drop_pg_schema(&base, &schema);
    assert!(early.starts_with("HTTP/1.1 409"), "{early}");
    assert_eq!(waiting, 0, "the dead instance's statement still waits");
    assert!(retry.starts_with("HTTP/1.1 201"), "{retry}");
    assert!(
        replay.starts_with("HTTP/1.1 201")
            && replay
                .to_ascii_lowercase()
                .contains("idempotent-replayed: true"),
        "{replay}"
    );
    assert_eq!(
        list.matches("Сообщение, которое переживёт сбой").count(),
        1,
        "{list}"
    );
}
