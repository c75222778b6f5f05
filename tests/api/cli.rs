//! The operator commands, run as the real binary on a SQLite file of their own.
use aftersale::auth::jwt::JwtKeys;
use aftersale::config::DEFAULT_JWT_SECRET;
use aftersale::domain::roles::Role;

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        Cli {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_aftersale"))
            .args(args)
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/cli.db", self.dir.path().display()),
            )
            .env("ATTACHMENTS_DIR", self.dir.path().join("files"))
            .env("RUST_LOG", "warn")
            .env_remove("JWT_SECRET")
            .env_remove("APP_ENV")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

fn claims(token: &str) -> aftersale::auth::jwt::Claims {
    let keys = JwtKeys::new(DEFAULT_JWT_SECRET.as_bytes(), "aftersale", "aftersale-api");
    keys.verify(token.trim(), chrono::Utc::now()).unwrap()
}

#[test]
fn moderators_are_created_by_operators_and_tokens_issued() {
    let cli = Cli::new();
    let created = cli.ok(&[
        "create-user",
        "--role",
        "moderator",
        "--email",
        "Mod@Example.kz",
        "--password",
        "long-enough-pw",
        "--full-name",
        "Мадина С.",
    ]);
    assert!(created.contains("moderator mod@example.kz"), "{created}");
    let again = cli.run(&[
        "create-user",
        "--role",
        "moderator",
        "--email",
        "mod@example.kz",
        "--password",
        "long-enough-pw",
        "--full-name",
        "M",
    ]);
    assert!(!again.status.success(), "a taken e-mail is refused");
    assert!(
        !cli.run(&[
            "create-user",
            "--role",
            "seller",
            "--email",
            "s@example.kz",
            "--password",
            "long-enough-pw",
            "--full-name",
            "S"
        ])
        .status
        .success(),
        "sellers need a shop name"
    );
    assert!(!cli
        .run(&[
            "create-user",
            "--role",
            "buyer",
            "--email",
            "b@example.kz",
            "--password",
            "short",
            "--full-name",
            "B"
        ])
        .status
        .success());

    let token = cli.ok(&["issue-token", "--email", "mod@example.kz"]);
    assert_eq!(claims(&token).role, Role::Moderator);
    let service = cli.ok(&["issue-token", "--role", "service", "--name", "order-sync"]);
    let c = claims(&service);
    assert_eq!(c.role, Role::Service);
    assert!(
        c.exp - c.iat == 90 * 86_400,
        "service tokens last SERVICE_TOKEN_TTL_DAYS (90 by default)"
    );
    assert_eq!(
        claims(&cli.ok(&["issue-token", "--role", "service", "--name", "order-sync"])).sub,
        c.sub,
        "one account per name"
    );
    assert!(!cli
        .run(&["issue-token", "--role", "service", "--name", "bad name"])
        .status
        .success());
    assert!(!cli
        .run(&["issue-token", "--email", "nobody@example.kz"])
        .status
        .success());
}

#[test]
fn seed_demo_is_repeatable_and_prints_credentials() {
    let cli = Cli::new();
    let first = cli.ok(&["seed-demo"]);
    for expected in [
        "buyer@demo.kz",
        "seller@demo.kz",
        "moderator@demo.kz",
        "DEMO-1001",
        "DEMO-1005",
        "service token",
    ] {
        assert!(first.contains(expected), "{expected} missing:\n{first}");
    }
    let second = cli.ok(&["seed-demo"]);
    let ids = |s: &str| {
        s.lines()
            .filter(|l| l.contains("DEMO-"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ids(&second), "the same orders, not new ones");
    assert!(cli.ok(&["migrate"]).contains("up to date"));
}

#[test]
fn production_refuses_the_default_secret() {
    let cli = Cli::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args(["migrate"])
        .env("APP_ENV", "production")
        .env_remove("JWT_SECRET")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/p.db", cli.dir.path().display()),
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("JWT_SECRET"));
}

#[test]
fn a_port_in_use_is_named_with_the_way_out() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let cli = Cli::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .arg("serve")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/cli.db", cli.dir.path().display()),
        )
        .env("ATTACHMENTS_DIR", cli.dir.path().join("files"))
        .env("PORT", &port)
        .env("RUST_LOG", "info")
        .env_remove("APP_ENV")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("port {port}")) && err.contains("PORT="),
        "{err}"
    );
    // Not a terminal: the log lines (migrations applied) carry no colour codes.
    assert!(err.contains("applied"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err}");
}

