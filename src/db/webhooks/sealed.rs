//! `aftersale reseal-webhook-secrets`: every stored endpoint secret sealed under the current
//! key, so that the keys of before a rotation can be removed.
use super::we;
use crate::db::{DbConnection, DbError};
use crate::sealing::{Resealed, Sealer};
use diesel::prelude::*;

#[derive(Debug, Default, PartialEq, serde::Serialize)]
pub struct ResealReport {
    /// Endpoints whose secrets were sealed under an older key and now are under the current.
    pub resealed: usize,
    /// Endpoints already wholly under the current key.
    pub current: usize,
    /// Endpoints with a secret no configured key opens (left as they are).
    pub unreadable: Vec<String>,
    /// Endpoints whose secret changed meanwhile (rotated by their seller): already current.
    pub changed_meanwhile: usize,
}

pub fn reseal_all(conn: &mut DbConnection, sealer: &Sealer) -> Result<ResealReport, DbError> {
    let rows: Vec<(String, String, Option<String>)> = we::table
        .select((we::id, we::secret, we::previous_secret))
        .order(we::id.asc())
        .load(conn)?;
    let mut report = ResealReport::default();
    for (id, secret, previous) in rows {
        let new_secret = sealer.reseal(&secret);
        let new_previous = previous.as_deref().map(|p| sealer.reseal(p));
        if new_secret == Resealed::Unreadable || new_previous == Some(Resealed::Unreadable) {
            report.unreadable.push(id);
            continue;
        }
        let pick = |old: &str, r: Resealed| match r {
            Resealed::Resealed(new) => new,
            _ => old.to_string(),
        };
        let changed = matches!(new_secret, Resealed::Resealed(_))
            || matches!(new_previous, Some(Resealed::Resealed(_)));
        if !changed {
            report.current += 1;
            continue;
        }
        let secret_now = pick(&secret, new_secret);
        let previous_now = previous
            .as_deref()
            .zip(new_previous)
            .map(|(old, r)| pick(old, r));
        // Compare-and-set: a secret its seller rotated meanwhile is sealed under the current
        // key already, and must not be overwritten with the one read above.
        let this = we::table.find(&id).filter(we::secret.eq(&secret));
        let values = (
            we::secret.eq(&secret_now),
            we::previous_secret.eq(&previous_now),
        );
        let updated = match previous.as_deref() {
            Some(p) => diesel::update(this.filter(we::previous_secret.eq(p)))
                .set(values)
                .execute(conn)?,
            None => diesel::update(this.filter(we::previous_secret.is_null()))
                .set(values)
                .execute(conn)?,
        };
        if updated == 1 {
            report.resealed += 1;
        } else {
            report.changed_meanwhile += 1;
        }
    }
    Ok(report)
}
