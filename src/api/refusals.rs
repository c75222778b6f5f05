//! Storage's answers as problems: the one place where each refusal of the rules gets its
//! stable problem code, area by area. Eligibility hints on orders take their codes from here
//! too, so a refusal and the hint that predicts it cannot drift apart.
use crate::db::DbError;
use crate::domain::refused::Refused;
use crate::domain::{complaints, delivery_failures, returns, reviews};
use crate::error::{ApiError, ErrorCode, FieldError};

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => ErrorCode::NotFound.into(),
            DbError::Refused(refused) => refused.into(),
            // Another transaction got in the way; the same request may well succeed again.
            DbError::Conflict(msg) | DbError::Unavailable(msg) => {
                ApiError::DatabaseUnavailable(msg)
            }
            // A constraint no rule names: a defect, not the caller's doing.
            e @ (DbError::UniqueViolation(_) | DbError::ForeignKeyViolation(_)) => {
                ApiError::Internal(e.to_string())
            }
            DbError::Other(msg) => ApiError::Internal(msg),
        }
    }
}

impl From<Refused> for ApiError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Complaint(r) => complaint(r),
            Refused::Filing(r) => filing(r).into(),
            Refused::ComplaintAlreadyOpen => ErrorCode::ComplaintAlreadyOpen.into(),
            Refused::Return(r) => return_(r),
            Refused::ReturnRequest(r) => return_request(r).into(),
            Refused::Review(r) => review(r).into(),
            Refused::ReviewNotEditable => ErrorCode::ReviewNotEditable.into(),
            Refused::ReviewNotPublished => ErrorCode::ReviewNotPublished.into(),
            Refused::FlagAlreadyOpen => ErrorCode::FlagAlreadyOpen.into(),
            Refused::Appeal(r) => appeal(r).into(),
            Refused::AnotherModeratorRequired => ErrorCode::AppealNeedsAnotherModerator.into(),
            Refused::Decided | Refused::NothingToChoose => ApiError::InvalidTransition {
                allowed: Vec::new(),
            },
            Refused::DeliveryFailure { refusal, allowed } => match refusal {
                delivery_failures::Refusal::AlreadyChosen => ErrorCode::AlreadyChosen.into(),
                delivery_failures::Refusal::NoRefundPending => {
                    ApiError::InvalidTransition { allowed }
                }
                delivery_failures::Refusal::Invalid(field, code) => ApiError::field(field, code),
            },
            Refused::UnknownBuyer => ErrorCode::UnknownBuyer.into(),
            Refused::UnknownShop => ErrorCode::UnknownShop.into(),
            Refused::OrderItemInUse => ErrorCode::OrderItemInUse.into(),
            Refused::InvalidAttachment => ErrorCode::InvalidAttachment.into(),
            Refused::UploadQuotaExceeded => ErrorCode::UploadQuotaExceeded.into(),
            Refused::EmailTaken => ErrorCode::EmailTaken.into(),
            Refused::Invalid(fields) => ApiError::Validation(
                fields
                    .into_iter()
                    .map(|(field, code)| FieldError::new(field, code))
                    .collect(),
            ),
            Refused::ClaimTaken => ErrorCode::IdempotencyInProgress.into(),
            Refused::WebhookLimitReached => ErrorCode::WebhookLimitReached.into(),
        }
    }
}

fn complaint(r: complaints::Refusal) -> ApiError {
    use complaints::Refusal::*;
    match r {
        Forbidden => ErrorCode::Forbidden.into(),
        InvalidState { allowed } => ApiError::InvalidTransition {
            allowed: allowed.iter().map(|a| a.as_str().to_string()).collect(),
        },
        AlreadyAppealed => ErrorCode::AlreadyAppealed.into(),
        AppealWindowClosed => ErrorCode::AppealWindowClosed.into(),
        AlreadyEscalated => ErrorCode::AlreadyEscalated.into(),
        EscalationNotYetAllowed { from } => ApiError::NotYet {
            code: ErrorCode::EscalationNotYetAllowed,
            at: from,
        },
        AnotherModeratorRequired => ErrorCode::AppealNeedsAnotherModerator.into(),
        SellerActsFirst => ErrorCode::SellerActsFirst.into(),
        Invalid(field, code) => ApiError::field(field, code),
    }
}

pub fn filing(r: complaints::FilingRefusal) -> ErrorCode {
    use complaints::FilingRefusal::*;
    match r {
        NotOrderBuyer => ErrorCode::NotOrderBuyer,
        NotDelivered => ErrorCode::OrderNotDelivered,
        WindowClosed => ErrorCode::ComplaintWindowClosed,
    }
}

fn return_(r: returns::Refusal) -> ApiError {
    use returns::Refusal::*;
    match r {
        Forbidden => ErrorCode::Forbidden.into(),
        InvalidState { allowed } => ApiError::InvalidTransition {
            allowed: allowed.iter().map(|a| a.as_str().to_string()).collect(),
        },
        AlreadyDisputed => ErrorCode::AlreadyDisputed.into(),
        DisputeWindowClosed => ErrorCode::DisputeWindowClosed.into(),
        UnderDispute => ErrorCode::ReturnUnderDispute.into(),
        Invalid(field, code) => ApiError::field(field, code),
    }
}

pub fn return_request(r: returns::RequestRefusal) -> ErrorCode {
    use returns::RequestRefusal::*;
    match r {
        NotOrderBuyer => ErrorCode::NotOrderBuyer,
        NotDelivered => ErrorCode::OrderNotDelivered,
        WindowClosed => ErrorCode::ReturnWindowClosed,
        ReasonExcluded => ErrorCode::ReturnReasonExcluded,
        NothingLeft => ErrorCode::NothingLeftToReturn,
    }
}

pub fn review(r: reviews::Refusal) -> ErrorCode {
    use reviews::Refusal::*;
    match r {
        NotOrderBuyer => ErrorCode::NotOrderBuyer,
        ItemNotDelivered => ErrorCode::ItemNotDelivered,
        ReviewWindowClosed => ErrorCode::ReviewWindowClosed,
        AlreadyReviewed => ErrorCode::AlreadyReviewed,
    }
}

fn appeal(r: reviews::AppealRefusal) -> ErrorCode {
    use reviews::AppealRefusal::*;
    match r {
        NotRemoved => ErrorCode::NotAppealable,
        WindowClosed => ErrorCode::AppealWindowClosed,
        AlreadyAppealed => ErrorCode::AlreadyAppealed,
    }
}
