//! The return sweep: deadlines missed, recorded once, and what follows them.
use super::*;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ReturnSweep {
    /// Deadlines found missed for the first time (a breach row and a timeline event each).
    pub breaches: usize,
    /// Returns handed to the moderators because the seller did not decide in time.
    pub escalated: usize,
}

/// Records missed deadlines and escalates the sellers' silence, as of `now`; each return in its
/// own transaction; repeating a pass changes nothing.
pub fn sweep(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<ReturnSweep, DbError> {
    let ids: Vec<String> = rt::table
        .filter(rt::due_at.lt(to_db(now)))
        .select(rt::id)
        .load(conn)?;
    let mut report = ReturnSweep::default();
    for id in ids {
        write_tx(conn, |conn| {
            let row = lock(conn, &id)?;
            let state = row.state();
            for (sla, due) in state.breaches(now) {
                if record_breach(conn, &row, sla, due, now)? {
                    report.breaches += 1;
                }
            }
            if let Some(next) = rules::escalate_for_silence(&state, now) {
                report.escalated += 1;
                let stored = store(conn, &row.id, &next, now)?;
                let recorded = ReturnStep::with(
                    ReturnStepData::Escalated {
                        reason: "seller_silence".into(),
                    },
                    Change {
                        status: Some(next.status),
                        ..Change::default()
                    },
                );
                record_event(conn, &stored, None, &recorded, now)?;
            }
            Ok(())
        })?;
    }
    Ok(report)
}

/// One breach per (return, deadline, due instant).
pub(crate) fn record_breach(
    conn: &mut DbConnection,
    row: &ReturnRow,
    sla: Sla,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let seen: i64 = rb::table
        .filter(rb::return_id.eq(&row.id))
        .filter(rb::sla.eq(sla.as_str()))
        .filter(rb::due_at.eq(to_db(due)))
        .count()
        .get_result(conn)?;
    if seen > 0 {
        return Ok(false);
    }
    diesel::insert_into(rb::table)
        .values((
            rb::id.eq(new_id()),
            rb::return_id.eq(&row.id),
            rb::sla.eq(sla.as_str()),
            rb::due_at.eq(to_db(due)),
            rb::recorded_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    let recorded = ReturnStep::new(ReturnStepData::SlaBreached {
        sla,
        due_at: due,
        status: row.status,
    });
    record_event(conn, row, None, &recorded, now)?;
    Ok(true)
}
