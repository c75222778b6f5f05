//! The SQLite ceiling for bench/run: the statements behind `GET /orders/{id}`,
//! `GET /orders?limit=20`, `GET /returns/{id}`, `GET /products/{id}/reviews?limit=20` and
//! `POST /complaints`, run through the service's own storage functions on as many threads as
//! the service has connections, with no HTTP, auth, JSON or thread hand-off.
//! It is to SQLite what pgbench is to PostgreSQL: what the database side can do at most, so the
//! API's req/s over this rate says what the rest of a request costs.
//!
//! It calls the same `db::` functions the handlers call, so it runs the same statements with the
//! same prepared-statement cache and the same row decoding (which pgbench does not do; that
//! decoding is part of every request here, and the service cannot go below it without changing
//! those functions).
//!
//! Usage: sqlite_ceiling DATABASE_URL order|orders|return|reviews|file SUBJECT_ID SECONDS THREADS
//! [FIRST]
//! (SUBJECT_ID: the order, the buyer whose orders are listed, the return, the product, the buyer
//! who files). `file` files seller complaints as bench/file_complaint.lua does, numbered from
//! FIRST (default 0): filing n is about order `order-{100001 + n % 100000}` (the second 100k of
//! bench/seed_sqlite_filing.sql, which the API's filings never touch) in the seller category
//! `n / 100000 % 7`, so no filing is refused as a duplicate of an open case; every filing must
//! succeed, and the filings of one run are FIRST, FIRST + 1, … with no gap, so the next run
//! starts at the number of cases these orders have.
//! Prints `ceiling <op>: <n> per second (<threads> threads, <seconds> s after 1 s warm-up)`.
use aftersale::db::complaints::{self, Filing};
use aftersale::db::reviews::{self, PublicFilter, ReviewSort, ReviewSubject};
use aftersale::db::{delivery_failures, orders, returns, users, Db, DbConnection, DbError};
use aftersale::domain::caller::{Caller, Scope};
use aftersale::domain::complaints::{Category, Target};
use aftersale::domain::roles::Role;
use aftersale::policy::Policy;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const WARM_UP: Duration = Duration::from_secs(1);

#[derive(Clone, Copy)]
enum Op {
    Order,
    Orders,
    Return,
    Reviews,
    File,
}

impl Op {
    fn parse(name: &str) -> Option<Op> {
        Some(match name {
            "order" => Op::Order,
            "orders" => Op::Orders,
            "return" => Op::Return,
            "reviews" => Op::Reviews,
            "file" => Op::File,
            _ => return None,
        })
    }

    fn run(self, c: &mut DbConnection, subject: &str, ctx: &Context) -> Result<(), DbError> {
        match self {
            Op::Order => order_view(c, subject, &ctx.policy),
            Op::Orders => orders_page(c, subject),
            Op::Return => return_view(c, subject),
            Op::Reviews => review_list(c, subject, &ctx.policy),
            Op::File => file_complaint(c, subject, ctx),
        }
    }
}

/// The reads of `api::orders::handlers::get_order`.
fn order_view(c: &mut DbConnection, id: &str, policy: &Policy) -> Result<(), DbError> {
    let record = orders::find(c, id)?.ok_or_else(|| DbError::Other(format!("no order {id}")))?;
    let came_back = aftersale::domain::orders::delivery_failed(
        record.order.status,
        record.order.failed_attempts,
        policy.returns.failed_attempts_before_return,
    );
    let failure = match came_back {
        true => delivery_failures::find(c, id)?.map(|f| orders::breaches(c, id).map(|b| (f, b))),
        false => None,
    }
    .transpose()?;
    std::hint::black_box((record, failure));
    Ok(())
}

/// The reads of `api::orders::handlers::list_orders` for a buyer's first page.
fn orders_page(c: &mut DbConnection, buyer: &str) -> Result<(), DbError> {
    let rows = orders::list(c, Scope::Buyer(buyer), None, 20 + 1)?;
    std::hint::black_box(rows);
    Ok(())
}

/// The reads of `api::returns::handlers::get_return` (`visible`, then `gather`).
fn return_view(c: &mut DbConnection, id: &str) -> Result<(), DbError> {
    let row = returns::find(c, id)?.ok_or_else(|| DbError::Other(format!("no return {id}")))?;
    let lines = returns::lines(c, &[id])?;
    let mut people = vec![row.buyer_id.as_str()];
    people.extend(row.decided_by.as_deref());
    let people = users::people(c, &people)?;
    let detail = (
        returns::timeline(c, id)?,
        returns::evidence(c, id)?,
        returns::breaches(c, id)?,
    );
    std::hint::black_box((&row, lines, people, detail));
    Ok(())
}

