//! Failed-login backoff, kept per (account, address) pair with a higher ceiling per account.
//!
//! A lock keyed by the account alone protected the password and handed anyone a way to lock its
//! owner out: six wrong passwords, then one per period. So the lock that a few mistakes earn is
//! the pair's: the address that failed waits, the owner on another address logs in. A guess
//! spread over many addresses is held back by the account's own count, which locks at a higher
//! ceiling, and then only for the addresses that have failed on it: an address with no failures
//! on the account still gets its try, so the owner is let in with the right password while the
//! guessers wait, and a botnet gets one guess per address per day instead of five.
//!
//! Both counts double the lock with each failure past their free attempts, up to a ceiling, and
//! a quiet day forgets them. Unknown e-mails are counted alike, so a lock says nothing about who
//! is registered.
use crate::policy::LoginPolicy;
use chrono::{DateTime, TimeDelta, Utc};

/// What is on record for one key (a pair, or the account as a whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub failures: i32,
    pub last_failure_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl Standing {
    /// The failures that still count at `now`.
    pub fn counted(&self, now: DateTime<Utc>, p: &LoginPolicy) -> i32 {
        counted(self.failures, self.last_failure_at, now, p)
    }

    fn locked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|u| *u > now)
    }
}

/// Whether an attempt from an address is looked at, or waits until the instant given.
pub fn admission(
    pair: Option<&Standing>,
    account: Option<&Standing>,
    now: DateTime<Utc>,
    p: &LoginPolicy,
) -> Result<(), DateTime<Utc>> {
    if let Some(until) = pair.and_then(|s| s.locked_at(now)) {
        return Err(until);
    }
    let failed_here = pair.is_some_and(|s| s.counted(now, p) > 0);
    match account.and_then(|s| s.locked_at(now)) {
        Some(until) if failed_here => Err(until),
        _ => Ok(()),
    }
}

/// The standing after one more failure at `now`, with `free` failures in a row costing nothing.
pub fn after_failure(
    before: Option<&Standing>,
    free: i32,
    now: DateTime<Utc>,
    p: &LoginPolicy,
) -> Standing {
    let failures = before.map_or(0, |s| s.counted(now, p)) + 1;
    Standing {
        failures,
        last_failure_at: now,
        locked_until: lock_after(failures, free, p).map(|d| now + d),
    }
}

/// The failures that count at `now`, given the stored count and when the last one was.
pub fn counted(
    failures: i32,
    last_failure_at: DateTime<Utc>,
    now: DateTime<Utc>,
    p: &LoginPolicy,
) -> i32 {
    if now - last_failure_at >= TimeDelta::hours(p.forget_after_hours) {
        0
    } else {
        failures
    }
}

/// How long logins are locked after the `failures`-th failure in a row: none within the `free`
/// attempts, then the base lock, doubling with each further failure up to the ceiling.
pub fn lock_after(failures: i32, free: i32, p: &LoginPolicy) -> Option<TimeDelta> {
    let over = failures - free - 1;
    if over < 0 {
        return None;
    }
    let secs = p
        .base_lock_secs
        .saturating_mul(1i64 << over.min(30))
        .min(p.max_lock_secs);
    Some(TimeDelta::seconds(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> LoginPolicy {
        LoginPolicy {
            free_attempts: 5,
            account_free_attempts: 20,
            base_lock_secs: 30,
            max_lock_secs: 900,
            forget_after_hours: 24,
        }
    }

    fn t() -> DateTime<Utc> {
        "2026-11-30T10:00:00Z".parse().unwrap()
    }

    fn failed(times: i32, free: i32) -> Standing {
        (0..times)
            .fold(None, |s, _| {
                Some(after_failure(s.as_ref(), free, t(), &p()))
            })
            .unwrap()
    }

    #[test]
    fn a_few_mistakes_are_free_then_the_lock_doubles_to_a_ceiling() {
        assert_eq!(lock_after(5, 5, &p()), None);
        assert_eq!(lock_after(6, 5, &p()), Some(TimeDelta::seconds(30)));
        assert_eq!(lock_after(7, 5, &p()), Some(TimeDelta::seconds(60)));
        assert_eq!(lock_after(10, 5, &p()), Some(TimeDelta::seconds(480)));
        assert_eq!(lock_after(11, 5, &p()), Some(TimeDelta::seconds(900)));
        assert_eq!(lock_after(1000, 5, &p()), Some(TimeDelta::seconds(900)));
        assert_eq!(lock_after(20, 20, &p()), None);
        assert_eq!(lock_after(21, 20, &p()), Some(TimeDelta::seconds(30)));
    }

    #[test]
    fn a_quiet_day_forgets() {
        assert_eq!(counted(7, t(), t() + TimeDelta::hours(23), &p()), 7);
        assert_eq!(counted(7, t(), t() + TimeDelta::hours(24), &p()), 0);
        let later = after_failure(Some(&failed(9, 5)), 5, t() + TimeDelta::hours(24), &p());
        assert_eq!((later.failures, later.locked_until), (1, None));
    }

    #[test]
    fn the_pair_that_failed_waits() {
        let pair = failed(6, 5);
        let until = t() + TimeDelta::seconds(30);
        assert_eq!(admission(Some(&pair), None, t(), &p()), Err(until));
        assert_eq!(admission(Some(&pair), None, until, &p()), Ok(()));
    }

    #[test]
    fn a_locked_account_waits_only_for_addresses_that_failed_on_it() {
        let account = failed(21, 20);
        let until = t() + TimeDelta::seconds(30);
        // An address with no failures on the account: the owner, or a guesser's first try.
        assert_eq!(admission(None, Some(&account), t(), &p()), Ok(()));
        assert_eq!(
            admission(Some(&failed(1, 5)), Some(&account), t(), &p()),
            Err(until)
        );
        // A failure forgotten after a quiet day no longer marks the address.
        let old = Standing {
            last_failure_at: t() - TimeDelta::hours(24),
            ..failed(1, 5)
        };
        assert_eq!(admission(Some(&old), Some(&account), t(), &p()), Ok(()));
        // Below its ceiling the account holds nobody back.
        assert_eq!(
            admission(Some(&failed(3, 5)), Some(&failed(20, 20)), t(), &p()),
            Ok(())
        );
    }
}
