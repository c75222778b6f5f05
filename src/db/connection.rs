//! The connection type over both backends. Kept alone in its module because the derive
//! generates sibling items (the `MultiBackend` and friends) next to it.
use diesel::{PgConnection, SqliteConnection};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}
