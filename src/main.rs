use aftersale::config::Settings;
use aftersale::db::users::NewUser;
use aftersale::domain::privacy::normalize_phone;
use aftersale::domain::roles::Role;
use aftersale::{auth::password, demo, startup};
use chrono::TimeDelta;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// glibc malloc was a quarter of the CPU of a review listing under load (many short-lived
/// strings per row and growing JSON buffers); mimalloc handles that pattern far better.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc backs its heaps with transparent huge pages where the kernel allows it: a 2 MiB
/// page for every heap region touched, one heap per thread. Under the benchmark that was 15
/// of the 78 MiB peak (and 55 of 123 MiB when every waiting request had a thread) for no
/// speed measurable once the database work ran on as many threads as connections
/// (`db::threads`; bench/RESULTS.md). mimalloc is built not to ask for them (`no_thp`), which
/// is enough where THP is `madvise`; where it is `always` the kernel would give them anyway,
/// so the process also turns them off for itself.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        eprintln!("could not turn transparent huge pages off: {e}");
    }
}

#[derive(Parser)]
#[command(
    name = "aftersale",
    version,
    about = "After-sale backend: complaints, reviews, returns"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve HTTP (the default).
    Serve {
        /// Also seed the demo accounts and orders, and print their credentials.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Create an account of any role (moderators are created only this way).
    CreateUser {
        #[arg(long)]
        role: Role2,
        #[arg(long)]
        email: String,
        #[arg(long, env = "AFTERSALE_NEW_USER_PASSWORD")]
        password: String,
        #[arg(long)]
        full_name: String,
        #[arg(long)]
        phone: Option<String>,
        /// For sellers: the name of their new shop.
        #[arg(long)]
        shop_name: Option<String>,
    },
    /// Print an access token: for a service account (`--role service --name`), or for an
    /// existing account (`--email`).
    IssueToken {
        #[arg(long)]
        role: Option<Role2>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Lifetime in days (default SERVICE_TOKEN_TTL_DAYS for services, 1 otherwise).
        #[arg(long)]
        ttl_days: Option<i64>,
        /// For service tokens: what `list-tokens` calls it (default: the account's name).
        #[arg(long)]
        label: Option<String>,
    },
    /// List the service tokens on record (id, account, name, issued, expires, revoked).
    ListTokens,
    /// Revoke a service token by its id (from `list-tokens`); refused within seconds.
    RevokeToken {
        /// The token's id (its `jti`).
        id: String,
    },
    /// Seal every stored webhook secret under the current key (after rotating JWT_SECRET or
    /// WEBHOOK_SECRETS_KEY), so that the previous keys can be removed.
    ResealWebhookSecrets,
    /// Create demo accounts and orders and print the credentials.
    SeedDemo,
    /// Run the deadline sweep once as of an instant (default: now) and print what it did.
    Sweep {
        /// RFC 3339 instant, e.g. 2026-11-25T19:00:00Z.
        #[arg(long)]
        at: Option<String>,
    },
    /// Send the webhook deliveries due now, print what happened and exit (`serve` does this
    /// continuously).
    Dispatch {
        /// Required: one pass, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Role2 {
    Buyer,
    Seller,
    Moderator,
    Service,
}

impl From<Role2> for Role {
    fn from(r: Role2) -> Role {
        match r {
            Role2::Buyer => Role::Buyer,
            Role2::Seller => Role::Seller,
            Role2::Moderator => Role::Moderator,
            Role2::Service => Role::Service,
        }
    }
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::FAILURE
}

#[actix_web::main]
async fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    if let Command::Openapi = command {
        return match startup::openapi().to_pretty_json() {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        };
    }
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    startup::init_tracing(settings.log_format);
    let url = settings.database_url.expose();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match aftersale::db::create::create_if_missing(url) {
            Ok(true) => tracing::info!("created the database named in DATABASE_URL"),
            Ok(false) => {}
            Err(e) => return fail(e),
        }
    }
    let base_url = format!("http://{}:{}", settings.host, settings.port);
    // Fails before migrating: the commands that serve, or mint tokens for a server of this
    // configuration, refuse the public development secret off loopback.
    if matches!(
        command,
        Command::Serve { .. } | Command::IssueToken { .. } | Command::SeedDemo
    ) {
        if let Err(e) = settings.check_signing_for_host() {
            return fail(e);
        }
        if settings.uses_default_secret() && !matches!(command, Command::Serve { .. }) {
            eprintln!(
                "warning: tokens are signed with the built-in development JWT_SECRET: anyone can \
                 forge them, and only a server listening on loopback accepts them"
            );
        }
    }
    let state = match startup::build_state(settings, startup::system_clock()) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match state.db.migrate() {
        Ok(applied) => {
            for m in applied {
                tracing::info!(migration = %m, "applied");
            }
        }
        Err(e) => return fail(format!("cannot migrate the database: {e}")),
    }
    match command {
        Command::Serve { demo } => {
            if state.db.autovacuum_off() {
                tracing::warn!(
                    "PostgreSQL runs with autovacuum off: table statistics go stale as tables \
                     grow, and cached plans made on small tables (sequential scans) are only \
                     remade when a pooled connection is replaced (every 10 minutes). Turn \
                     autovacuum on, or ANALYZE regularly."
                );
            }
            if demo {
                match demo::seed(&state).await {
                    Ok(accounts) => demo::print(&accounts, &base_url),
                    Err(e) => return fail(e),
                }
            }
            match startup::serve(state).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
        Command::Dispatch { once } => {
            if !once {
                return fail("`dispatch` runs one pass: use `dispatch --once` (serve dispatches continuously)");
            }
            let dispatcher = match aftersale::jobs::dispatcher::Dispatcher::new(&state) {
                Ok(d) => d,
                Err(e) => return fail(e),
            };
            match dispatcher.run_once().await {
                Ok(report) => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&report).unwrap_or_default()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Migrate => {
            println!("migrations are up to date");
            ExitCode::SUCCESS
        }
        Command::CreateUser {
            role,
            email,
            password: pw,
            full_name,
            phone,
            shop_name,
        } => {
            let role: Role = role.into();
            if role == Role::Service {
                return fail(
                    "service accounts are created by `issue-token --role service --name NAME`",
                );
            }
            if role == Role::Seller && shop_name.is_none() {
                return fail("--shop-name is required for sellers");
            }
            if pw.len() < 8 {
                return fail("the password needs at least 8 characters");
            }
            let phone = match phone.as_deref().map(normalize_phone) {
                Some(None) => return fail("not a Kazakhstan phone number"),
                Some(Some(p)) => Some(p),
                None => None,
            };
            let hash = match password::hash(&pw) {
                Ok(h) => h,
                Err(e) => return fail(e),
            };
            let now = state.clock.now();
            let email = email.trim().to_lowercase();
            let result = state.db.run(|c| {
                aftersale::db::users::create(
                    c,
                    &NewUser {
                        id: None,
                        shop_id: None,
                        email: &email,
                        password_hash: &hash,
                        full_name: &full_name,
                        phone: phone.as_deref(),
                        role,
                        shop_name: if role == Role::Seller {
                            shop_name.as_deref()
                        } else {
                            None
                        },
                    },
                    now,
                )
            });
            match result {
                Ok(user) => {
                    println!(
                        "created {} {} (id {})",
                        user.role.as_str(),
                        user.email,
                        user.id
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::IssueToken {
            role,
            name,
            email,
            ttl_days,
            label,
        } => {
            let now = state.clock.now();
            let user = match (role.map(Role::from), name, email) {
                (Some(Role::Service), Some(name), None) => {
                    if name.is_empty()
                        || !name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    {
                        return fail("--name takes letters, digits, '-' and '_'");
                    }
                    state.db.run(|c| demo::service_account(c, &name, now))
                }
                (role, None, Some(email)) => {
                    let email = email.trim().to_lowercase();
                    match state
                        .db
                        .run(|c| aftersale::db::users::find_by_email(c, &email))
                    {
                        Ok(Some(u)) if role.is_none_or(|r| r == u.role()) => Ok(u),
                        Ok(Some(_)) => return fail("the account has another role"),
                        Ok(None) => return fail("no such account"),
                        Err(e) => Err(e),
                    }
                }
                _ => return fail("use `--role service --name NAME` or `--email EMAIL`"),
            };
            let user = match user {
                Ok(u) => u,
                Err(e) => return fail(e),
            };
            let default_days = if user.role() == Role::Service {
                (state.settings.service_token_ttl.as_secs() / 86_400) as i64
            } else {
                1
            };
            let ttl = TimeDelta::days(ttl_days.unwrap_or(default_days).max(1));
            let issued = state.db.get().map_err(|e| e.to_string()).and_then(|mut c| {
                demo::issue_token_on(&mut c, &state, &user, ttl, label.as_deref())
            });
            match issued {
                Ok(token) => {
                    if let Ok(claims) = state.jwt.verify(&token, state.clock.now()) {
                        eprintln!(
                            "token {} for {} ({}), expires {}",
                            claims.jti,
                            user.full_name,
                            user.role().as_str(),
                            chrono::DateTime::from_timestamp(claims.exp, 0).unwrap_or_default()
                        );
                    }
                    println!("{token}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::ListTokens => match state.db.run(aftersale::db::service_tokens::list) {
            Ok(tokens) => {
                let now = state.clock.now();
                println!("ID\tACCOUNT\tNAME\tISSUED\tEXPIRES\tSTATE");
                for t in tokens {
                    let status = match t.revoked_at {
                        Some(at) => format!("revoked {}", at.to_rfc3339()),
                        None if t.expires_at <= now => "expired".into(),
                        None => "active".into(),
                    };
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{status}",
                        t.id,
                        t.account,
                        t.name,
                        t.issued_at.to_rfc3339(),
                        t.expires_at.to_rfc3339()
                    );
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::RevokeToken { id } => {
            use aftersale::db::service_tokens::{revoke, Revocation};
            let now = state.clock.now();
            match state.db.run(|c| revoke(c, id.trim(), now)) {
                Ok(Revocation::Revoked) => {
                    println!(
                        "revoked {id}: refused within {} seconds",
                        aftersale::auth::trust::CHECK_TTL.num_seconds()
                    );
                    ExitCode::SUCCESS
                }
                Ok(Revocation::AlreadyRevoked(at)) => {
                    println!("{id} was revoked already ({})", at.to_rfc3339());
                    ExitCode::SUCCESS
                }
                Ok(Revocation::Unknown) => fail(format!(
                    "no service token {id} on record (see `aftersale list-tokens`)"
                )),
                Err(e) => fail(e),
            }
        }
        Command::ResealWebhookSecrets => {
            match state
                .db
                .run(|c| aftersale::db::webhooks::sealed::reseal_all(c, &state.sealer))
            {
                Ok(report) => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&report).unwrap_or_default()
                    );
                    if report.unreadable.is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        fail("some secrets open with no configured key: keep the previous keys, or have those endpoints' sellers rotate their secrets")
                    }
                }
                Err(e) => fail(e),
            }
        }
        Command::SeedDemo => match demo::seed(&state).await {
            Ok(accounts) => {
                demo::print(&accounts, &base_url);
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Sweep { at } => {
            let now = match at.as_deref().map(chrono::DateTime::parse_from_rfc3339) {
                None => state.clock.now(),
                Some(Ok(t)) => aftersale::clock::truncate(t.with_timezone(&chrono::Utc)),
                Some(Err(e)) => return fail(format!("--at is not an RFC 3339 instant: {e}")),
            };
            match state
                .db
                .run(|c| aftersale::jobs::sweeper::sweep_with_uploads(c, &state.policy, now))
            {
                Ok((report, swept)) => {
                    aftersale::jobs::sweeper::remove_swept(&state.attachments, swept).await;
                    println!("{}", serde_json::to_string(&report).unwrap_or_default());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Openapi => ExitCode::SUCCESS,
    }
}
