//! A PostgreSQL database named in `DATABASE_URL` that does not exist yet is created, so that
//! `serve` and `migrate` work on a fresh server. The check goes through the server's
//! maintenance database (`postgres`); where that connection is refused (no rights), nothing
//! is done and the usual connection error reports the missing database.
use diesel::prelude::*;
use diesel::sql_types::Text;

/// The URL with its database replaced by `postgres`, and the database's name.
fn maintenance(url: &str) -> Option<(String, String)> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let (server, name) = base.rsplit_once('/')?;
    if name.is_empty() || !server.contains("//") || server.ends_with('/') {
        return None;
    }
    let mut admin = format!("{server}/postgres");
    if let Some(q) = query {
        admin.push('?');
        admin.push_str(q);
    }
    Some((admin, name.to_string()))
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    found: bool,
}

/// Creates the database when it is missing; true when it did.
pub fn create_if_missing(url: &str) -> Result<bool, String> {
    let Some((admin_url, name)) = maintenance(url) else {
        return Ok(false);
    };
    if name == "postgres" {
        return Ok(false);
    }
    let Ok(mut admin) = PgConnection::establish(&admin_url) else {
        return Ok(false);
    };
    let exists: Found =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS found")
            .bind::<Text, _>(&name)
            .get_result(&mut admin)
            .map_err(|e| e.to_string())?;
    if exists.found {
        return Ok(false);
    }
    // An identifier cannot be bound; double the quotes inside it.
    let quoted = name.replace('"', "\"\"");
    match diesel::sql_query(format!("CREATE DATABASE \"{quoted}\"")).execute(&mut admin) {
        Ok(_) => Ok(true),
        // Another instance created it in the meantime.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(format!("cannot create database {name}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::maintenance;

    #[test]
    fn the_maintenance_url_keeps_server_and_options() {
        assert_eq!(
            maintenance("postgres://postgres@127.0.0.1:5432/aftersale"),
            Some((
                "postgres://postgres@127.0.0.1:5432/postgres".into(),
                "aftersale".into()
            ))
        );
        assert_eq!(
            maintenance("postgres://u:p@db/shop?sslmode=disable"),
            Some((
                "postgres://u:p@db/postgres?sslmode=disable".into(),
                "shop".into()
            ))
        );
        assert_eq!(maintenance("postgres://host"), None);
    }
}
