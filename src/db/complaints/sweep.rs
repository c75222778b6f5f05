//! The complaint sweep: deadlines missed, recorded once, and what follows them.
use super::*;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ComplaintSweep {
    /// Deadlines found missed for the first time (each a breach row and a timeline event).
    pub breaches: usize,
    /// Seller cases handed to the moderators because the seller stayed silent.
    pub escalated: usize,
    /// Resolutions nobody appealed within the window, now closed.
    pub closed: usize,
}

/// Records missed deadlines, escalates seller silence and closes unappealed resolutions, as of
/// `now`. Each case is its own transaction; repeating a pass changes nothing.
pub fn sweep(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<ComplaintSweep, DbError> {
    let at = to_db(now);
    let mut ids: Vec<String> = c::table
        .filter(c::status.eq_any(open_statuses()))
        .filter(c::due_at.lt(at))
        .select(c::id)
        .load(conn)?;
    let unappealed: Vec<String> = c::table
        .filter(c::status.eq(Status::Resolved.as_str()))
        .filter(c::appeal_until.lt(at))
        .select(c::id)
        .load(conn)?;
    ids.extend(unappealed);
    let mut report = ComplaintSweep::default();
    for id in ids {
        write_tx(conn, |conn| sweep_one(conn, &id, now, &mut report))?;
    }
    Ok(report)
}

pub(crate) fn sweep_one(
    conn: &mut DbConnection,
    id: &str,
    now: DateTime<Utc>,
    report: &mut ComplaintSweep,
) -> Result<(), DbError> {
    let row = lock(conn, id)?;
    let case = row.case();
    for (sla, due) in case.breaches(now) {
        if record_breach(conn, &row, sla, due, now)? {
            report.breaches += 1;
        }
    }
    let changed = if let Some(next) = rules::escalate_for_silence(&case, now) {
        report.escalated += 1;
        Some((
            next,
            ComplaintStep::Escalated {
                reason: "seller_silence".into(),
            },
        ))
    } else if let Some(next) = rules::close_unappealed(&case, now) {
        report.closed += 1;
        Some((
            next,
            ComplaintStep::Closed {
                reason: "appeal_window_passed".into(),
            },
        ))
    } else {
        None
    };
    if let Some((next, step)) = changed {
        let stored = store_case(conn, &row.id, &next, now)?;
        let recorded = CaseStep::with(step, Change::moved(case.status, next.status));
        events::record(
            conn,
            Subject::Complaint(&stored),
            &Event {
                actor: None,
                audience: Audience::Public,
                step: Payload::Complaint(&recorded),
            },
            now,
        )?;
    }
    Ok(())
}

/// One breach per (case, deadline, due instant): a later deadline can be missed again.
pub(crate) fn record_breach(
    conn: &mut DbConnection,
    row: &ComplaintRow,
    sla: Sla,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let seen: i64 = cb::table
        .filter(cb::complaint_id.eq(&row.id))
        .filter(cb::sla.eq(sla.as_str()))
        .filter(cb::due_at.eq(to_db(due)))
        .count()
        .get_result(conn)?;
    if seen > 0 {
        return Ok(false);
    }
    diesel::insert_into(cb::table)
        .values((
            cb::id.eq(new_id()),
            cb::complaint_id.eq(&row.id),
            cb::sla.eq(sla.as_str()),
            cb::due_at.eq(to_db(due)),
            cb::recorded_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    let recorded = CaseStep::new(ComplaintStep::SlaBreached {
        sla,
        due_at: due,
        status: row.status,
    });
    events::record(
        conn,
        Subject::Complaint(row),
        &Event {
            actor: None,
            audience: Audience::Public,
            step: Payload::Complaint(&recorded),
        },
        now,
    )?;
    Ok(true)
}
