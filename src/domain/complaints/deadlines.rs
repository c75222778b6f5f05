//! A case's deadlines: what is due next and when, paused while the buyer is asked for information.
use super::*;
use crate::calendar::{add_business_days, business_days_between};

impl Case {
    /// The seller still owes the first response (and silence has not escalated the case).
    pub fn seller_response_pending(&self) -> bool {
        self.target == Target::Seller
            && self.seller_respond_by.is_some()
            && self.seller_responded_at.is_none()
            && self.escalated_at.is_none()
            && self.status.is_open()
    }

    /// Seller-first routing: a seller case is the seller's to act on first, so moderators
    /// neither see it in their queue nor act on it (beyond messages) until the seller answers,
    /// the seller's deadline passes (the sweep escalates) or the buyer escalates.
    pub fn with_seller_first(&self) -> bool {
        self.seller_response_pending()
    }

    /// The nearest deadline still running, if any (lists' `overdue`, the moderation queue).
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        if !self.status.is_open() {
            return None;
        }
        let seller = self
            .seller_respond_by
            .filter(|_| self.seller_response_pending());
        // Acknowledging is the moderators' duty: a question to the buyer does not pause it.
        let acknowledge = Some(self.acknowledge_by).filter(|_| self.acknowledged_at.is_none());
        let resolve = Some(self.resolve_by).filter(|_| self.status != Status::AwaitingBuyer);
        [seller, acknowledge, resolve].into_iter().flatten().min()
    }

    /// Deadlines passed as of `now`: (which, due). The sweep records each once.
    pub fn breaches(&self, now: DateTime<Utc>) -> Vec<(Sla, DateTime<Utc>)> {
        let mut out = Vec::new();
        if self.acknowledged_at.is_none() && self.status.is_open() && now > self.acknowledge_by {
            out.push((Sla::Acknowledge, self.acknowledge_by));
        }
        if let Some(by) = self.seller_respond_by {
            if self.seller_response_pending() && now > by {
                out.push((Sla::SellerResponse, by));
            }
        }
        if self.status.needs_moderator() && now > self.resolve_by {
            out.push((Sla::Resolution, self.resolve_by));
        }
        out
    }

    /// The first instant the buyer may escalate: after 2 business days without a public reply.
    pub fn escalation_allowed_after(&self, p: &ComplaintPolicy) -> DateTime<Utc> {
        business_deadline(self.last_reply_at, p.escalation_after_business_days)
    }

    /// The resolution deadline from the track, the clock start and the time paused (a track
    /// change): the pauses' total, laid from the clock's start, in the new track's unit —
    /// the business days it covers there for `standard`, its seconds otherwise.
    pub(crate) fn track_resolve_by(&self, p: &ComplaintPolicy) -> DateTime<Utc> {
        let unpaused = track_deadline(self.track, self.clock_started_at, p);
        let start = self.clock_started_at;
        let days = business_days_between(start, start + TimeDelta::seconds(self.paused_secs));
        pushed_by_pause(self.track, unpaused, self.paused_secs, days)
    }

    /// The pause since `paused_at` as of `now`: (clock seconds, business days covered).
    pub(crate) fn pause_so_far(&self, now: DateTime<Utc>) -> (i64, u32) {
        match self.paused_at {
            Some(at) => ((now - at).num_seconds(), business_days_between(at, now)),
            None => (0, 0),
        }
    }
}

