//! Persistence: one code path over PostgreSQL and SQLite (diesel MultiConnection), the
//! backend chosen by the URL scheme; an r2d2 pool; embedded migrations run at start.
pub mod attachments;
pub mod complaints;
pub mod connection;
pub mod create;
pub mod delivery_failures;
pub mod disputes;
pub mod error;
pub mod events;
pub mod fixed;
pub mod idempotency;
pub mod login_failures;
pub mod messages;
pub mod moderation;
pub mod notifications;
pub mod numbering;
pub mod orders;
pub mod privacy_keys;
pub mod replica;
pub mod returns;
pub mod reviews;
pub mod schema;
pub mod service_tokens;
pub mod stats;
pub mod text_columns;
pub mod threads;
pub mod tokens;
pub mod users;
pub mod webhooks;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use connection::DbConnection;
pub use error::{is_unique_violation, unique_means, DbError};

/// Runs one diesel query body on the concrete connection inside the enum. The query is the
/// same code for both backends; dispatching statically lets diesel use its per-type prepared
/// statement cache instead of re-serialising the query through the MultiConnection wrapper
/// on every call (measured: that wrapper's AST walk and SQL rewriting cost ~5% of a request on
/// the hottest read paths). Use it where a query is on a hot path; elsewhere the plain
/// `&mut DbConnection` is simpler.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgresql($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}

/// The first row of a query, locked for the rest of the transaction on PostgreSQL
/// (`FOR UPDATE`); a plain read on SQLite, whose `BEGIN IMMEDIATE` (see `write_tx`) already
/// serialises writers. Evaluates to `QueryResult<Option<Row>>`.
#[macro_export]
macro_rules! first_for_update {
    ($conn:expr, $query:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgresql(c) => $query.for_update().first(c).optional(),
            $crate::db::DbConnection::Sqlite(c) => $query.first(c).optional(),
        }
    };
}

pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

mod target;
pub use target::{Backend, DbTarget};

/// A pooled connection that remembers when it was last returned and whether it broke,
/// so the pool pings only connections that sat idle (see `Manager::is_valid`).
pub struct PooledDb {
    conn: DbConnection,
    returned_at: Instant,
    broken: bool,
}

impl PooledDb {
    pub fn mark_broken(&mut self) {
        self.broken = true;
    }
}

impl Deref for PooledDb {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl DerefMut for PooledDb {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(String);

/// Opens connections for the backend the URL names. The derived `establish` of the
/// MultiConnection would try each backend and hide the real error.
pub struct Manager {
    target: DbTarget,
    reach: Arc<Reach>,
}

/// What the pool learnt of the database from its last attempt to connect. While the last
/// attempt failed, checkouts give up at once instead of waiting the whole pool timeout, so
/// requests during an outage answer 503 in a fraction of a second; the first connection that
/// opens again clears it.
#[derive(Debug, Default)]
pub struct Reach {
    down: AtomicBool,
}

impl Reach {
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }
}

/// A connection that was used less than this long ago is trusted without a ping.
const TRUST_RECENT: Duration = Duration::from_secs(2);

impl r2d2::ManageConnection for Manager {
    type Connection = PooledDb;
    type Error = ConnectError;

    fn connect(&self) -> Result<PooledDb, ConnectError> {
        let opened = open(&self.target);
        self.reach.down.store(opened.is_err(), Ordering::Relaxed);
        let conn = opened.map_err(|e| ConnectError(e.to_string()))?;
        Ok(PooledDb {
            conn,
            returned_at: Instant::now(),
            broken: false,
        })
    }

    fn is_valid(&self, conn: &mut PooledDb) -> Result<(), ConnectError> {
        if conn.returned_at.elapsed() < TRUST_RECENT {
            return Ok(());
        }
        diesel::sql_query("SELECT 1")
            .execute(&mut conn.conn)
            .map(|_| ())
            .map_err(|e| ConnectError(e.to_string()))
    }

