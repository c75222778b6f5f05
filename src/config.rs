//! Typed settings read from the environment, optionally preloaded from a `KEY=VALUE` file
//! named by `AFTERSALE_CONFIG` (variables already set in the environment win).
use std::{collections::HashMap, fmt, path::PathBuf, time::Duration};

/// The development signing secret: public, so anyone can sign any token with it. Production
/// refuses to start with it, and `serve` refuses it on any address but loopback.
pub const DEFAULT_JWT_SECRET: &str = "aftersale-development-secret-change-me-0123456789";

/// A value that must not end up in logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub host: String,
    pub port: u16,
    pub workers: Option<usize>,
    pub database_url: Secret,
    pub pool_size: u32,
    pub pool_timeout: Duration,
    pub jwt_secret: Secret,
    /// `JWT_PREVIOUS_SECRETS` (comma separated): tokens signed with these are still accepted,
    /// and webhook secrets sealed under keys derived from them still open (rotation overlap).
    pub jwt_previous_secrets: Vec<Secret>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub service_token_ttl: Duration,
    pub attachments_dir: PathBuf,
    pub attachment_max_bytes: u64,
    pub json_max_bytes: usize,
    /// How long a request body may take to arrive in full (408 after).
    pub body_timeout: Duration,
    /// How long an unfinished Idempotency-Key claim is kept for its request before a retry may
    /// take it over (a request that wrote nothing and whose process died).
    pub idempotency_lease: Duration,
    pub log_format: LogFormat,
    /// How often `serve` runs the deadline sweep; zero turns it off.
    pub sweep_interval: Duration,
    /// Requests per minute per caller; zero turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Requests per minute per caller to /auth (login, register, refresh).
    pub auth_rate_limit_per_minute: u32,
    /// `WEBHOOKS_ALLOW_PRIVATE=true`: webhook URLs may be `http://` and loopback or private
    /// addresses (development and tests only; never in production).
    pub webhooks_allow_private: bool,
    /// `WEBHOOK_SECRETS_KEY`: base64 of 32 bytes sealing webhook secrets at rest.
    pub webhook_secrets_key: Option<Secret>,
    /// `WEBHOOK_SECRETS_KEY_PREVIOUS` (comma separated): keys that still open webhook secrets
    /// until `aftersale reseal-webhook-secrets` has sealed them all under the current one.
    pub webhook_secrets_key_previous: Vec<Secret>,
    /// How often `serve` looks for due webhook deliveries (`DISPATCH_INTERVAL_MS`; 0: never).
    pub dispatch_interval: Duration,
    /// Endpoints a dispatcher sends to at once (`DISPATCH_CONCURRENCY`).
    pub dispatch_concurrency: usize,
    /// The dispatcher's own connections (`DISPATCH_POOL_SIZE`), apart from the requests'.
    pub dispatch_pool_size: u32,
    /// `METRICS_TOKEN`: when set, `/metrics` answers only `Authorization: Bearer <it>`.
    pub metrics_token: Option<Secret>,
    /// `TRUSTED_PROXIES` (comma separated addresses or CIDR blocks): peers whose
    /// `X-Forwarded-For` names the caller. Empty: the TCP peer is the caller.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `RATE_LIMIT_REDIS_URL`: when set, the request limits are kept in this Redis and shared
    /// by every instance (`api::rate_limit::shared`); unset, each process keeps its own.
    pub rate_limit_redis_url: Option<Secret>,
    /// `RATE_LIMIT_REDIS_PREFIX`: the limits' key prefix, so deployments can share one Redis.
    pub rate_limit_redis_prefix: String,
    /// `DATABASE_REPLICA_URL`: a PostgreSQL streaming replica for the public reads.
    pub replica_url: Option<Secret>,
    /// `REPLICA_MAX_LAG_MS`: a replica further behind than this is bypassed.
    pub replica_max_lag_ms: u64,
    /// Where evidence bytes live: `ATTACHMENTS_URL` (`s3://…`, `file://…`) or `ATTACHMENTS_DIR`.
    pub attachments_store: crate::storage::StoreConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} has an invalid value: {1}")]
    Invalid(&'static str, String),
    #[error("cannot read the configuration file {0}: {1}")]
    File(String, std::io::Error),
    #[error("refusing to start in production with the default JWT_SECRET, or one (or a JWT_PREVIOUS_SECRETS entry) shorter than 32 bytes: set a random secret of at least 32 bytes")]
    DefaultSecretInProduction,
    #[error("refusing to serve on {0} with the built-in development JWT_SECRET, which anyone can sign tokens with: set JWT_SECRET to a random secret of at least 32 bytes, or listen on loopback only (HOST=127.0.0.1)")]
    DefaultSecretOffLoopback(String),
    #[error("ATTACHMENTS_URL and ATTACHMENTS_DIR are both set: set only one (ATTACHMENTS_URL=file:///path is the folder)")]
    BothAttachmentSettings,
}

