//! Kazakhstan business-day calendar in Asia/Almaty time. Pure: dates in, dates out.
//!
//! A business day is Monday–Friday that is not a day off. Days off come from the per-year
//! table in `assets/calendar/kz_days_off.txt` (decrees are data, not code); years missing from it use the
//! statutory rule: the fixed public holidays plus Kurban Ait, each moved to the next working
//! day when it falls on a weekend.
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

const TABLE: &str = include_str!("../assets/calendar/kz_days_off.txt");

/// Fixed public holidays (month, day).
const FIXED_HOLIDAYS: [(u32, u32); 13] = [
    (1, 1),
    (1, 2),
    (1, 7),
    (3, 8),
    (3, 21),
    (3, 22),
    (3, 23),
    (5, 1),
    (5, 7),
    (5, 9),
    (7, 6),
    (8, 30),
    (10, 25),
];
const INDEPENDENCE_DAY: (u32, u32) = (12, 16);

/// First day of Kurban Ait: a lunar date, so a table.
const KURBAN_AIT: [(i32, u32, u32); 2] = [(2025, 6, 6), (2026, 5, 27)];

/// All of Kazakhstan moved to UTC+5 on 2024-03-01 (00:00 local, which was UTC+6).
pub fn almaty_offset(at: DateTime<Utc>) -> FixedOffset {
    let switch = Utc.with_ymd_and_hms(2024, 2, 29, 18, 0, 0).single();
    let hours = if switch.is_some_and(|s| at < s) { 6 } else { 5 };
    FixedOffset::east_opt(hours * 3600)
        .unwrap_or_else(|| FixedOffset::east_opt(5 * 3600).expect("valid offset"))
}

pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&almaty_offset(at)).date_naive()
}

/// The first instant of the local day after the one `at` falls in.
pub fn local_midnight_after(at: DateTime<Utc>) -> DateTime<Utc> {
    let offset = almaty_offset(at);
    let next = (local_date(at) + Duration::days(1)).and_time(NaiveTime::MIN);
    Utc.from_utc_datetime(&(next - Duration::seconds(i64::from(offset.local_minus_utc()))))
}

#[derive(Default)]
struct YearEntry {
    off: BTreeSet<NaiveDate>,
    work: BTreeSet<NaiveDate>,
}

fn table() -> &'static HashMap<i32, YearEntry> {
    static PARSED: OnceLock<HashMap<i32, YearEntry>> = OnceLock::new();
    PARSED.get_or_init(|| parse_table(TABLE))
}

/// Lines `YEAR off: MM-DD …` and `YEAR work: MM-DD …`; `#` comments. Malformed entries are
/// skipped (the table is compiled in and covered by tests).
fn parse_table(text: &str) -> HashMap<i32, YearEntry> {
    let mut years: HashMap<i32, YearEntry> = HashMap::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let Some((head, days)) = line.split_once(':') else {
            continue;
        };
        let mut head = head.split_whitespace();
        let (Some(year), Some(kind)) =
            (head.next().and_then(|y| y.parse::<i32>().ok()), head.next())
        else {
            continue;
        };
        let entry = years.entry(year).or_default();
        for md in days.split_whitespace() {
            let Some(date) = md
                .split_once('-')
                .and_then(|(m, d)| Some((m.parse().ok()?, d.parse().ok()?)))
                .and_then(|(m, d)| NaiveDate::from_ymd_opt(year, m, d))
            else {
                continue;
            };
            match kind {
                "off" => entry.off.insert(date),
                "work" => entry.work.insert(date),
                _ => false,
            };
        }
    }
    years
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Days off of `year` by the statutory rule alone.
pub fn statutory_days_off(year: i32) -> BTreeSet<NaiveDate> {
    let mut holidays: Vec<NaiveDate> = FIXED_HOLIDAYS
        .iter()
        .chain(std::iter::once(&INDEPENDENCE_DAY))
        .filter_map(|(m, d)| NaiveDate::from_ymd_opt(year, *m, *d))
        .collect();
    holidays.extend(
        KURBAN_AIT
            .iter()
            .filter(|(y, _, _)| *y == year)
            .filter_map(|(y, m, d)| NaiveDate::from_ymd_opt(*y, *m, *d)),
    );
    holidays.sort();
    let mut off: BTreeSet<NaiveDate> = holidays.iter().copied().collect();
    for h in holidays.iter().filter(|d| is_weekend(**d)) {
        // The next weekday that is neither a holiday nor already taken by another move.
        let mut d = *h + Duration::days(1);
        while is_weekend(d) || off.contains(&d) {
            d += Duration::days(1);
        }
        off.insert(d);
    }
    off
}

