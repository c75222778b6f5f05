//! A case's deadlines: what is due next and when, paused while the buyer is asked for information.
use super::*;

impl Case {
    /// The seller still owes the first response (and silence has not escalated the case).
    pub fn seller_response_pending(&self) -> bool {
        self.target == Target::Seller
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

    /// The resolution deadline from the track, the clock start and the time paused.
    pub(crate) fn track_resolve_by(&self, p: &ComplaintPolicy) -> DateTime<Utc> {
        track_deadline(self.track, self.clock_started_at, p) + TimeDelta::seconds(self.paused_secs)
    }
}