/// 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`: only this machine can connect.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim();
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

/// Not good enough to sign with in production: the public default, or too short to resist
/// guessing offline from one token.
fn weak_secret(secret: &str) -> bool {
    secret == DEFAULT_JWT_SECRET || secret.len() < 32
}

/// `a,b , c` → the non-empty values.
/// Addresses (a /32 or /128) or CIDR blocks; one that parses as neither refuses the start.
fn proxies(value: Option<String>) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    let entries = value.iter().flat_map(|v| v.split(',')).map(str::trim);
    entries
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<ipnet::IpNet>()
                .or_else(|_| v.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::Invalid("TRUSTED_PROXIES", v.into()))
        })
        .collect()
}

fn list(value: Option<String>) -> Vec<Secret> {
    value
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(Secret::new)
        .collect()
}

impl Settings {
    /// Settings from the process environment (and `AFTERSALE_CONFIG` file, if any).
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut vars: HashMap<String, String> = HashMap::new();
        if let Ok(path) = std::env::var("AFTERSALE_CONFIG") {
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::File(path, e))?;
            vars.extend(parse_env_file(&text));
        }
        vars.extend(std::env::vars());
        Self::from_map(&vars)
    }

    pub fn from_map(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |k: &str| {
            vars.get(k)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        fn num<T: std::str::FromStr>(
            key: &'static str,
            value: Option<String>,
            default: T,
        ) -> Result<T, ConfigError> {
            match value {
                None => Ok(default),
                Some(v) => v.parse().map_err(|_| ConfigError::Invalid(key, v)),
            }
        }
        let environment = match get("APP_ENV").as_deref() {
            None | Some("development") | Some("dev") | Some("test") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => return Err(ConfigError::Invalid("APP_ENV", other.into())),
        };
        let log_format = match get("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(ConfigError::Invalid("LOG_FORMAT", other.into())),
        };
        let jwt_secret = get("JWT_SECRET").unwrap_or_else(|| DEFAULT_JWT_SECRET.into());
        let jwt_previous_secrets = list(get("JWT_PREVIOUS_SECRETS"));
        if environment == Environment::Production
            && (weak_secret(&jwt_secret)
                || jwt_previous_secrets.iter().any(|s| weak_secret(s.expose())))
        {
            return Err(ConfigError::DefaultSecretInProduction);
        }
        let pool_size: u32 = num("DATABASE_POOL_SIZE", get("DATABASE_POOL_SIZE"), 10)?;
        if pool_size == 0 {
            return Err(ConfigError::Invalid("DATABASE_POOL_SIZE", "0".into()));
        }
        let attachments_store = crate::storage::StoreConfig::parse(get)?;
        Ok(Settings {
            environment,
            host: get("HOST").unwrap_or_else(|| "127.0.0.1".into()),
            port: num("PORT", get("PORT"), 8080)?,
            workers: get("WORKERS")
                .map(|v| v.parse().map_err(|_| ConfigError::Invalid("WORKERS", v)))
                .transpose()?,
            database_url: Secret::new(
                get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/aftersale.db".into()),
            ),
            pool_size,
            pool_timeout: Duration::from_millis(num(
                "DATABASE_TIMEOUT_MS",
                get("DATABASE_TIMEOUT_MS"),
                5_000,
            )?),
            jwt_secret: Secret::new(jwt_secret),
            jwt_previous_secrets,
            jwt_issuer: get("JWT_ISSUER").unwrap_or_else(|| "aftersale".into()),
            jwt_audience: get("JWT_AUDIENCE").unwrap_or_else(|| "aftersale-api".into()),
            access_token_ttl: Duration::from_secs(num(
                "ACCESS_TOKEN_TTL_SECS",
                get("ACCESS_TOKEN_TTL_SECS"),
                15 * 60,
            )?),
            refresh_token_ttl: Duration::from_secs(
                num(
                    "REFRESH_TOKEN_TTL_DAYS",
                    get("REFRESH_TOKEN_TTL_DAYS"),
                    30u64,
                )? * 86_400,
            ),
            service_token_ttl: Duration::from_secs(
                num(
                    "SERVICE_TOKEN_TTL_DAYS",
                    get("SERVICE_TOKEN_TTL_DAYS"),
                    // A quarter: revocation needs someone to notice the leak; expiry bounds
                    // the leak nobody noticed. Reissuing is one command.
                    90u64,
                )? * 86_400,
            ),
            attachments_dir: attachments_store
                .local_dir()
                .unwrap_or(std::path::Path::new("data/attachments"))
                .to_path_buf(),
            attachment_max_bytes: num(
                "ATTACHMENT_MAX_BYTES",
                get("ATTACHMENT_MAX_BYTES"),
                20 * 1024 * 1024,
            )?,
            json_max_bytes: num("JSON_MAX_BYTES", get("JSON_MAX_BYTES"), 256 * 1024)?,
            idempotency_lease: Duration::from_secs(num(
                "IDEMPOTENCY_LEASE_SECS",
                get("IDEMPOTENCY_LEASE_SECS"),
                60,
            )?),
            body_timeout: Duration::from_millis(num(
                "BODY_TIMEOUT_MS",
                get("BODY_TIMEOUT_MS"),
                30_000,
            )?),
            log_format,
            sweep_interval: Duration::from_secs(num(
                "SWEEP_INTERVAL_SECS",
                get("SWEEP_INTERVAL_SECS"),
                60,
            )?),
            rate_limit_per_minute: num("RATE_LIMIT_PER_MINUTE", get("RATE_LIMIT_PER_MINUTE"), 600)?,
            auth_rate_limit_per_minute: num(
                "AUTH_RATE_LIMIT_PER_MINUTE",
                get("AUTH_RATE_LIMIT_PER_MINUTE"),
                // Per address: a carrier's NAT puts thousands of buyers behind one, so this
                // stops floods, not guessing (that is the per-account backoff's job).
                300,
            )?,
            webhooks_allow_private: match get("WEBHOOKS_ALLOW_PRIVATE").as_deref() {
                None | Some("false") | Some("0") => false,
                Some("true") | Some("1") if environment == Environment::Production => {
                    return Err(ConfigError::Invalid(
                        "WEBHOOKS_ALLOW_PRIVATE",
                        "not allowed with APP_ENV=production".into(),
                    ))
                }
                Some("true") | Some("1") => true,
                Some(other) => {
                    return Err(ConfigError::Invalid("WEBHOOKS_ALLOW_PRIVATE", other.into()))
                }
            },
            webhook_secrets_key: get("WEBHOOK_SECRETS_KEY").map(Secret::new),
            metrics_token: get("METRICS_TOKEN").map(Secret::new),
            trusted_proxies: proxies(get("TRUSTED_PROXIES"))?,
            webhook_secrets_key_previous: list(get("WEBHOOK_SECRETS_KEY_PREVIOUS")),
            dispatch_interval: Duration::from_millis(num(
                "DISPATCH_INTERVAL_MS",
                get("DISPATCH_INTERVAL_MS"),
                1_000,
            )?),
            dispatch_pool_size: match num("DISPATCH_POOL_SIZE", get("DISPATCH_POOL_SIZE"), 2u32)? {
                0 => return Err(ConfigError::Invalid("DISPATCH_POOL_SIZE", "0".into())),
                n => n,
            },
            dispatch_concurrency: match num(
                "DISPATCH_CONCURRENCY",
                get("DISPATCH_CONCURRENCY"),
                32usize,
            )? {
                0 => return Err(ConfigError::Invalid("DISPATCH_CONCURRENCY", "0".into())),
                n => n,
            },
            rate_limit_redis_url: get("RATE_LIMIT_REDIS_URL").map(Secret::new),
            rate_limit_redis_prefix: get("RATE_LIMIT_REDIS_PREFIX")
                .unwrap_or_else(|| "aftersale:rl".into()),
            replica_url: match get("DATABASE_REPLICA_URL") {
                // A replica only makes sense behind a PostgreSQL primary: refuse, not ignore,
                // so an operator never believes reads are offloaded when they are not.
                Some(_) if !get("DATABASE_URL").is_some_and(|u| u.starts_with("postgres")) => {
                    return Err(ConfigError::Invalid(
                        "DATABASE_REPLICA_URL",
                        "needs a PostgreSQL DATABASE_URL".into(),
                    ))
                }
                Some(url) if !url.starts_with("postgres") => {
                    return Err(ConfigError::Invalid(
                        "DATABASE_REPLICA_URL",
                        "not a postgres:// URL".into(),
                    ))
                }
                url => url.map(Secret::new),
            },
            replica_max_lag_ms: num("REPLICA_MAX_LAG_MS", get("REPLICA_MAX_LAG_MS"), 1_000)?,
            attachments_store,
        })
    }
}