pub fn is_business_day(d: NaiveDate) -> bool {
    match table().get(&d.year()) {
        Some(entry) => entry.work.contains(&d) || (!is_weekend(d) && !entry.off.contains(&d)),
        None => !is_weekend(d) && !statutory_days_off(d.year()).contains(&d),
    }
}

/// The N-th business day after the local date of `at` (counting starts the day after).
pub fn nth_business_day_after(at: DateTime<Utc>, n: u32) -> NaiveDate {
    let mut d = local_date(at);
    let mut counted = 0;
    while counted < n {
        d += Duration::days(1);
        if is_business_day(d) {
            counted += 1;
        }
    }
    d
}

/// "N business days after `at`": 23:59:59 Almaty time of the N-th business day.
pub fn business_deadline(at: DateTime<Utc>, n: u32) -> DateTime<Utc> {
    let day = nth_business_day_after(at, n);
    let end = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
    let offset = almaty_offset(at);
    offset
        .from_local_datetime(&end)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| {
            Utc.from_utc_datetime(&(end - Duration::seconds(i64::from(offset.local_minus_utc()))))
        })
}

/// The business days a span covers, counted as deadlines count them: each business day after
/// the local date of `from`, up to and including the local date of `to`. A span within one
/// day, or over a weekend alone, covers none.
pub fn business_days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
    let (mut d, last) = (local_date(from), local_date(to));
    let mut n = 0;
    while d < last {
        d += Duration::days(1);
        if is_business_day(d) {
            n += 1;
        }
    }
    n
}

