//! Series a dashboard charts (`GET /shops/{id}/stats?interval=day|week`): the window's days or
//! weeks, every one of them, each a point of the counts the day counters hold for it.
use super::{week_start, Rate};
use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

text_enum!(
    /// How long one point of a series is: a day, or a week from its Monday.
    #[schema(as = StatsInterval)]
    Interval { Day => "day", Week => "week" }
);

impl Interval {
    /// `week` when the caller names none; `Err` names the refused field.
    pub fn from_param(param: Option<&str>) -> Result<Interval, (&'static str, &'static str)> {
        match param {
            None => Ok(Interval::Week),
            Some(p) => Interval::parse(p).ok_or(("interval", "invalid")),
        }
    }

    /// The start of the point `day` falls in.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Interval::Day => day,
            Interval::Week => week_start(day),
        }
    }

    fn step(self) -> TimeDelta {
        match self {
            Interval::Day => TimeDelta::days(1),
            Interval::Week => TimeDelta::days(7),
        }
    }

    /// Every point's start from the one `first` falls in to the one `last` falls in, one
    /// interval apart: the empty ones too, so a chart's x axis is the list itself.
    pub fn starts(self, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut at = self.start_of(first);
        while at <= last {
            out.push(at);
            at += self.step();
        }
        out
    }

    /// The last day of the point starting at `start`.
    pub fn last_day(self, start: NaiveDate) -> NaiveDate {
        start + self.step() - TimeDelta::days(1)
    }
}

/// A shop's series over the window.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ShopSeries {
    pub interval: Interval,
    /// One point per UTC day (or week, Monday first) that overlaps the window, in order; a
    /// point counts its whole day or week, the window's edges included.
    pub points: Vec<ShopPoint>,
    /// The product named by `product_id`, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductSeries>,
}

/// What one day or week of the shop counted. The rates count the items done (replied,
/// answered, decided, resolved) — not those still open — so a past point does not move with
/// the clock; the window's figures above count the late open ones too.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct ShopPoint {
    /// The point's first day.
    pub start: NaiveDate,
    /// Reviews written, whatever became of them.
    pub reviews: i64,
    /// Of those, published and rating the shop 2★ or less.
    pub negative_reviews: i64,
    /// Negative reviews replied within the reply target (`reviews.reply_target_hours`), of
    /// those replied.
    pub negative_replied_on_time: Rate,
    /// Conversations the buyer began.
    pub conversations: i64,
    /// First answers within the target (`messages.seller_first_reply_target_hours`), of
    /// conversations answered.
    pub answered_on_time: Rate,
    /// Complaints about the shop filed.
    pub complaints: i64,
    /// Resolved by their deadline, of those resolved.
    pub complaints_resolved_on_time: Rate,
    /// Returns requested.
    pub returns: i64,
    /// Decided by the seller within the deadline, of those decided.
    pub returns_decided_on_time: Rate,
    /// Refunded within the refund deadline after pickup, of those refunded.
    pub returns_refunded_on_time: Rate,
}

/// A product's series: its published, visible reviews by the Almaty day they were written
/// (the counters its public rating is read from).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ProductSeries {
    pub product_id: String,
    pub points: Vec<ProductPoint>,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Default)]
pub struct ProductPoint {
    pub start: NaiveDate,
    pub reviews: i64,
    /// Rated 2★ or less.
    pub negative_reviews: i64,
    /// To two decimals; null without reviews.
    pub average: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn points_are_one_interval_apart_and_cover_both_ends() {
        // 2026-11-04 is a Wednesday, 2026-11-17 a Tuesday.
        let weeks: Vec<String> = Interval::Week
            .starts(d("2026-11-04"), d("2026-11-17"))
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(weeks, ["2026-11-02", "2026-11-09", "2026-11-16"]);
        assert_eq!(
            Interval::Day.starts(d("2026-11-04"), d("2026-11-06")).len(),
            3
        );
        assert_eq!(Interval::Week.last_day(d("2026-11-02")), d("2026-11-08"));
        assert_eq!(Interval::Day.last_day(d("2026-11-02")), d("2026-11-02"));
    }

    #[test]
    fn the_interval_defaults_to_week_and_names_a_bad_value() {
        assert_eq!(Interval::from_param(None), Ok(Interval::Week));
        assert_eq!(Interval::from_param(Some("day")), Ok(Interval::Day));
        assert_eq!(
            Interval::from_param(Some("month")),
            Err(("interval", "invalid"))
        );
    }
}