/// A deadline moved by a pause, in its track's own unit: `standard` counts business days, so
/// weekends and holidays spent waiting are not credited and the deadline still ends at
/// 23:59:59 Almaty time; the calendar-day tracks count elapsed seconds.
pub(crate) fn pushed_by_pause(
    track: Track,
    due: DateTime<Utc>,
    secs: i64,
    business_days: u32,
) -> DateTime<Utc> {
    match track {
        Track::Standard => add_business_days(due, business_days),
        Track::Complex | Track::Expertise => due + TimeDelta::seconds(secs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    const MOD: Actor = Actor {
        role: Role::Moderator,
        id: "m1",
    };
    const BUYER: Actor = Actor {
        role: Role::Buyer,
        id: "b1",
    };

    /// A standard courier case filed Friday 2026-11-20 18:30 Almaty, acknowledged and asked
    /// a question at `asked`; due Wednesday 25th 23:59:59 before any pause.
    fn asked(asked: &str) -> (Case, ComplaintPolicy) {
        let p = Policy::default().complaints;
        let c = open_case(Target::Courier, t("2026-11-20T13:30:00Z"), &p);
        assert_eq!(c.resolve_by, t("2026-11-25T18:59:59Z"));
        let c = apply(
            &c,
            MOD,
            &Command::Acknowledge,
            t("2026-11-20T14:00:00Z"),
            &p,
        )
        .unwrap();
        let c = apply(&c, MOD, &Command::RequestInfo, t(asked), &p).unwrap();
        (c, p)
    }

    #[test]
    fn a_weekend_spent_waiting_is_not_credited_on_the_standard_track() {
        // Asked Friday 20:00, answered Sunday 15:00 (Almaty): no business day passed waiting,
        // where 43 clock hours used to be added.
        let (c, p) = asked("2026-11-20T15:00:00Z");
        let c = apply(
            &c,
            BUYER,
            &Command::ProvideInfo,
            t("2026-11-22T10:00:00Z"),
            &p,
        )
        .unwrap();
        assert_eq!(c.resolve_by, t("2026-11-25T18:59:59Z"));
        // Answered Monday morning: Monday is the one business day entered while waiting.
        let (c, p) = asked("2026-11-20T15:00:00Z");
        let c = apply(
            &c,
            BUYER,
            &Command::ProvideInfo,
            t("2026-11-23T04:00:00Z"),
            &p,
        )
        .unwrap();
        assert_eq!(c.resolve_by, t("2026-11-26T18:59:59Z"));
    }

    #[test]
    fn a_seller_case_is_the_sellers_first() {
        let p = Policy::default().complaints;
        let filed = t("2026-11-20T13:30:00Z");
        let c = open_case(Target::Seller, filed, &p);
        assert!(c.with_seller_first());
        let now = filed + TimeDelta::hours(1);
        assert_eq!(
            apply(&c, MOD, &Command::Acknowledge, now, &p),
            Err(Refusal::SellerActsFirst)
        );
        assert_eq!(
            allowed_actions(&c, Role::Moderator, now, &p),
            vec![Action::PostMessage]
        );
        let seller = Actor {
            role: Role::Seller,
            id: "s1",
        };
        let answered = apply(&c, seller, &Command::Respond, now, &p).unwrap();
        assert!(!answered.with_seller_first());
        assert!(apply(&answered, MOD, &Command::Acknowledge, now, &p).is_ok());
        let after = filed + TimeDelta::hours(p.seller_response_hours) + TimeDelta::seconds(1);
        let silent = escalate_for_silence(&c, after).unwrap();
        assert!(!silent.with_seller_first());
    }

    #[test]
    fn a_pause_moves_a_standard_deadline_by_whole_business_days_to_23_59_59() {
        // Asked Monday 10:00, answered Tuesday 12:30: Tuesday was spent waiting.
        let (c, p) = asked("2026-11-23T05:00:00Z");
        let c = apply(
            &c,
            BUYER,
            &Command::ProvideInfo,
            t("2026-11-24T07:30:15Z"),
            &p,
        )
        .unwrap();
        assert_eq!(c.paused_secs, 26 * 3600 + 30 * 60 + 15);
        assert_eq!(c.resolve_by, t("2026-11-26T18:59:59Z"), "Thursday 23:59:59");
        // Changing to a calendar track counts the same pause in seconds.
        let c = apply(
            &c,
            MOD,
            &Command::ChangeTrack(Track::Complex),
            t("2026-11-24T08:00:00Z"),
            &p,
        )
        .unwrap();
        assert_eq!(
            c.resolve_by,
            t("2026-11-30T13:30:00Z") + TimeDelta::seconds(26 * 3600 + 30 * 60 + 15)
        );
        // And back: the total (1 d 2 h 30 min 15 s) laid from the clock's start (Friday 18:30)
        // covers no business day, so a track change credits none; still at 23:59:59.
        let c = apply(
            &c,
            MOD,
            &Command::ChangeTrack(Track::Standard),
            t("2026-11-24T09:00:00Z"),
            &p,
        )
        .unwrap();
        assert_eq!(c.resolve_by, t("2026-11-25T18:59:59Z"));
    }

    #[test]
    fn an_extension_made_during_a_pause_is_moved_only_by_the_rest_of_it() {
        // Asked Monday 23rd; extended Wednesday 25th to Friday 27th 23:59:59; answered Friday.
        let (c, p) = asked("2026-11-23T05:00:00Z");
        let extend = Command::Extend {
            resolve_by: t("2026-11-27T18:59:59Z"),
        };
        let c = apply(&c, MOD, &extend, t("2026-11-25T05:00:00Z"), &p).unwrap();
        assert_eq!(c.status, Status::AwaitingBuyer);
        let c = apply(
            &c,
            BUYER,
            &Command::ProvideInfo,
            t("2026-11-27T05:00:00Z"),
            &p,
        )
        .unwrap();
        // Thursday and Friday waited after the extension; Tuesday and Wednesday before it do
        // not move the new date again.
        assert_eq!(c.resolve_by, t("2026-12-01T18:59:59Z"), "Tuesday 23:59:59");
        assert_eq!(
            c.paused_secs,
            4 * 86_400,
            "the whole pause is kept for a track change"
        );
    }
}