/// `at` moved `n` business days on, at the same local time: a deadline at 23:59:59 of the
/// N-th business day becomes 23:59:59 of the (N + n)-th.
pub fn add_business_days(at: DateTime<Utc>, n: u32) -> DateTime<Utc> {
    if n == 0 {
        return at;
    }
    let offset = almaty_offset(at);
    let time = at.with_timezone(&offset).time();
    let local = nth_business_day_after(at, n).and_time(time);
    offset
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| {
            Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(offset.local_minus_utc()))))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_covers_the_business_days_it_enters() {
        // Friday 2026-11-20 10:00 local to Monday 23rd 09:00: the weekend counts nothing.
        assert_eq!(
            business_days_between(utc("2026-11-20T05:00:00Z"), utc("2026-11-23T04:00:00Z")),
            1
        );
        assert_eq!(
            business_days_between(utc("2026-11-21T05:00:00Z"), utc("2026-11-22T17:00:00Z")),
            0,
            "a weekend alone"
        );
        assert_eq!(
            business_days_between(utc("2026-11-23T05:00:00Z"), utc("2026-11-23T17:00:00Z")),
            0,
            "within one day"
        );
        // Across 16 December (Independence Day, Wednesday 2026).
        assert_eq!(
            business_days_between(utc("2026-12-14T05:00:00Z"), utc("2026-12-18T05:00:00Z")),
            3
        );
    }

    #[test]
    fn moving_a_deadline_by_business_days_keeps_its_local_time() {
        let due = business_deadline(utc("2026-11-20T13:30:00Z"), 3);
        assert_eq!(due, utc("2026-11-25T18:59:59Z"));
        assert_eq!(add_business_days(due, 0), due);
        assert_eq!(
            add_business_days(due, 3),
            business_deadline(utc("2026-11-20T13:30:00Z"), 6)
        );
        assert_eq!(add_business_days(due, 3), utc("2026-11-30T18:59:59Z"));
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_table_for_2026_matches_the_statutory_rule_and_domain_md() {
        let weekdays = |y| {
            statutory_days_off(y)
                .into_iter()
                .filter(|d| !is_weekend(*d))
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(table()[&2026].off, weekdays(2026));
        assert_eq!(table()[&2025].off, weekdays(2025));
        assert_eq!(table()[&2026].off.len(), 15);
    }

    #[test]
    fn business_days_table() {
        let cases = [
            ("2026-01-01", false),
            ("2026-01-02", false),
            ("2026-01-05", true),
            ("2026-01-07", false),
            ("2026-03-06", true),
            ("2026-03-09", false),
            ("2026-03-20", true),
            ("2026-03-23", false),
            ("2026-03-24", false),
            ("2026-03-25", false),
            ("2026-03-26", true),
            ("2026-05-08", true),
            ("2026-05-11", false),
            ("2026-05-27", false),
            ("2026-05-28", true),
            ("2026-08-31", false),
            ("2026-10-26", false),
            ("2026-12-16", false),
            ("2026-11-21", false),
            ("2026-11-23", true),
            ("2025-03-10", false),
            ("2025-06-06", false),
            ("2025-09-01", false),
            ("2027-01-01", false),
        ];
        for (d, expected) in cases {
            assert_eq!(is_business_day(date(d)), expected, "{d}");
        }
    }

    #[test]
    fn deadlines_end_at_local_midnight_minus_one_second() {
        // (instant, business days, due) — UTC, Almaty is UTC+5.
        let cases = [
            // Friday evening + 3 → Wednesday 23:59:59 local.
            ("2026-11-20T14:00:00Z", 3, "2026-11-25T18:59:59Z"),
            // Friday 23:30 local is still Friday.
            ("2026-11-20T18:30:00Z", 1, "2026-11-23T18:59:59Z"),
            // 00:30 local Saturday (Friday 19:30 UTC) counts from Sunday → Monday.
            ("2026-11-20T19:30:00Z", 1, "2026-11-23T18:59:59Z"),
            // New Year: Dec 31 → Jan 5 (1, 2 off; 3, 4 weekend).
            ("2025-12-31T06:00:00Z", 1, "2026-01-05T18:59:59Z"),
            // Nauryz 2026: Friday Mar 20 + 1 → Thursday Mar 26.
            ("2026-03-20T06:00:00Z", 1, "2026-03-26T18:59:59Z"),
            // May: Thursday May 7 (off) + 3 → Fri 8, (11 off), Tue 12, Wed 13.
            ("2026-05-07T06:00:00Z", 3, "2026-05-13T18:59:59Z"),
            // Kurban Ait 2026: Tuesday May 26 + 1 → Thursday May 28.
            ("2026-05-26T06:00:00Z", 1, "2026-05-28T18:59:59Z"),
            // Independence Day: Tuesday Dec 15 + 2 → Thu 17, Fri 18.
            ("2026-12-15T06:00:00Z", 2, "2026-12-18T18:59:59Z"),
            // Before 2024-03-01 Almaty was UTC+6.
            ("2024-02-26T06:00:00Z", 1, "2024-02-27T17:59:59Z"),
        ];
        for (at, n, due) in cases {
            assert_eq!(business_deadline(utc(at), n), utc(due), "{at} + {n}");
        }
    }

    #[test]
    fn transfers_in_the_table_are_honoured() {
        let parsed =
            parse_table("2030 off: 01-03\n2030 work: 01-05\n# x\nbad line\n2030 off: 13-45");
        let y = &parsed[&2030];
        assert!(y.off.contains(&date("2030-01-03")));
        assert!(y.work.contains(&date("2030-01-05")));
        assert_eq!(y.off.len(), 1);
    }

    #[test]
    fn statutory_moves_chain_past_neighbouring_holidays() {
        // 2026: Nauryz 21 (Sat) and 22 (Sun) move past 23 (Mon, itself a holiday) to 24 and 25.
        let off = statutory_days_off(2026);
        for d in [
            "2026-03-23",
            "2026-03-24",
            "2026-03-25",
            "2026-03-09",
            "2026-05-11",
            "2026-08-31",
            "2026-10-26",
        ] {
            assert!(off.contains(&date(d)), "{d}");
        }
    }
}
