//! Statements of fixed text that stay prepared.
//!
//! diesel prepares an `UPDATE`, an upsert (`ON CONFLICT … DO UPDATE`) and every `sql_query`
//! again on each call: it cannot know that their text is the same every time, so it never
//! puts them in its statement cache. On SQLite, where a statement costs no round trip, that
//! parsing and planning is most of a short write's cost; the filing's three statements of
//! that kind were 5 % of it. A `Fixed` statement is keyed in the cache by its text and bind
//! types like any cacheable query, so it is prepared once per connection.
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Integer, Text};
use diesel::{QueryResult, RunQueryDsl};
use std::marker::PhantomData;

/// One bound value.
#[derive(Debug, Clone, Copy)]
pub enum Bind<'a> {
    Text(&'a str),
    Int(i32),
}

/// A statement of fixed text with a `?` where each bind goes (on PostgreSQL it becomes
/// `$n`), and its binds in order; the text has no other `?`. `ST` is the SQL type of the
/// rows it returns, `()` when it returns none.
pub struct Fixed<'a, ST = ()> {
    sql: &'static str,
    binds: &'a [Bind<'a>],
    rows: PhantomData<ST>,
}

/// A statement that returns no rows, run with `.execute`.
pub fn statement<'a>(sql: &'static str, binds: &'a [Bind<'a>]) -> Fixed<'a> {
    Fixed {
        sql,
        binds,
        rows: PhantomData,
    }
}

/// A statement that returns rows of `ST`, read with `.get_result` or `.load`.
pub fn query<'a, ST>(sql: &'static str, binds: &'a [Bind<'a>]) -> Fixed<'a, ST> {
    Fixed {
        sql,
        binds,
        rows: PhantomData,
    }
}

impl<ST> QueryId for Fixed<'_, ST> {
    // Not static: one Rust type holds many texts, so diesel keys its cache by the text.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST: 'static> Query for Fixed<'_, ST> {
    type SqlType = ST;
}

impl<ST, C> RunQueryDsl<C> for Fixed<'_, ST> {}

impl<ST, DB> QueryFragment<DB> for Fixed<'_, ST>
where
    DB: Backend + HasSqlType<Text> + HasSqlType<Integer>,
    str: ToSql<Text, DB>,
    i32: ToSql<Integer, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // Each `?` is replaced by the backend's own placeholder as its bind is pushed.
        let mut binds = self.binds.iter();
        for (i, piece) in self.sql.split('?').enumerate() {
            if i > 0 {
                match binds.next() {
                    Some(Bind::Text(s)) => out.push_bind_param::<Text, str>(s)?,
                    Some(Bind::Int(n)) => out.push_bind_param::<Integer, i32>(n)?,
                    None => return Err(placeholders(self.sql, self.binds.len())),
                }
            }
            out.push_sql(piece);
        }
        match binds.next() {
            Some(_) => Err(placeholders(self.sql, self.binds.len())),
            None => Ok(()),
        }
    }
}

fn placeholders(sql: &str, binds: usize) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("{binds} binds for the placeholders of {sql}").into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_question_mark_takes_the_next_bind_in_the_backends_own_form() {
        let binds = [Bind::Text("C"), Bind::Int(2026)];
        let q = statement("UPDATE t SET a = ? WHERE b = ?", &binds);
        let pg = diesel::debug_query::<diesel::pg::Pg, _>(&q).to_string();
        assert!(
            pg.starts_with("UPDATE t SET a = $1 WHERE b = $2 -- binds: "),
            "{pg}"
        );
        let lite = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&q).to_string();
        assert!(
            lite.starts_with("UPDATE t SET a = ? WHERE b = ? -- binds: "),
            "{lite}"
        );
    }

    #[test]
    fn a_bind_missing_or_left_over_is_an_error_not_a_statement() {
        use diesel::query_builder::QueryBuilder;
        let render = |sql: &'static str, binds: &[Bind<'_>]| {
            let mut out = diesel::sqlite::SqliteQueryBuilder::new();
            QueryFragment::<diesel::sqlite::Sqlite>::to_sql(
                &statement(sql, binds),
                &mut out,
                &diesel::sqlite::Sqlite,
            )
            .map(|_| out.finish())
        };
        assert!(render("UPDATE t SET a = ? WHERE b = ?", &[Bind::Int(1)]).is_err());
        assert!(render("UPDATE t SET a = ?", &[Bind::Int(1), Bind::Int(2)]).is_err());
        assert_eq!(
            render("UPDATE t SET a = ?", &[Bind::Int(1)]).unwrap(),
            "UPDATE t SET a = ?"
        );
    }
}