    /// A connection comes back broken when it failed, or when it still has a transaction open
    /// (a request that held a claim and never finished): closing it rolls that back.
    fn has_broken(&self, conn: &mut PooledDb) -> bool {
        conn.returned_at = Instant::now();
        conn.broken
            || std::thread::panicking()
            || !matches!(transaction_depth(&mut conn.conn), Ok(0))
    }
}

fn open(target: &DbTarget) -> Result<DbConnection, DbError> {
    match target.backend {
        Backend::Postgres => PgConnection::establish(&target.address)
            .map(DbConnection::Postgresql)
            .map_err(|e| DbError::Unavailable(e.to_string())),
        Backend::Sqlite => {
            let mut conn = SqliteConnection::establish(&target.address)
                .map_err(|e| DbError::Unavailable(e.to_string()))?;
            // One statement each; busy_timeout first so the others wait instead of failing.
            for pragma in [
                "PRAGMA busy_timeout = 10000",
                "PRAGMA synchronous = NORMAL",
                "PRAGMA foreign_keys = ON",
            ] {
                diesel::sql_query(pragma).execute(&mut conn)?;
            }
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type Conn = r2d2::PooledConnection<Manager>;

#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    pub backend: Backend,
    reach: Arc<Reach>,
    timeout: Duration,
}

/// How long one slice of a checkout waits before it looks at `Reach` again.
const SLICE: Duration = Duration::from_millis(100);

impl Db {
    /// Builds the pool. It does not wait for the database: a service started while the
    /// database is down answers 503 until it comes back.
    pub fn connect(url: &str, size: u32, timeout: Duration) -> Result<Db, DbError> {
        let target = DbTarget::parse(url)?;
        if target.backend == Backend::Sqlite {
            prepare_sqlite_file(&target)?;
        }
        let backend = target.backend;
        let reach = Arc::new(Reach::default());
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(0))
            .connection_timeout(timeout)
            .test_on_check_out(true)
            // PostgreSQL keeps a prepared statement's generic plan for the connection's life;
            // one made while a table was nearly empty (a sequential scan) stays after the table
            // has grown unless statistics change (autovacuum's ANALYZE invalidates it). Replacing
            // connections every 10 minutes bounds how long a stale plan can live even without
            // ANALYZE: a new plan is sized from the table as it is on disk.
            .max_lifetime(Some(Duration::from_secs(600)))
            .build_unchecked(Manager {
                target,
                reach: reach.clone(),
            });
        Ok(Db {
            pool,
            backend,
            reach,
            timeout,
        })
    }

    /// A pooled connection. A busy pool is waited for up to the pool timeout; a database the
    /// pool could not reach on its last attempt fails the checkout within a slice (100 ms).
    pub fn get(&self) -> Result<Conn, DbError> {
        self.get_within(self.timeout)
    }

    pub fn get_within(&self, limit: Duration) -> Result<Conn, DbError> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .pool
                .get_timeout(SLICE.min(left).max(Duration::from_millis(1)))
            {
                Ok(conn) => return Ok(conn),
                Err(e) if self.reach.is_down() || Instant::now() >= deadline => {
                    return Err(DbError::Unavailable(e.to_string()))
                }
                Err(_) => continue,
            }
        }
    }

    /// Whether the pool's last attempt to connect failed.
    pub fn is_down(&self) -> bool {
        self.reach.is_down()
    }

    /// Runs `f` with a pooled connection; a connection that failed at the transport level
    /// is dropped from the pool instead of being handed out again.
    pub fn run<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        self.run_within(self.timeout, f)
    }

    /// `run` for work that queued for its turn (`db::threads`) since `queued`: the pool timeout
    /// counts from then, so under overload a request answers 503 after the same wait as one
    /// that waited in the pool's checkout, instead of running arbitrarily late.
    pub fn run_queued<T>(
        &self,
        queued: Instant,
        f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let left = (queued + self.timeout).saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(DbError::Unavailable(
                "no database thread free within the pool timeout".into(),
            ));
        }
        self.run_within(left, f)
    }

    /// `run`, waiting at most `limit` for a connection.
    pub fn run_within<T>(
        &self,
        limit: Duration,
        f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut conn = self.get_within(limit)?;
        let result = f(&mut conn);
        if matches!(result, Err(DbError::Unavailable(_))) {
            conn.mark_broken();
        }
        result
    }

    /// Runs the pending migrations, then makes the server's privacy key if it has none yet.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        self.run(|c| {
            let applied = run_migrations(c)?;
            privacy_keys::buyer_refs(c)?;
            // The service runs with the default policy (`startup`): its reply targets are
            // what the stats views count against.
            stats::targets::sync(c, &crate::policy::Policy::default())?;
            Ok(applied)
        })
    }

    /// Whether the database is a PostgreSQL with autovacuum off (see `main`'s warning).
    pub fn autovacuum_off(&self) -> bool {
        #[derive(diesel::QueryableByName)]
        struct Setting {
            #[diesel(sql_type = diesel::sql_types::Text)]
            value: String,
        }
        self.backend == Backend::Postgres
            && self
                .run(|c| {
                    Ok(
                        diesel::sql_query("SELECT current_setting('autovacuum') AS value")
                            .get_result::<Setting>(c)?,
                    )
                })
                .is_ok_and(|s| s.value == "off")
    }

    pub fn ping(&self) -> Result<(), DbError> {
        self.run(|c| {
            diesel::sql_query("SELECT 1").execute(c)?;
            Ok(())
        })
    }
}

