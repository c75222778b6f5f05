//! Buyer ↔ seller conversation per order (docs/rules.md "Messages"): when the buyer writes into a
//! conversation the seller has not answered, the seller's first answer is due — the target is
//! 24 hours, the limit 48. A seller's message answers everything the buyer wrote before it.
use crate::domain::roles::Role;
use crate::policy::MessagePolicy;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

text_enum!(
    /// The two reply deadlines the sweep watches.
    #[schema(as = ReplySla)]
    Sla { ReplyTarget => "reply_target", ReplyLimit => "reply_limit" }
);

/// The conversation's reply clock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thread {
    /// The buyer's earliest message the seller has not answered.
    pub awaiting_since: Option<DateTime<Utc>>,
    pub last_reply_at: Option<DateTime<Utc>>,
}

impl Thread {
    /// After a message by `author` at `now`.
    pub fn after_message(&self, author: Role, now: DateTime<Utc>) -> Thread {
        let mut next = self.clone();
        match author {
            Role::Buyer => {
                next.awaiting_since.get_or_insert(now);
            }
            Role::Seller => {
                next.awaiting_since = None;
                next.last_reply_at = Some(now);
            }
            _ => {}
        }
        next
    }

    /// (target, limit) of the pending answer.
    pub fn deadlines(&self, p: &MessagePolicy) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.awaiting_since.map(|at| {
            (
                at + TimeDelta::hours(p.seller_first_reply_target_hours),
                at + TimeDelta::hours(p.seller_first_reply_max_hours),
            )
        })
    }

    /// Deadlines passed as of `now` while unanswered.
    pub fn breaches(&self, now: DateTime<Utc>, p: &MessagePolicy) -> Vec<(Sla, DateTime<Utc>)> {
        let Some((target, limit)) = self.deadlines(p) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if now > target {
            out.push((Sla::ReplyTarget, target));
        }
        if now > limit {
            out.push((Sla::ReplyLimit, limit));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_first_unanswered_message_starts_the_clock() {
        let p = Policy::default().messages;
        let th = Thread::default()
            .after_message(Role::Buyer, t("2026-11-20T10:00:00Z"))
            .after_message(Role::Buyer, t("2026-11-20T15:00:00Z"));
        assert_eq!(
            th.deadlines(&p),
            Some((t("2026-11-21T10:00:00Z"), t("2026-11-22T10:00:00Z")))
        );
        assert!(th.breaches(t("2026-11-21T10:00:00Z"), &p).is_empty());
        assert_eq!(
            th.breaches(t("2026-11-21T10:00:01Z"), &p),
            vec![(Sla::ReplyTarget, t("2026-11-21T10:00:00Z"))]
        );
        assert_eq!(th.breaches(t("2026-11-22T10:00:01Z"), &p).len(), 2);
        let answered = th.after_message(Role::Seller, t("2026-11-20T16:00:00Z"));
        assert_eq!(answered.deadlines(&p), None);
        assert!(answered.breaches(t("2026-12-01T00:00:00Z"), &p).is_empty());
        // The seller writing first owes nothing.
        assert_eq!(
            Thread::default()
                .after_message(Role::Seller, t("2026-11-20T10:00:00Z"))
                .deadlines(&p),
            None
        );
    }
}