impl Settings {
    /// Whether tokens are signed or accepted with the public development secret.
    pub fn uses_default_secret(&self) -> bool {
        self.jwt_secret.expose() == DEFAULT_JWT_SECRET
            || self
                .jwt_previous_secrets
                .iter()
                .any(|s| s.expose() == DEFAULT_JWT_SECRET)
    }

    /// For `serve` (and the commands that mint tokens for it): the development secret is
    /// accepted only where nobody else can connect. A per-start random secret was the other
    /// choice; it would silently invalidate every token at each restart and across instances.
    pub fn check_signing_for_host(&self) -> Result<(), ConfigError> {
        if self.uses_default_secret() && !is_loopback_host(&self.host) {
            return Err(ConfigError::DefaultSecretOffLoopback(self.host.clone()));
        }
        Ok(())
    }
}

/// `KEY=VALUE` lines; `#` starts a comment; values may be quoted.
fn parse_env_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_to_embedded_sqlite() {
        let s = Settings::from_map(&map(&[])).unwrap();
        assert_eq!(s.database_url.expose(), "sqlite://data/aftersale.db");
        assert_eq!(s.access_token_ttl, Duration::from_secs(900));
        assert_eq!(s.refresh_token_ttl, Duration::from_secs(30 * 86_400));
    }

    #[test]
    fn production_refuses_the_default_secret() {
        let err = Settings::from_map(&map(&[("APP_ENV", "production")])).unwrap_err();
        assert!(matches!(err, ConfigError::DefaultSecretInProduction));
        let ok = Settings::from_map(&map(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", "a-very-long-random-secret-for-production-use"),
        ]));
        assert!(ok.is_ok());
    }

    #[test]
    fn the_default_secret_serves_on_loopback_only() {
        for host in [
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
            "localhost",
            "LocalHost",
            "::ffff:127.0.0.1",
        ] {
            let s = Settings::from_map(&map(&[("HOST", host)])).unwrap();
            assert!(s.check_signing_for_host().is_ok(), "{host}");
        }
        for host in [
            "0.0.0.0",
            "::",
            "10.0.0.5",
            "192.168.1.2",
            "example.com",
            "localhost.example.com",
        ] {
            let s = Settings::from_map(&map(&[("HOST", host)])).unwrap();
            let err = s.check_signing_for_host().unwrap_err();
            assert!(err.to_string().contains("JWT_SECRET"), "{err}");
            // A real secret serves anywhere.
            let s = Settings::from_map(&map(&[
                ("HOST", host),
                ("JWT_SECRET", "a-very-long-random-secret-for-production-use"),
            ]))
            .unwrap();
            assert!(s.check_signing_for_host().is_ok(), "{host}");
        }
        // The default secret kept as a "previous" one still signs nothing but is accepted.
        let s = Settings::from_map(&map(&[
            ("HOST", "0.0.0.0"),
            ("JWT_SECRET", "a-very-long-random-secret-for-production-use"),
            ("JWT_PREVIOUS_SECRETS", DEFAULT_JWT_SECRET),
        ]))
        .unwrap();
        assert!(s.check_signing_for_host().is_err());
    }

    #[test]
    fn previous_secrets_are_a_list_and_production_checks_them_too() {
        let s = Settings::from_map(&map(&[("JWT_PREVIOUS_SECRETS", " a , ,b,")])).unwrap();
        let got: Vec<&str> = s.jwt_previous_secrets.iter().map(Secret::expose).collect();
        assert_eq!(got, ["a", "b"]);
        let err = Settings::from_map(&map(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", "a-very-long-random-secret-for-production-use"),
            ("JWT_PREVIOUS_SECRETS", "short"),
        ]))
        .unwrap_err();
        assert!(matches!(err, ConfigError::DefaultSecretInProduction));
    }

    #[test]
    fn bad_numbers_are_reported_by_name() {
        let err = Settings::from_map(&map(&[("PORT", "eighty")])).unwrap_err();
        assert!(err.to_string().contains("PORT"));
    }

    #[test]
    fn env_file_lines() {
        let parsed = parse_env_file("# c\nPORT=9000\nJWT_SECRET=\"x y\"\n\nbad line\n");
        assert_eq!(
            parsed,
            vec![
                ("PORT".to_string(), "9000".to_string()),
                ("JWT_SECRET".to_string(), "x y".to_string())
            ]
        );
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
