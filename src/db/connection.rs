//! The connection type over both backends. Kept alone in its module because the derive
//! generates sibling items (the `MultiBackend` and friends) next to it.
use diesel::{PgConnection, SqliteConnection};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::Integer;

    #[derive(QueryableByName)]
    struct Used {
        #[diesel(sql_type = Integer)]
        used: i32,
    }

    /// `.cargo/config.toml` builds the bundled SQLite with query-planner stability (without
    /// it every cached statement with a bound `LIMIT` is recompiled on each call), without
    /// the global memory-statistics mutex every allocation took, and in multi-thread mode
    /// (no mutex per connection: diesel never shares a connection between threads), and
    /// without memory management (one page cache per connection, not one shared behind a
    /// mutex), and with statement journals kept in memory (not a temporary file per write
    /// transaction).
    #[test]
    fn sqlite_is_built_with_the_flags_the_service_needs() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        for option in [
            "ENABLE_QPSG",
            "DEFAULT_MEMSTATUS=0",
            "THREADSAFE=2",
            "STMTJRNL_SPILL=-1",
        ] {
            let row: Used = diesel::sql_query(format!(
                "SELECT sqlite_compileoption_used('{option}') AS used"
            ))
            .get_result(&mut conn)
            .unwrap();
            assert_eq!(row.used, 1, "SQLite was built without SQLITE_{option}");
        }
        let row: Used = diesel::sql_query(
            "SELECT sqlite_compileoption_used('ENABLE_MEMORY_MANAGEMENT') AS used",
        )
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(
            row.used, 0,
            "SQLite was built with SQLITE_ENABLE_MEMORY_MANAGEMENT"
        );
    }
}
