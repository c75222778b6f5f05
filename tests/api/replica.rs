//! The read replica (`DATABASE_REPLICA_URL`, `db::replica`): which reads go where, and what
//! happens when the replica falls behind or stops.
//!
//! The replica tests need a PostgreSQL primary (`TEST_DATABASE_URL`) and its streaming replica
//! (`TEST_REPLICA_URL`, made by `.ci/replica`). They are skipped, saying so, on SQLite runs and
//! when `TEST_REPLICA_URL` is unset; a `TEST_REPLICA_URL` that is set but unusable fails them.
//! Pausing and stopping the replica would disturb any other test reading from it, so every
//! step that does runs in the one test function below, and a guard resumes and restarts the
//! replica whatever happens.
use crate::helpers::*;
use crate::moderation::published;
use actix_web::http::header;
use aftersale::config::Settings;
use diesel::prelude::*;
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[test]
fn a_replica_behind_sqlite_is_refused_at_start() {
    let vars: HashMap<String, String> = [
        ("DATABASE_URL", "sqlite://data/x.db"),
        (
            "DATABASE_REPLICA_URL",
            "postgres://postgres@127.0.0.1:5433/x",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let err = Settings::from_map(&vars).expect_err("refused");
    assert!(err.to_string().contains("DATABASE_REPLICA_URL"), "{err}");
}

#[actix_web::test]
async fn ready_says_none_without_a_replica() {
    let app = TestApp::spawn().await;
    let r = app.get("/ready", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["replica"], "none");
}

/// `TEST_REPLICA_URL` when this is a PostgreSQL run that has one.
fn replica_base() -> Option<String> {
    if pg_base_url().is_none() {
        eprintln!("replica tests skipped: SQLite run (set TEST_DATABASE_URL and TEST_REPLICA_URL)");
        return None;
    }
    match std::env::var("TEST_REPLICA_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("replica tests skipped: TEST_REPLICA_URL is unset (see .ci/replica)");
            None
        }
    }
}

/// `base` with its database name replaced by `name` (the query, if any, kept).
fn with_database(base: &str, name: &str) -> String {
    let (url, query) = match base.split_once('?') {
        Some((u, q)) => (u, format!("?{q}")),
        None => (base, String::new()),
    };
    let (server, _) = url.rsplit_once('/').expect("database name in the URL");
    format!("{server}/{name}{query}")
}

fn database_name(url: &str) -> String {
    let url = url.split('?').next().unwrap();
    url.rsplit_once('/').unwrap().1.to_string()
}

/// Runs `.ci/replica <command>`; panics when it fails.
fn replica_script(command: &str) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/replica");
    let out = std::process::Command::new("bash")
        .arg(script)
        .arg(command)
        .output()
        .expect("run .ci/replica");
    assert!(
        out.status.success(),
        ".ci/replica {command}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Replay on the replica: paused or resumed.
fn replay(admin: &str, pause: bool) -> QueryResult<()> {
    let mut conn = PgConnection::establish(admin)
        .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
    let call = if pause {
        "SELECT pg_wal_replay_pause()"
    } else {
        "SELECT pg_wal_replay_resume()"
    };
    diesel::sql_query(call).execute(&mut conn).map(|_| ())
}

/// Leaves the replica running and replaying, however the test ends.
struct Restore {
    admin: String,
}

impl Drop for Restore {
    fn drop(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/replica");
        let _ = std::process::Command::new("bash")
            .arg(script)
            .arg("start")
            .status();
        let _ = replay(&self.admin, false);
    }
}

async fn sleep(ms: u64) {
    actix_web::rt::time::sleep(Duration::from_millis(ms)).await;
}

/// Waits (up to 10 s) until `/ready` reports `want` for the replica; `/ready` must never fail.
async fn await_replica(app: &TestApp, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = app.get("/ready", None).await;
        assert_eq!(r.status, 200, "/ready failed: {}", r.body);
        if r.body["replica"] == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "replica never became {want}: {}",
            r.body
        );
        sleep(100).await;
    }
}

