//! The page of a public review list as one fragment that writes its text from a few fixed
//! pieces.
//!
//! Built as a boxed diesel query, its SQL text was rebuilt on every call (60 quoted,
//! escaped identifiers) only to find the statement diesel had already prepared: 9 % of the
//! service's CPU on SQLite's busiest public read. Here the select list is taken once from
//! diesel's own rendering of the same select (so it cannot drift from `ReviewRow`), and each
//! call appends the conditions its filters need. The text is still the statement cache's
//! key, so every shape of the query (sort, filters, cursor) is prepared once per connection.
use super::*;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{Bool, HasSqlType, Integer, Timestamp};
use std::sync::LazyLock;

/// `SELECT <every reviews column, in ReviewRow's order>, users.full_name FROM reviews JOIN
/// users`, as diesel renders it, with the identifier quotes removed: none of these names
/// needs them, and unquoted they read the same on both backends.
static SELECT: LazyLock<String> = LazyLock::new(|| {
    let select = r::table
        .inner_join(users::table)
        .select((r::all_columns, users::full_name));
    let text = diesel::debug_query::<diesel::pg::Pg, _>(&select).to_string();
    let text = text.split(" -- binds:").next().unwrap_or_default();
    text.replace('"', "")
});

pub struct PublicList<'a> {
    pub subject: ReviewSubject<'a>,
    pub filter: &'a PublicFilter,
    pub cursor: Option<Cursor>,
    pub limit: i64,
}

/// A cursor with its instant in the database's form.
pub struct Cursor {
    pub rank: i32,
    pub at: NaiveDateTime,
    pub id: String,
}

impl QueryId for PublicList<'_> {
    // Not static: the text varies with the filters, so diesel keys its cache by the text.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for PublicList<'_> {
    type SqlType = (r::SqlType, Text);
}

impl<C> RunQueryDsl<C> for PublicList<'_> {}

impl<DB> QueryFragment<DB> for PublicList<'_>
where
    DB: Backend + HasSqlType<Bool> + HasSqlType<Timestamp> + HasSqlType<Integer>,
    str: ToSql<Text, DB>,
    String: ToSql<Text, DB>,
    bool: ToSql<Bool, DB>,
    i32: ToSql<Integer, DB>,
    i64: ToSql<BigInt, DB>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(&SELECT);
        out.push_sql(" WHERE reviews.status = ");
        out.push_bind_param::<Text, str>(ReviewStatus::Published.as_str())?;
        out.push_sql(" AND reviews.hidden = ");
        out.push_bind_param::<Bool, bool>(&false)?;
        let (column, id) = match self.subject {
            ReviewSubject::Product(id) => (" AND reviews.product_id = ", id),
            ReviewSubject::Shop(id) => (" AND reviews.shop_id = ", id),
        };
        out.push_sql(column);
        out.push_bind_param::<Text, str>(id)?;
        if let Some(rating) = &self.filter.rating {
            out.push_sql(" AND reviews.rating = ");
            out.push_bind_param::<Integer, i32>(rating)?;
        }
        if let Some(media) = &self.filter.with_media {
            out.push_sql(" AND reviews.has_media = ");
            out.push_bind_param::<Bool, bool>(media)?;
        }
        if let Some(cur) = &self.cursor {
            // After the cursor in the requested order: a lower (or higher) rating, or the same
            // rating and older, or as old and a lower id.
            let rank_step = match self.filter.sort {
                ReviewSort::Newest => None,
                ReviewSort::Highest => Some(" < "),
                ReviewSort::Lowest => Some(" > "),
            };
            out.push_sql(" AND (");
            if let Some(step) = rank_step {
                out.push_sql("reviews.rating");
                out.push_sql(step);
                out.push_bind_param::<Integer, i32>(&cur.rank)?;
                out.push_sql(" OR (reviews.rating = ");
                out.push_bind_param::<Integer, i32>(&cur.rank)?;
                out.push_sql(" AND (");
            }
            out.push_sql("reviews.created_at < ");
            out.push_bind_param::<Timestamp, NaiveDateTime>(&cur.at)?;
            out.push_sql(" OR (reviews.created_at = ");
            out.push_bind_param::<Timestamp, NaiveDateTime>(&cur.at)?;
            out.push_sql(" AND reviews.id < ");
            out.push_bind_param::<Text, String>(&cur.id)?;
            out.push_sql("))");
            if rank_step.is_some() {
                out.push_sql("))");
            }
        }
        out.push_sql(match self.filter.sort {
            ReviewSort::Newest => " ORDER BY reviews.created_at DESC, reviews.id DESC",
            ReviewSort::Highest => {
                " ORDER BY reviews.rating DESC, reviews.created_at DESC, reviews.id DESC"
            }
            ReviewSort::Lowest => {
                " ORDER BY reviews.rating ASC, reviews.created_at DESC, reviews.id DESC"
            }
        });
        out.push_sql(" LIMIT ");
        out.push_bind_param::<BigInt, i64>(&self.limit)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_select_list_is_every_review_column_then_the_authors_name() {
        let columns = SELECT
            .strip_prefix("SELECT ")
            .and_then(|s| s.split(" FROM ").next())
            .unwrap();
        let names: Vec<&str> = columns.split(", ").collect();
        assert_eq!(names.len(), 30);
        assert_eq!(names[0], "reviews.id");
        assert_eq!(names[28], "reviews.deleted_at");
        assert_eq!(names[29], "users.full_name");
        assert!(
            SELECT.ends_with(" FROM (reviews INNER JOIN users ON (reviews.author_id = users.id))")
        );
    }
}
