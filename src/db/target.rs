//! `DATABASE_URL`: which backend, and what its driver is given.
//!
//! PostgreSQL on loopback is reached without TLS unless the URL (or `PGSSLMODE`) says
//! otherwise. libpq's default `sslmode=prefer` encrypts even a connection that never leaves
//! the host: measured on the benchmark, TLS 1.3 on every backend was 8 % of the machine's CPU
//! and turning it off gave +17–38 % req/s. Encryption on loopback protects nothing the host's
//! own users could not read anyway. Any other host keeps libpq's default, and an explicit
//! `sslmode` is always kept as written.
use super::DbError;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A parsed `DATABASE_URL`.
#[derive(Debug, Clone)]
pub struct DbTarget {
    pub backend: Backend,
    /// What the driver receives: the URL for PostgreSQL, a file path for SQLite.
    pub address: String,
}

impl DbTarget {
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let tls_chosen = std::env::var_os("PGSSLMODE").is_some();
            Ok(DbTarget {
                backend: Backend::Postgres,
                address: without_tls_on_loopback(url, tls_chosen),
            })
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() || path == ":memory:" {
                // Each pooled connection would get its own empty in-memory database.
                return Err(DbError::Other(
                    "sqlite needs a file path: sqlite://path/to/file.db".into(),
                ));
            }
            Ok(DbTarget {
                backend: Backend::Sqlite,
                address: path.to_string(),
            })
        } else {
            Err(DbError::Other(format!(
                "unsupported DATABASE_URL scheme (use postgres:// or sqlite://): {}",
                url.split("://").next().unwrap_or("")
            )))
        }
    }
}

/// The URL with `sslmode=disable` added when it names a loopback host and nobody chose a
/// mode (`tls_chosen`: `PGSSLMODE` is set). A URL that does not parse is left to libpq.
fn without_tls_on_loopback(url: &str, tls_chosen: bool) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_string();
    };
    let query_host = parsed
        .query_pairs()
        .find(|(k, _)| k == "host")
        .map(|(_, v)| v.into_owned());
    let chosen = tls_chosen || parsed.query_pairs().any(|(k, _)| k == "sslmode");
    // A Unix socket (`?host=/run/postgresql`) is not loopback here: libpq uses no TLS there.
    let loopback = match query_host.as_deref() {
        Some(host) => is_loopback(host),
        None => parsed.host_str().is_some_and(is_loopback),
    };
    if chosen || !loopback {
        return url.to_string();
    }
    parsed.query_pairs_mut().append_pair("sslmode", "disable");
    parsed.to_string()
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::without_tls_on_loopback as rule;

    #[test]
    fn loopback_hosts_go_without_tls() {
        assert_eq!(
            rule("postgres://postgres@127.0.0.1:5432/shop", false),
            "postgres://postgres@127.0.0.1:5432/shop?sslmode=disable"
        );
        assert_eq!(
            rule("postgres://u:p@localhost/shop?application_name=x", false),
            "postgres://u:p@localhost/shop?application_name=x&sslmode=disable"
        );
        assert_eq!(
            rule("postgresql://u@[::1]:5432/shop", false),
            "postgresql://u@[::1]:5432/shop?sslmode=disable"
        );
    }

    #[test]
    fn other_hosts_and_chosen_modes_are_left_alone() {
        for url in [
            "postgres://u:p@db.internal:5432/shop",
            "postgres://u:p@10.0.0.5/shop",
            "postgres://u@127.0.0.1/shop?sslmode=require",
            "postgres://u@127.0.0.1/shop?sslmode=verify-full",
            "postgres://u@127.0.0.1/shop?host=db.internal",
        ] {
            assert_eq!(rule(url, false), url);
        }
        // PGSSLMODE in the environment is a choice too.
        assert_eq!(
            rule("postgres://u@127.0.0.1/shop", true),
            "postgres://u@127.0.0.1/shop"
        );
    }
}
