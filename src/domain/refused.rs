//! Why storage refused a change: the rules' answers in domain words, decided inside the
//! transaction of the change. Each area keeps its own refusals; the HTTP edge gives every one
//! of them its problem code in one place (`api::refusals`).
use super::{complaints, delivery_failures, returns, reviews};

#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    Complaint(complaints::Refusal),
    Filing(complaints::FilingRefusal),
    /// One open case per order, target and category.
    ComplaintAlreadyOpen,
    Return(returns::Refusal),
    ReturnRequest(returns::RequestRefusal),
    Review(reviews::Refusal),
    ReviewNotEditable,
    ReviewNotPublished,
    FlagAlreadyOpen,
    Appeal(reviews::AppealRefusal),
    /// The moderator who removed a review may not decide its appeal.
    AnotherModeratorRequired,
    /// The review, flag or appeal was decided already — also the loser of two decisions at once.
    Decided,
    DeliveryFailure {
        refusal: delivery_failures::Refusal,
        /// What the caller may do instead.
        allowed: Vec<String>,
    },
    /// The order did not come back to the seller: there is no choice to make.
    NothingToChoose,
    UnknownBuyer,
    UnknownShop,
    /// An item cited by a review, complaint or return cannot leave its order.
    OrderItemInUse,
    /// An attachment that is not the caller's own upload of an accepted kind.
    InvalidAttachment,
    /// The uploader's files of the last 24 hours leave no room for this one.
    UploadQuotaExceeded,
    EmailTaken,
    /// Fields that break a rule: (field, code).
    Invalid(Vec<(String, String)>),
    /// The shop has as many webhook endpoints as the policy allows.
    WebhookLimitReached,
    /// A retry took the request's `Idempotency-Key` claim over.
    ClaimTaken,
}

impl Refused {
    pub fn field(field: &str, code: &str) -> Refused {
        Refused::Invalid(vec![(field.to_string(), code.to_string())])
    }
}