#[test]
fn the_version_is_the_specs() {
    let out = Cli::new().ok(&["--version"]);
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("openapi/openapi.json").unwrap()).unwrap();
    let version = spec["info"]["version"].as_str().unwrap();
    assert_eq!(out.trim(), format!("aftersale {version}"));
}

#[test]
fn a_missing_postgres_database_is_created() {
    use diesel::prelude::*;
    let base = crate::helpers::pg_url_for_parity();
    let (server, _) = base.rsplit_once('/').unwrap();
    let name = format!("aftersale_fresh_{}", uuid::Uuid::new_v4().simple());
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .arg("migrate")
        .env("DATABASE_URL", format!("{server}/{name}"))
        .env("ATTACHMENTS_DIR", dir.path().join("files"))
        .env("RUST_LOG", "info")
        .env_remove("APP_ENV")
        .output()
        .unwrap();
    let mut admin = PgConnection::establish(&format!("{server}/postgres")).unwrap();
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut admin);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("created the database"));
}

#[test]
fn service_tokens_are_listed_and_revoked_by_id() {
    let cli = Cli::new();
    let first = claims(&cli.ok(&[
        "issue-token",
        "--role",
        "service",
        "--name",
        "order-sync",
        "--label",
        "courier-app",
    ]));
    let second = claims(&cli.ok(&["issue-token", "--role", "service", "--name", "order-sync"]));
    let listed = cli.ok(&["list-tokens"]);
    let line = |id: &str, listed: &str| {
        listed
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} not listed:\n{listed}"))
            .to_string()
    };
    assert!(
        line(&first.jti, &listed).contains("courier-app"),
        "{listed}"
    );
    assert!(line(&first.jti, &listed).ends_with("active"), "{listed}");
    assert!(line(&second.jti, &listed).ends_with("active"), "{listed}");

    assert!(cli.ok(&["revoke-token", &first.jti]).contains("revoked"));
    let listed = cli.ok(&["list-tokens"]);
    assert!(line(&first.jti, &listed).contains("revoked"), "{listed}");
    assert!(line(&second.jti, &listed).ends_with("active"), "{listed}");
    // Revoking again changes nothing; an unknown id is an error.
    assert!(cli.ok(&["revoke-token", &first.jti]).contains("already"));
    let unknown = cli.run(&["revoke-token", "no-such-token"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("list-tokens"));
}

#[test]
fn the_development_secret_is_refused_off_loopback() {
    let cli = Cli::new();
    let run = |cmd: &str, host: &str| {
        let args: Vec<&str> = if cmd == "serve" {
            vec!["serve"]
        } else {
            vec![cmd, "--role", "service", "--name", "order-sync"]
        };
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aftersale"))
            .args(&args)
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/cli.db", cli.dir.path().display()),
            )
            .env("ATTACHMENTS_DIR", cli.dir.path().join("files"))
            .env("HOST", host)
            .env("PORT", crate::helpers::free_port().to_string())
            .env("RUST_LOG", "warn")
            .env_remove("JWT_SECRET")
            .env_remove("APP_ENV")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Today's code would serve: give it a moment, then stop it and fail.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                panic!("`{cmd}` on {host} with the development secret did not refuse");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    };
    for host in ["0.0.0.0", "::"] {
        for cmd in ["serve", "issue-token"] {
            let out = run(cmd, host);
            assert!(!out.status.success(), "{cmd} on {host}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("JWT_SECRET") && err.contains(host), "{err}");
        }
    }
    // On loopback the development secret still works (a warning says what it means).
    let out = run("issue-token", "127.0.0.1");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("development JWT_SECRET"));
}