/// `aftersale_db_reads_total` by target: (primary, replica).
async fn reads(app: &TestApp) -> (u64, u64) {
    let m = app.get("/metrics", None).await;
    let text = String::from_utf8(m.bytes).unwrap();
    let value = |target: &str| {
        let prefix = format!("aftersale_db_reads_total{{target=\"{target}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .map_or(0, |v| v.trim().parse().unwrap())
    };
    (value("primary"), value("replica"))
}

/// The subject version an `ETag` of a list carries (`W/"{version}-{minute}-{digest}"`).
fn tag_version(r: &Resp) -> i64 {
    let tag = r.headers.get(header::ETAG).unwrap().to_str().unwrap();
    let inner = tag.trim_start_matches("W/").trim_matches('"');
    inner.split('-').next().unwrap().parse().unwrap()
}

const LIST: &str = "/api/v1/products/P-1/reviews";

/// A public list read through `app`: (response, which database answered it).
async fn list(app: &TestApp) -> (Resp, &'static str) {
    let before = reads(app).await;
    let r = app.get(LIST, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let after = reads(app).await;
    let target = match (after.0 - before.0, after.1 - before.1) {
        (1, 0) => "primary",
        (0, 1) => "replica",
        other => panic!("one read counted once, got {other:?}"),
    };
    (r, target)
}

fn count(r: &Resp) -> i64 {
    r.body["summary"]["count"].as_i64().unwrap()
}

#[actix_web::test]
async fn public_reads_use_the_replica_and_bypass_it_when_it_lags_or_stops() {
    let Some(base) = replica_base() else { return };
    // One replica serves every test process on the machine: another run of this test (another
    // checkout, the cluster test) pausing or stopping it at the same time would break both.
    let lock = std::fs::File::create(std::env::temp_dir().join("aftersale-replica.lock"))
        .expect("replica lock file");
    lock.lock().expect("replica lock");
    let primary = TestApp::spawn().await;
    let name = database_name(primary.state.settings.database_url.expose());
    let replica_url = with_database(&base, &name);
    let admin = with_database(&base, "postgres");
    let _restore = Restore {
        admin: admin.clone(),
    };
    // The test's database was just created on the primary: wait for the replica to replay it.
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Err(e) = PgConnection::establish(&replica_url) {
        assert!(
            Instant::now() < deadline,
            "TEST_REPLICA_URL is set but unusable ({replica_url}): {e}"
        );
        sleep(100).await;
    }
    let app = primary
        .respawn_with(&[
            ("DATABASE_REPLICA_URL", replica_url.as_str()),
            ("REPLICA_MAX_LAG_MS", "3000"),
        ])
        .await;
    await_replica(&app, "ok").await;

    // Reads of public lists go to the replica; writes, and the caller's own reads, do not.
    let cast = app.cast().await;
    published(&app, &cast, "R-1", 5, "Отличный товар, рекомендую").await;
    let before = reads(&app).await;
    let mine = app.get("/api/v1/me/reviews", Some(&cast.buyer.token)).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(reads(&app).await, before, "own reads are not replica reads");
    // The replica may not have replayed the review yet (and may be judged behind for a
    // moment): it answers once it has.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (r, target) = list(&app).await;
        if target == "replica" && count(&r) == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "no replica answer: {}", r.body);
        sleep(100).await;
    }

    // A replica that stopped replaying falls behind: it is bypassed, and the primary's answer
    // is up to date.
    replay(&admin, true).expect("pause replay on the replica");
    published(&app, &cast, "R-2", 4, "Хороший товар, доставка быстрая").await;
    await_replica(&app, "lagging").await;
    let (r, target) = list(&app).await;
    assert_eq!(target, "primary");
    assert_eq!(count(&r), 2, "{}", r.body);
    let served = tag_version(&r);
    replay(&admin, false).expect("resume replay");
    await_replica(&app, "ok").await;

    // A list's ETag never goes backwards on an instance: with a generous lag limit, a paused
    // replica still counts as healthy, yet it is behind what this instance already served.
    let tolerant = primary
        .respawn_with(&[
            ("DATABASE_REPLICA_URL", replica_url.as_str()),
            ("REPLICA_MAX_LAG_MS", "600000"),
        ])
        .await;
    await_replica(&tolerant, "ok").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (r, target) = list(&tolerant).await;
        if target == "replica" && tag_version(&r) >= served {
            break;
        }
        assert!(Instant::now() < deadline, "replica never caught up");
        sleep(100).await;
    }
    replay(&admin, true).expect("pause replay on the replica");
    published(&tolerant, &cast, "R-3", 3, "Нормально, но упаковка помята").await;
    // The next read finds the replica down for a moment (as after a failed read) and is
    // answered by the primary: this instance has now served the newest version.
    tolerant.state.replica.as_ref().unwrap().mark_down();
    let (newest, target) = list(&tolerant).await;
    assert_eq!(target, "primary");
    assert_eq!(count(&newest), 3);
    await_replica(&tolerant, "ok").await;
    let (again, target) = list(&tolerant).await;
    assert!(
        tag_version(&again) >= tag_version(&newest),
        "the ETag went backwards: {} after {}",
        tag_version(&again),
        tag_version(&newest)
    );
    assert_eq!(count(&again), 3, "{}", again.body);
    assert_eq!(target, "primary", "the stale replica answer was read again");
    // Nor across instances: one that never served this list still does not answer a caller
    // holding the newest tag with an older page from the paused replica.
    let other = primary
        .respawn_with(&[
            ("DATABASE_REPLICA_URL", replica_url.as_str()),
            ("REPLICA_MAX_LAG_MS", "600000"),
        ])
        .await;
    await_replica(&other, "ok").await;
    let tag = newest.headers.get(header::ETAG).unwrap().clone();
    let before = reads(&other).await;
    let revalidated = other
        .send(
            actix_web::test::TestRequest::get()
                .uri(LIST)
                .insert_header((header::IF_NONE_MATCH, tag)),
        )
        .await;
    assert_eq!(revalidated.status, 304, "{}", revalidated.body);
    let after = reads(&other).await;
    assert_eq!(after.0 - before.0, 1, "answered by the primary");
    drop(other);
    replay(&admin, false).expect("resume replay");
    drop(tolerant);

    // A stopped replica: public reads keep answering, each without waiting the pool timeout
    // (3 s here) for it, and /ready says so; after a restart the replica answers again.
    replica_script("stop");
    for _ in 0..5 {
        let started = Instant::now();
        let (r, target) = list(&app).await;
        assert_eq!(target, "primary");
        assert_eq!(count(&r), 2 + 1, "{}", r.body);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "a read waited {:?} for a stopped replica",
            started.elapsed()
        );
    }
    await_replica(&app, "down").await;
    let (r, target) = list(&app).await;
    assert_eq!((r.status.as_u16(), target), (200, "primary"));
    replica_script("start");
    await_replica(&app, "ok").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (r, target) = list(&app).await;
        if target == "replica" {
            assert_eq!(count(&r), 3, "{}", r.body);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the replica never answered again"
        );
        sleep(100).await;
    }
    // The lag is exported as a gauge.
    let m = String::from_utf8(app.get("/metrics", None).await.bytes).unwrap();
    assert!(m.contains("aftersale_replica_lag_seconds"), "{m}");
}
