//! The webhook dispatcher: takes due deliveries from the outbox and sends them. `serve` runs
//! it every `DISPATCH_INTERVAL_MS`; `aftersale dispatch --once` sends what is due and exits.
//!
//! - Each due attempt is claimed by one instance under a lease (`deliveries::claim`); an
//!   attempt's outcome is recorded only while the lease is still this instance's.
//! - One endpoint's claimed messages go out one after another, in event order; endpoints go
//!   out side by side, so a slow or dead receiver delays only its own messages.
//! - A crash after the receiver answered but before the outcome is stored sends the message
//!   again once the lease passes: delivery is at least once, and receivers deduplicate by
//!   `webhook-id`, which every retry and redelivery keeps.
mod attempt;
pub mod client;

use crate::clock::Clock;
use crate::db::webhooks::deliveries::{self, Attempted, Claimed, Next};
use crate::db::{Db, DbError};
use crate::domain::webhooks::schedule::{next_attempt, Outcome};
use crate::policy::Policy;
use crate::sealing::Sealer;
use crate::state::AppState;
use chrono::TimeDelta;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Messages of one endpoint taken in one claim.
const PER_ENDPOINT: i64 = 10;

pub struct Dispatcher {
    db: Db,
    clock: Arc<dyn Clock>,
    sealer: Arc<Sealer>,
    policy: Arc<Policy>,
    client: reqwest::Client,
    allow_private: bool,
    concurrency: usize,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq, Clone, Copy)]
pub struct DispatchReport {
    pub attempts: usize,
    pub delivered: usize,
    /// Failed attempts with a retry scheduled.
    pub retrying: usize,
    /// Deliveries that failed for good (schedule spent, or the endpoint is gone).
    pub failed: usize,
    pub endpoints_disabled: usize,
}

impl DispatchReport {
    fn add(&mut self, other: DispatchReport) {
        self.attempts += other.attempts;
        self.delivered += other.delivered;
        self.retrying += other.retrying;
        self.failed += other.failed;
        self.endpoints_disabled += other.endpoints_disabled;
    }
}

impl Dispatcher {
    /// A dispatcher with a pool of its own (`DISPATCH_POOL_SIZE`): it must not queue behind
    /// the requests for the service's connections, or a busy service would starve its
    /// webhooks (measured: 40 deliveries in 24 s of filing at full load on a shared pool).
    pub fn new(state: &AppState) -> Result<Dispatcher, DbError> {
        let db = Db::connect(
            state.settings.database_url.expose(),
            state.settings.dispatch_pool_size,
            state.settings.pool_timeout,
        )?;
        Ok(Self::with_db(state, db))
    }

    /// Another instance over its own pool (tests run several against one database).
    pub fn with_db(state: &AppState, db: Db) -> Dispatcher {
        let timeout = std::time::Duration::from_secs(state.policy.webhooks.attempt_timeout_secs);
        Dispatcher {
            db,
            clock: state.clock.clone(),
            sealer: state.sealer.clone(),
            policy: state.policy.clone(),
            client: client::build(timeout, state.settings.webhooks_allow_private),
            allow_private: state.settings.webhooks_allow_private,
            concurrency: state.settings.dispatch_concurrency,
        }
    }

    /// A lease outlives every attempt of a claim made one after another.
    fn lease(&self) -> TimeDelta {
        let per = self.policy.webhooks.attempt_timeout_secs as i64 + 5;
        TimeDelta::seconds(PER_ENDPOINT * per + 60)
    }

    async fn claim(&self, endpoints: usize) -> Result<Vec<Vec<Claimed>>, DbError> {
        // A token per claim: the leases of one claim are told apart from this instance's others.
        let (db, token, lease) = (self.db.clone(), crate::db::new_id(), self.lease());
        let now = self.clock.now();
        let limit = endpoints as i64 * PER_ENDPOINT;
        let claimed = actix_web::web::block(move || {
            db.run(|c| deliveries::claim(c, &token, limit, PER_ENDPOINT, lease, now))
        })
        .await
        .map_err(|e| DbError::Other(e.to_string()))??;
        // Claimed rows come ordered by endpoint, then event order.
        let mut groups: Vec<Vec<Claimed>> = Vec::new();
        for c in claimed {
            match groups.last_mut() {
                Some(g) if g[0].endpoint.id == c.endpoint.id => g.push(c),
                _ => groups.push(vec![c]),
            }
        }
        Ok(groups)
    }

    /// Sends what is due now until nothing is left, waiting for every attempt; returns what
    /// happened. Attempts scheduled for later are left for a later run.
    pub async fn run_once(&self) -> Result<DispatchReport, DbError> {
        let mut report = DispatchReport::default();
        loop {
            let groups = self.claim(self.concurrency).await?;
            if groups.is_empty() {
                return Ok(report);
            }
            let sent =
                futures_util::future::join_all(groups.into_iter().map(|g| self.send_group(g)));
            for r in sent.await {
                report.add(r);
            }
        }
    }