/// Creates the file's folder and switches it to WAL once, on a single connection,
/// before the pool opens several at the same time.
fn prepare_sqlite_file(target: &DbTarget) -> Result<(), DbError> {
    let path = std::path::Path::new(&target.address);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbError::Other(format!("{}: {e}", dir.display())))?;
    }
    let mut conn = SqliteConnection::establish(&target.address)
        .map_err(|e| DbError::Unavailable(e.to_string()))?;
    diesel::sql_query("PRAGMA busy_timeout = 10000").execute(&mut conn)?;
    diesel::sql_query("PRAGMA journal_mode = WAL").execute(&mut conn)?;
    Ok(())
}

/// Applies the pending migrations. On PostgreSQL several instances start at once: each takes a
/// session advisory lock first, so one migrates while the others wait and then find nothing
/// pending (diesel's harness takes no lock of its own, and two instances applying one migration
/// both fail on its `CREATE TABLE`). SQLite is one process.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    fn names<'a>(
        applied: diesel::migration::Result<Vec<diesel::migration::MigrationVersion<'a>>>,
    ) -> Result<Vec<String>, DbError> {
        let applied = applied.map_err(|e| DbError::Other(format!("migration failed: {e}")))?;
        Ok(applied.iter().map(|v| v.to_string()).collect())
    }
    match conn {
        DbConnection::Postgresql(c) => {
            diesel::sql_query("SELECT pg_advisory_lock($1)")
                .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
                .execute(c)?;
            let applied = names(c.run_pending_migrations(PG_MIGRATIONS));
            diesel::sql_query("SELECT pg_advisory_unlock($1)")
                .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK)
                .execute(c)?;
            applied
        }
        DbConnection::Sqlite(c) => names(c.run_pending_migrations(SQLITE_MIGRATIONS)),
    }
}

/// The advisory lock key of migrations ("aftersal" in ASCII), apart from the sweep's.
const MIGRATION_LOCK: i64 = 0x6166_7465_7273_616c;

/// A write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, taking the write lock
/// up front: a deferred transaction that reads first and writes later can fail with
/// SQLITE_BUSY when another writer got in between, and the busy timeout does not help.
///
/// Inside a request that holds an `Idempotency-Key` claim the transaction is the request's
/// own and commits with its stored response (see `db::idempotency`).
pub fn write_tx<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    if let Some(claim) = idempotency::holds_claim() {
        return idempotency::within_request(conn, &claim, f);
    }
    begin_write(conn)?;
    let result = f(conn);
    end_transaction(conn, result.is_ok())?;
    result
}

/// Opens a top-level write transaction (`BEGIN IMMEDIATE` on SQLite, see `write_tx`).
fn begin_write(conn: &mut DbConnection) -> Result<(), DbError> {
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    Ok(())
}

/// Opens a savepoint inside the open transaction.
fn begin_savepoint(conn: &mut DbConnection) -> Result<(), DbError> {
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction(c)?,
        DbConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    Ok(())
}

/// Commits (or releases) the innermost transaction when `keep`, rolls it back otherwise.
fn end_transaction(conn: &mut DbConnection, keep: bool) -> Result<(), DbError> {
    match (keep, conn) {
        (true, DbConnection::Sqlite(c)) => AnsiTransactionManager::commit_transaction(c)?,
        (true, DbConnection::Postgresql(c)) => AnsiTransactionManager::commit_transaction(c)?,
        (false, DbConnection::Sqlite(c)) => AnsiTransactionManager::rollback_transaction(c)?,
        (false, DbConnection::Postgresql(c)) => AnsiTransactionManager::rollback_transaction(c)?,
    }
    Ok(())
}

/// How many transactions (the top one and its savepoints) are open on the connection.
fn transaction_depth(conn: &mut DbConnection) -> Result<u32, DbError> {
    let depth = match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
        }
        DbConnection::Postgresql(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
        }
    }?;
    Ok(depth.map_or(0, |d| d.get()))
}

/// Instants are stored as UTC without a zone (portable `TIMESTAMP`).
pub fn to_db(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    t.naive_utc()
}

pub fn from_db(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

/// `from_db` of an instant that may be absent.
pub fn from_db_opt(t: Option<chrono::NaiveDateTime>) -> Option<chrono::DateTime<chrono::Utc>> {
    t.map(from_db)
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
