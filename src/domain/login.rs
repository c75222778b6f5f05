//! Failed-login backoff per account. A few mistakes cost nothing; after that each failure locks
//! the account's logins for twice as long as the last, up to a ceiling, and a quiet day forgets
//! the count. Keyed by account, not by address: a guesser spread across many addresses is held
//! back as much as one, and a buyer mistyping behind a carrier's shared address locks nobody
//! else.
use crate::policy::LoginPolicy;
use chrono::{DateTime, TimeDelta, Utc};

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

/// How long logins are locked after the `failures`-th failure in a row: none within the free
/// attempts, then the base lock, doubling with each further failure up to the ceiling.
pub fn lock_after(failures: i32, p: &LoginPolicy) -> Option<TimeDelta> {
    let over = failures - p.free_attempts - 1;
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
            base_lock_secs: 30,
            max_lock_secs: 900,
            forget_after_hours: 24,
        }
    }

    #[test]
    fn a_few_mistakes_are_free_then_the_lock_doubles_to_a_ceiling() {
        assert_eq!(lock_after(5, &p()), None);
        assert_eq!(lock_after(6, &p()), Some(TimeDelta::seconds(30)));
        assert_eq!(lock_after(7, &p()), Some(TimeDelta::seconds(60)));
        assert_eq!(lock_after(10, &p()), Some(TimeDelta::seconds(480)));
        assert_eq!(lock_after(11, &p()), Some(TimeDelta::seconds(900)));
        assert_eq!(lock_after(1000, &p()), Some(TimeDelta::seconds(900)));
    }

    #[test]
    fn a_quiet_day_forgets() {
        let t: DateTime<Utc> = "2026-11-30T10:00:00Z".parse().unwrap();
        assert_eq!(counted(7, t, t + TimeDelta::hours(23), &p()), 7);
        assert_eq!(counted(7, t, t + TimeDelta::hours(24), &p()), 0);
    }
}
