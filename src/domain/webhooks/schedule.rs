//! When a failed attempt is tried again: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and
//! 24 h after the previous failure, each with jitter, then the message fails for good.
use chrono::{DateTime, TimeDelta, Utc};

/// Delays after the 1st, 2nd, … failed attempt, in seconds.
pub const DELAYS_SECS: [i64; 9] = [
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
];

/// Jitter: a delay is stretched or shrunk by up to a tenth, so that receivers that come back
/// are not hit by every retry at the same second.
pub const JITTER: f64 = 0.1;

/// What an attempt's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Any 2xx.
    Delivered,
    /// 410: the receiver says it is gone for good.
    Gone,
    /// Anything else: another status, a timeout, a refused connection, a refused target. A
    /// `Retry-After` (on 429 or 503) in seconds.
    Failed { retry_after: Option<i64> },
}

impl Outcome {
    pub fn of_status(status: u16, retry_after: Option<i64>) -> Outcome {
        match status {
            200..=299 => Outcome::Delivered,
            410 => Outcome::Gone,
            429 | 503 => Outcome::Failed { retry_after },
            _ => Outcome::Failed { retry_after: None },
        }
    }
}

/// The next attempt after `failures` failed attempts (this one included), or `None` when the
/// schedule is spent. `jitter` in [-1, 1] scales the delay by up to ±`JITTER`. A `Retry-After`
/// longer than the schedule's delay is honoured (up to the longest delay of the schedule).
pub fn next_attempt(
    failures: usize,
    retry_after: Option<i64>,
    jitter: f64,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let base = *DELAYS_SECS.get(failures.checked_sub(1)?)?;
    let jittered = (base as f64 * (1.0 + JITTER * jitter.clamp(-1.0, 1.0))).round() as i64;
    let asked = retry_after.unwrap_or(0).clamp(0, DELAYS_SECS[8]);
    Some(now + TimeDelta::seconds(jittered.max(asked).max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        "2026-11-30T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_schedule_runs_nine_retries_then_stops() {
        let at = |n| next_attempt(n, None, 0.0, t0()).map(|t| (t - t0()).num_seconds());
        assert_eq!(at(1), Some(5));
        assert_eq!(at(2), Some(300));
        assert_eq!(at(5), Some(5 * 3600));
        assert_eq!(at(9), Some(24 * 3600));
        assert_eq!(at(10), None);
        assert_eq!(at(0), None);
    }

    #[test]
    fn jitter_stays_within_a_tenth() {
        let late = next_attempt(2, None, 1.0, t0()).unwrap();
        let early = next_attempt(2, None, -1.0, t0()).unwrap();
        assert_eq!((late - t0()).num_seconds(), 330);
        assert_eq!((early - t0()).num_seconds(), 270);
    }

    #[test]
    fn retry_after_is_honoured_when_longer_and_capped() {
        let at = |ra| (next_attempt(1, Some(ra), 0.0, t0()).unwrap() - t0()).num_seconds();
        assert_eq!(at(120), 120);
        assert_eq!(at(1), 5);
        assert_eq!(at(10 * 86_400), 86_400);
    }

    #[test]
    fn statuses_map_to_outcomes() {
        assert_eq!(Outcome::of_status(204, None), Outcome::Delivered);
        assert_eq!(Outcome::of_status(410, None), Outcome::Gone);
        assert_eq!(
            Outcome::of_status(503, Some(60)),
            Outcome::Failed {
                retry_after: Some(60)
            }
        );
        // A redirect is not followed and counts as a failure; Retry-After only on 429/503.
        assert_eq!(
            Outcome::of_status(301, Some(60)),
            Outcome::Failed { retry_after: None }
        );
    }
}
