//! The one clock. Everything that reads "now" takes it from here, so tests and
//! `aftersale sweep --at` can fix time.
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// Instants are kept to the microsecond: both databases store that precision, so a value
/// read back equals the value written.
pub fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        truncate(Utc::now())
    }
}

/// A clock that stands still until told otherwise.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(truncate(at)))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = truncate(at);
    }
    pub fn advance(&self, by: TimeDelta) {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *guard += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let t0 = "2026-11-21T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let clock = FixedClock::new(t0);
        assert_eq!(clock.now(), t0);
        clock.advance(TimeDelta::hours(2));
        assert_eq!(clock.now(), t0 + TimeDelta::hours(2));
    }

    #[test]
    fn truncates_to_microseconds() {
        let t = "2026-11-21T10:00:00.123456789Z"
            .parse::<DateTime<Utc>>()
            .unwrap();
        assert_eq!(truncate(t).timestamp_subsec_nanos(), 123_456_000);
    }
}
