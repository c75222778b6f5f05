//! Deadlines: the one a return runs against now, the ones it missed, and silence.
use super::*;

impl Return {
    /// The deadline now running, if any (lists, the moderation queue, the sweep).
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        match self.status {
            Status::Requested => Some(self.seller_decide_by),
            Status::PickedUp => self.refund_due_by,
            _ => None,
        }
    }

    /// Deadlines passed as of `now`: (which, due). The sweep records each once.
    pub fn breaches(&self, now: DateTime<Utc>) -> Vec<(Sla, DateTime<Utc>)> {
        let mut out = Vec::new();
        if self.status == Status::Requested && now > self.seller_decide_by {
            out.push((Sla::SellerDecision, self.seller_decide_by));
        }
        if let Some(due) = self.refund_due_by {
            // A refund recorded after its deadline is a breach too.
            let late = match self.refunded_at {
                Some(at) => at > due,
                None => self.status == Status::PickedUp && now > due,
            };
            if late {
                out.push((Sla::Refund, due));
            }
        }
        out
    }
}

/// The seller did not decide in time: the sweep hands the return to the moderators.
pub fn escalate_for_silence(r: &Return, now: DateTime<Utc>) -> Option<Return> {
    if r.status != Status::Requested || r.escalated_at.is_some() || now <= r.seller_decide_by {
        return None;
    }
    let mut next = r.clone();
    next.escalated_at = Some(now);
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn seller_decides_within_two_business_days() {
        let r = requested();
        assert_eq!(r.seller_decide_by, t("2026-11-24T18:59:59Z"));
        assert_eq!(r.due_at(), Some(r.seller_decide_by));
        assert!(r.breaches(t("2026-11-24T18:59:59Z")).is_empty());
        assert_eq!(escalate_for_silence(&r, t("2026-11-24T18:59:59Z")), None);
        let late = t("2026-11-24T19:00:00Z");
        assert_eq!(
            r.breaches(late),
            vec![(Sla::SellerDecision, r.seller_decide_by)]
        );
        let escalated = escalate_for_silence(&r, late).unwrap();
        assert_eq!(escalated.escalated_at, Some(late));
        assert_eq!(escalate_for_silence(&escalated, late), None);
    }
}
