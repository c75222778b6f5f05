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

/// Messages of one endpoint taken in one claim. A claim costs two transactions whatever its
/// size, so a steady stream goes out in large groups (measured: groups of 10 cost the filing
/// a claim and a commit per ten messages). The lease, not the size, bounds how long a claim
/// may keep its endpoint: see `Dispatcher::lease` and `send_group`.
const PER_ENDPOINT: i64 = 100;

/// Attempts a lease is sized for, each taking at most the timeout. A group that would outrun
/// its lease stops and hands the rest back, so a crashed instance holds an endpoint for
/// minutes, not for a hundred timeouts.
const LEASE_ATTEMPTS: i64 = 10;

/// Time a claim keeps for recording its outcomes before its lease ends.
const FINISH_MARGIN: TimeDelta = TimeDelta::seconds(60);

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

/// Whether an attempt starting `elapsed` after the claim ends, even at its timeout, in time for
/// its outcome to be recorded under the claim's lease.
fn may_start(elapsed: std::time::Duration, lease: TimeDelta, per_attempt: TimeDelta) -> bool {
    let last_start = (lease - FINISH_MARGIN - per_attempt)
        .to_std()
        .unwrap_or_default();
    elapsed <= last_start
}

/// One endpoint's messages taken by one claim, in event order.
struct Group {
    claimed_at: std::time::Instant,
    messages: Vec<Claimed>,
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

    /// The longest one attempt may take (its timeout, and a little for signing and reading).
    fn per_attempt(&self) -> TimeDelta {
        TimeDelta::seconds(self.policy.webhooks.attempt_timeout_secs as i64 + 5)
    }

    /// A claim's lease: `LEASE_ATTEMPTS` attempts one after another, and the time to record them.
    fn lease(&self) -> TimeDelta {
        self.per_attempt() * LEASE_ATTEMPTS as i32 + FINISH_MARGIN
    }

    async fn claim(&self, endpoints: usize) -> Result<Vec<Group>, DbError> {
        // A token per claim: the leases of one claim are told apart from this instance's others.
        let (db, token, lease) = (self.db.clone(), crate::db::new_id(), self.lease());
        let now = self.clock.now();
        let limit = endpoints as i64 * PER_ENDPOINT;
        let claimed_at = std::time::Instant::now();
        let claimed = actix_web::web::block(move || {
            db.run(|c| deliveries::claim(c, &token, limit, PER_ENDPOINT, lease, now))
        })
        .await
        .map_err(|e| DbError::Other(e.to_string()))??;
        // Claimed rows come ordered by endpoint, then event order.
        let mut groups: Vec<Group> = Vec::new();
        for c in claimed {
            match groups.last_mut() {
                Some(g) if g.messages[0].endpoint.id == c.endpoint.id => g.messages.push(c),
                _ => groups.push(Group {
                    claimed_at,
                    messages: vec![c],
                }),
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
                            let full = g.messages.len() as i64 >= PER_ENDPOINT;
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
    /// end. When the endpoint ends on the way (410, or five days of failures), or the lease
    /// would end before the next attempt could, the rest are handed back unsent.
    async fn send_group(&self, group: Group) -> DispatchReport {
        let mut report = DispatchReport::default();
        let Some(first) = group.messages.first() else {
            return report;
        };
        let (lease, per_attempt) = (self.lease(), self.per_attempt());
        let (endpoint, token) = (first.endpoint.clone(), first.token.clone());
        let failing_for = TimeDelta::days(self.policy.webhooks.disable_after_failing_days);
        // Followed here as `finish` will store it, to stop sending at the attempt that ends
        // the endpoint; `finish` decides on the stored row.
        let mut failing_since = endpoint.failing_since.map(crate::db::from_db);
        let mut attempted = Vec::with_capacity(group.messages.len());
        let mut rest = group.messages.into_iter().peekable();
        while let Some(c) =
            rest.next_if(|_| may_start(group.claimed_at.elapsed(), lease, per_attempt))
        {
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
        let (db, now, endpoint_id) = (self.db.clone(), self.clock.now(), endpoint.id.clone());
        let finished = actix_web::web::block(move || {
            db.run(|c| deliveries::finish(c, &endpoint, &token, &attempted, failing_for, now))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_group_stops_while_its_last_attempt_can_still_be_recorded() {
        let per = TimeDelta::seconds(20);
        let lease = per * LEASE_ATTEMPTS as i32 + FINISH_MARGIN; // 260 s
        assert!(may_start(Duration::ZERO, lease, per));
        assert!(may_start(Duration::from_secs(180), lease, per));
        assert!(!may_start(Duration::from_secs(181), lease, per));
    }
}