/// The reads of `api::reviews::handlers::public_page` for a product, first page, newest first.
fn review_list(c: &mut DbConnection, product: &str, policy: &Policy) -> Result<(), DbError> {
    let subject = ReviewSubject::Product(product);
    let now = chrono::Utc::now();
    let head = reviews::list_head(c, subject, now, policy.reviews.rating_period_days)?;
    let filter = PublicFilter {
        rating: None,
        with_media: None,
        sort: ReviewSort::Newest,
    };
    let rows = reviews::list_public(c, subject, &filter, None, 20 + 1)?;
    std::hint::black_box((head, rows));
    Ok(())
}

/// What every thread shares: the policy, and the filings' next number.
struct Context {
    policy: Policy,
    next_filing: AtomicU64,
}

/// The work of `api::complaints::handlers::file_complaint` for the body
/// bench/file_complaint.lua sends: the caller's account (its contact details go with the
/// case), the filing's transaction, then the case as the response shows it.
fn file_complaint(c: &mut DbConnection, buyer: &str, ctx: &Context) -> Result<(), DbError> {
    let n = ctx.next_filing.fetch_add(1, Ordering::Relaxed);
    let seller_categories: Vec<Category> = Category::ALL
        .iter()
        .copied()
        .filter(|c| c.valid_for(Target::Seller))
        .collect();
    let caller = Caller {
        id: buyer.to_string(),
        role: Role::Buyer,
        shop_id: None,
    };
    let account =
        users::find(c, buyer)?.ok_or_else(|| DbError::Other(format!("no user {buyer}")))?;
    let filing = Filing {
        order_id: format!("order-{:06}", 100_001 + n % 100_000),
        target: Target::Seller,
        category: seller_categories[(n / 100_000) as usize % seller_categories.len()],
        description: "Товар не соответствует описанию в карточке магазина".into(),
        details: serde_json::json!({
            "desired_resolution": null,
            "contact": {"phone": account.phone, "email": account.email},
            "involved_person": null, "expected_at": null, "actual_at": null,
        }),
        attachment_ids: Vec::new(),
    };
    let now = chrono::Utc::now();
    let row = complaints::file(c, &caller, &filing, &ctx.policy.complaints, now)
        .map_err(|e| DbError::Other(format!("filing {n} ({}): {e}", filing.order_id)))?;
    std::hint::black_box(complaints::read_case(c, &row.id, &caller)?);
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("sqlite_ceiling: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (url, name, subject, seconds, threads, first) = match args.as_slice() {
        [url, name, subject, seconds, threads] => (url, name, subject, seconds, threads, "0"),
        [url, name, subject, seconds, threads, first] => {
            (url, name, subject, seconds, threads, first.as_str())
        }
        _ => {
            return Err(
                "usage: sqlite_ceiling DATABASE_URL order|orders|return|reviews|file \
                        SUBJECT_ID SECONDS THREADS [FIRST]"
                    .into(),
            )
        }
    };
    let op = Op::parse(name)
        .ok_or_else(|| format!("unknown op {name} (order, orders, return, reviews or file)"))?;
    let seconds: u64 = seconds.parse()?;
    let threads: u32 = threads.parse()?;
    let db = Db::connect(url, threads, Duration::from_secs(5))?;
    let ctx = Context {
        policy: Policy::default(),
        next_filing: AtomicU64::new(first.parse()?),
    };
    let start = Instant::now();
    let (measure_from, end) = (
        start + WARM_UP,
        start + WARM_UP + Duration::from_secs(seconds),
    );
    let counts = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (db, ctx, subject) = (&db, &ctx, subject.as_str());
                s.spawn(move || -> Result<u64, DbError> {
                    let mut conn = db.get()?;
                    let mut done = 0;
                    loop {
                        let now = Instant::now();
                        if now >= end {
                            return Ok(done);
                        }
                        op.run(&mut conn, subject, ctx)?;
                        if now >= measure_from {
                            done += 1;
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a worker panicked"))
            .collect::<Result<Vec<u64>, DbError>>()
    })?;
    let total: u64 = counts.iter().sum();
    println!(
        "ceiling {name}: {:.0} per second ({threads} threads, {seconds} s after 1 s warm-up)",
        total as f64 / seconds as f64
    );
    Ok(())
}