    /// Runs for the life of the process: claims as many endpoints as there are free places,
    /// sends each group on its own task, and looks again every interval (at once after a
    /// claim that found work).
    pub async fn run(self: Arc<Self>, every: std::time::Duration) {
        let in_flight = Arc::new(AtomicUsize::new(0));
        // A finished group that was full probably left more behind, and one that finishes in
        // a full house frees a place others may wait for: then look again at once, or a
        // backlog would drain one claim per interval. Otherwise what arrives next waits for
        // the tick, so that a steady trickle goes out in groups — a claim and a commit per
        // message cost the requests a quarter of their throughput.
        let finished = Arc::new(tokio::sync::Notify::new());
        loop {
            let free = self
                .concurrency
                .saturating_sub(in_flight.load(Ordering::SeqCst));
            let mut found = false;
            if free > 0 {
                match self.claim(free).await {
                    Ok(groups) => {
                        found = !groups.is_empty();
                        for g in groups {
                            let full = g.len() as i64 >= PER_ENDPOINT;
                            in_flight.fetch_add(1, Ordering::SeqCst);
                            let (me, count, done) =
                                (self.clone(), in_flight.clone(), finished.clone());
                            actix_web::rt::spawn(async move {
                                let r = me.send_group(g).await;
                                if r.attempts > 0 {
                                    tracing::debug!(?r, "webhook deliveries");
                                }
                                let house_was_full =
                                    count.fetch_sub(1, Ordering::SeqCst) == me.concurrency;
                                if full || house_was_full {
                                    done.notify_one();
                                }
                            });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "webhook claim failed"),
                }
            }
            if found {
                // Let the spawned groups start before the next claim.
                actix_web::rt::task::yield_now().await;
            } else {
                let tick = std::pin::pin!(actix_web::rt::time::sleep(every));
                let woken = std::pin::pin!(finished.notified());
                futures_util::future::select(tick, woken).await;
            }
        }
    }

    /// One endpoint's claimed messages, in order, their outcomes recorded together at the
    /// end. When the endpoint ends on the way (410, or five days of failures), the rest are
    /// handed back unsent.
    async fn send_group(&self, group: Vec<Claimed>) -> DispatchReport {
        let mut report = DispatchReport::default();
        let Some(first) = group.first() else {
            return report;
        };
        let (endpoint, token) = (first.endpoint.clone(), first.token.clone());
        let failing_for = TimeDelta::days(self.policy.webhooks.disable_after_failing_days);
        // Followed here as `finish` will store it, to stop sending at the attempt that ends
        // the endpoint; `finish` decides on the stored row.
        let mut failing_since = endpoint.failing_since.map(crate::db::from_db);
        let mut attempted = Vec::with_capacity(group.len());
        let mut rest = group.into_iter();
        for c in rest.by_ref() {
            let (log, outcome) = self.attempt(&c).await;
            let now = self.clock.now();
            let next = match outcome {
                Outcome::Delivered => Next::Delivered,
                Outcome::Gone => Next::Failed,
                Outcome::Failed { retry_after } => {
                    let failures = c.attempts as usize + 1;
                    let jitter = rand::Rng::gen_range(&mut rand::thread_rng(), -1.0..=1.0);
                    match next_attempt(failures, retry_after, jitter, now) {
                        Some(at) => Next::RetryAt(at),
                        None => Next::Failed,
                    }
                }
            };
            report.attempts += 1;
            match next {
                Next::Delivered => report.delivered += 1,
                Next::RetryAt(_) => report.retrying += 1,
                Next::Failed => report.failed += 1,
            }
            let gone = outcome == Outcome::Gone;
            let ends = if next == Next::Delivered {
                failing_since = None;
                false
            } else {
                gone || *failing_since.get_or_insert(now) <= now - failing_for
            };
            attempted.push(Attempted {
                claimed: c,
                log,
                next,
                gone,
            });
            if ends {
                break;
            }
        }
        let unsent: Vec<String> = rest.map(|c| c.delivery_id).collect();
        let (db, now, endpoint_id) = (self.db.clone(), self.clock.now(), endpoint.id.clone());
        let finished = actix_web::web::block(move || {
            db.run(|c| {
                deliveries::finish(c, &endpoint, &token, &attempted, &unsent, failing_for, now)
            })
        })
        .await;
        match finished {
            Ok(Ok(f)) => {
                if f.leases_lost > 0 {
                    tracing::warn!(
                        count = f.leases_lost,
                        "webhook leases passed to another instance"
                    );
                }
                if let Some(reason) = f.disabled {
                    report.endpoints_disabled += 1;
                    tracing::warn!(endpoint = %endpoint_id, reason = reason.as_str(), "webhook endpoint disabled");
                }
            }
            // Not recorded: the leases run out and the attempts are made again.
            Ok(Err(e)) => tracing::warn!(error = %e, "webhook outcomes not recorded"),
            Err(e) => tracing::warn!(error = %e, "webhook outcomes not recorded"),
        }
        report
    }
}
