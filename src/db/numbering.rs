//! Case numbers: per-year series (`C-2026-000001` for complaints, `R-…` for returns).
use super::schema::case_counters as cc;
use super::{DbConnection, DbError};
use crate::domain::numbering::case_number;
use diesel::prelude::*;

/// The next number of a series, gap-free, inside the caller's transaction. One statement
/// (insert the year's counter at 1, or add one to it) so that the first two filings of a year
/// at once cannot both try to create the counter. The counter row stays locked until the
/// transaction ends and every filing of the year waits for it, so callers take the number as
/// their last step before commit.
pub fn next_number(conn: &mut DbConnection, prefix: &str, year: i32) -> Result<String, DbError> {
    let seq: i64 = crate::on_backend!(conn, |c| diesel::insert_into(cc::table)
        .values((
            cc::prefix.eq(prefix),
            cc::year.eq(year),
            cc::last_value.eq(1i64),
        ))
        .on_conflict((cc::prefix, cc::year))
        .do_update()
        .set(cc::last_value.eq(cc::last_value + 1))
        .returning(cc::last_value)
        .get_result(c))?;
    Ok(case_number(prefix, year, seq))
}
