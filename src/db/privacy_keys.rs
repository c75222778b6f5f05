//! The server's privacy key (`domain::privacy::BuyerRefs`): random, made once per database
//! and shared by every instance. Made on first need with `INSERT … ON CONFLICT DO NOTHING`
//! then read, so instances starting together agree on the one key the first insert wrote.
use super::schema::privacy_keys as pk;
use super::{to_db, DbConnection, DbError};
use crate::domain::privacy::BuyerRefs;
use diesel::prelude::*;
use rand::RngCore;

const BUYER_REF: &str = "buyer_ref";

fn read(conn: &mut DbConnection) -> Result<Option<String>, DbError> {
    Ok(pk::table
        .find(BUYER_REF)
        .select(pk::secret)
        .first(conn)
        .optional()?)
}

/// The key of the buyer references, made now if this database has none.
pub fn buyer_refs(conn: &mut DbConnection) -> Result<BuyerRefs, DbError> {
    let secret = match read(conn)? {
        Some(secret) => secret,
        None => {
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            let now = to_db(chrono::Utc::now());
            let row = (
                pk::name.eq(BUYER_REF),
                pk::secret.eq(hex::encode(key)),
                pk::created_at.eq(now),
            );
            crate::on_backend!(&mut *conn, |c| diesel::insert_into(pk::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c))?;
            // Another instance may have won the insert: its key is the one.
            read(conn)?.ok_or_else(|| DbError::Other("privacy key not stored".into()))?
        }
    };
    let key: [u8; 32] = hex::decode(&secret)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| DbError::Other("privacy key is not 32 hex bytes".into()))?;
    Ok(BuyerRefs::new(key))
}
