//! Vocabulary columns read as their types: a status, a category, a role is stored as its
//! snake_case text and read straight into the domain's enum. A value outside the vocabulary
//! is an error of the stored data (a 500 with the value in the log), never a silent default.
use super::connection::MultiBackend;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::pg::Pg;
use diesel::sql_types::{SingleValue, Text};
use diesel::sqlite::Sqlite;

macro_rules! text_columns {
    ($($t:ty),* $(,)?) => { $(
        impl FromSql<Text, Pg> for $t {
            fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse(<String as FromSql<Text, Pg>>::from_sql(value)?, <$t>::parse)
            }
        }
        impl FromSql<Text, Sqlite> for $t {
            fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse(<String as FromSql<Text, Sqlite>>::from_sql(value)?, <$t>::parse)
            }
        }
        // What `#[derive(FromSqlRow)]` would write: a single value read through `FromSql`.
        impl<DB: Backend, ST: SingleValue> Queryable<ST, DB> for $t
        where
            $t: FromSql<ST, DB>,
        {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
        impl FromSql<Text, MultiBackend> for $t {
            fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                value.from_sql::<$t, Text>()
            }
        }
    )* };
}

fn parse<T>(text: String, parse: fn(&str) -> Option<T>) -> deserialize::Result<T> {
    parse(&text).ok_or_else(|| {
        format!(
            "`{text}` is not a {}",
            std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("value")
        )
        .into()
    })
}

use crate::domain::{complaints, delivery_failures, orders, returns, reviews, roles};

text_columns!(
    complaints::Target,
    complaints::Category,
    complaints::Status,
    complaints::Track,
    complaints::Audience,
    complaints::Sla,
    returns::Reason,
    returns::Status,
    returns::Sla,
    reviews::ReviewStatus,
    reviews::FlagReason,
    orders::OrderStatus,
    orders::DeliveryType,
    roles::Role,
    delivery_failures::Status,
);

#[cfg(test)]
mod tests {
    use crate::db::DbConnection;
    use crate::domain::reviews::ReviewStatus;
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    fn read(conn: &mut DbConnection, text: &str) -> QueryResult<ReviewStatus> {
        diesel::select(diesel::dsl::sql::<Text>(&format!("'{text}'"))).get_result(conn)
    }

    #[test]
    fn a_stored_word_reads_as_its_variant_and_anything_else_is_an_error() {
        let mut conn = DbConnection::Sqlite(SqliteConnection::establish(":memory:").unwrap());
        assert_eq!(
            read(&mut conn, "published").unwrap(),
            ReviewStatus::Published
        );
        let err = read(&mut conn, "publishd").unwrap_err();
        let cause = std::error::Error::source(&err).map(ToString::to_string);
        assert_eq!(
            cause.as_deref(),
            Some("`publishd` is not a ReviewStatus"),
            "{err:?}"
        );
    }
}
