//! Seller analytics and the moderators' dashboard: the pure parts — rates with their
//! numerator and denominator, medians, the reporting window and its Almaty weeks.
use crate::calendar::{almaty_offset, local_date};
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub mod figures;
pub mod series;

/// A share of decided items: `numerator` of `denominator` met the target. `rate` (0–1, four
/// decimals) is absent when nothing was decided yet: 0 of 0 is not 0 %.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, ToSchema)]
// Not `Rate`: a generated Python model names its local after the class, which would shadow
// the `rate` field.
#[schema(as = RateFigure)]
pub struct Rate {
    pub rate: Option<f64>,
    pub numerator: i64,
    pub denominator: i64,
}

impl Rate {
    pub fn new(numerator: i64, denominator: i64) -> Rate {
        let rate = (denominator > 0)
            .then(|| (numerator as f64 / denominator as f64 * 10_000.0).round() / 10_000.0);
        Rate {
            rate,
            numerator,
            denominator,
        }
    }
}

/// The median of whole seconds: the middle one, or the mean of the two middle ones rounded
/// down. `None` for no values.
pub fn median(sorted: &[i64]) -> Option<i64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]).div_euclid(2)),
    }
}

/// The reporting window `[from, to)`: by default the `DEFAULT_WINDOW_DAYS` before `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Why a window is refused: (field, code).
pub type WindowRefusal = (&'static str, &'static str);

// The two window bounds are limits of the HTTP contract (API.md: "default the last 90
// days"), not rules of docs/rules.md, so they stay here rather than in `policy`. The default
// happens to equal `reviews.rating_period_days` but does not follow it: a dashboard's default
// range must not move when the rating rule does.

/// Window a request gets when it names no `from`.
pub const DEFAULT_WINDOW_DAYS: i64 = 90;

/// Longest window a request may ask for: a year and a day, enough for year-on-year reports.
pub const MAX_WINDOW_DAYS: i64 = 366;

impl Window {
    pub fn resolve(
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Window, WindowRefusal> {
        let to = to.unwrap_or(now);
        let from = from.unwrap_or(to - TimeDelta::days(DEFAULT_WINDOW_DAYS));
        if from >= to {
            return Err(("from", "not_before_to"));
        }
        if to - from > TimeDelta::days(MAX_WINDOW_DAYS) {
            return Err(("from", "window_too_long"));
        }
        Ok(Window { from, to })
    }

    /// The Monday-based Almaty weeks that overlap the window, by their Mondays.
    pub fn weeks(&self) -> Vec<NaiveDate> {
        let first = week_start(local_date(self.from));
        let last = week_start(local_date(self.to - TimeDelta::microseconds(1)));
        let mut out = Vec::new();
        let mut w = first;
        while w <= last {
            out.push(w);
            w += TimeDelta::days(7);
        }
        out
    }
}

/// The Monday of the week `day` falls in.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The first instant of a local (Almaty) day.
pub fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let guess = Utc.from_utc_datetime(&naive);
    let offset = almaty_offset(guess);
    Utc.from_utc_datetime(&(naive - TimeDelta::seconds(i64::from(offset.local_minus_utc()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn rates_and_medians() {
        assert_eq!(Rate::new(1, 3).rate, Some(0.3333));
        assert_eq!(Rate::new(0, 0).rate, None);
        assert_eq!(Rate::new(2, 2).rate, Some(1.0));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[1, 2, 10]), Some(2));
        assert_eq!(median(&[1, 2, 3, 10]), Some(2));
    }

    #[test]
    fn the_window_defaults_to_90_days_and_is_checked() {
        let now = t("2026-11-30T12:00:00Z");
        let w = Window::resolve(None, None, now).unwrap();
        assert_eq!((w.from, w.to), (t("2026-09-01T12:00:00Z"), now));
        assert_eq!(
            Window::resolve(Some(now), Some(now), now),
            Err(("from", "not_before_to"))
        );
        assert_eq!(
            Window::resolve(Some(t("2025-01-01T00:00:00Z")), None, now),
            Err(("from", "window_too_long"))
        );
    }

    #[test]
    fn weeks_are_almaty_mondays_overlapping_the_window() {
        // Sunday 2026-11-22 20:00 UTC is Monday 01:00 in Almaty.
        let w = Window {
            from: t("2026-11-22T20:00:00Z"),
            to: t("2026-12-07T00:00:00Z"), // Monday 05:00 Almaty: that week overlaps too
        };
        let weeks: Vec<String> = w.weeks().iter().map(|d| d.to_string()).collect();
        assert_eq!(weeks, vec!["2026-11-23", "2026-11-30", "2026-12-07"]);
        assert_eq!(
            local_midnight("2026-11-23".parse().unwrap()),
            t("2026-11-22T19:00:00Z")
        );
    }
}
