//! What storage answers when it cannot do what it was asked, in storage terms. The HTTP edge
//! turns it into a problem (`api::refusals`); nothing here knows of HTTP.
use crate::domain::refused::Refused;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    /// The database gave up on a transaction that met another (serialisation failure or
    /// deadlock): running it again may succeed.
    #[error("conflict with a concurrent transaction: {0}")]
    Conflict(String),
    /// A unique constraint; its name when the backend reports it.
    #[error("unique violation ({0:?})")]
    UniqueViolation(Option<String>),
    /// A row still referenced elsewhere.
    #[error("foreign key violation ({0:?})")]
    ForeignKeyViolation(Option<String>),
    /// A rule refused the change; the transaction rolls back.
    #[error("refused: {0:?}")]
    Refused(Refused),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("{0}")]
    Other(String),
}

impl From<DieselError> for DbError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().map(str::to_string);
                match kind {
                    DatabaseErrorKind::UniqueViolation => DbError::UniqueViolation(constraint),
                    DatabaseErrorKind::ForeignKeyViolation => {
                        DbError::ForeignKeyViolation(constraint)
                    }
                    DatabaseErrorKind::SerializationFailure => {
                        DbError::Conflict(info.message().to_string())
                    }
                    DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::UnableToSendCommand => {
                        DbError::Unavailable(info.message().to_string())
                    }
                    _ => DbError::Other(info.message().to_string()),
                }
            }
            DieselError::BrokenTransactionManager => {
                DbError::Unavailable("broken transaction manager".into())
            }
            other => DbError::Other(other.to_string()),
        }
    }
}

impl From<Refused> for DbError {
    fn from(r: Refused) -> Self {
        DbError::Refused(r)
    }
}

/// For an insert whose unique constraint states a rule (one review per item, one open flag):
/// a violation means the rule's refusal, anything else stays what it was.
pub fn unique_means(refused: Refused) -> impl Fn(DieselError) -> DbError {
    move |e| match DbError::from(e) {
        DbError::UniqueViolation(_) => refused.clone().into(),
        e => e,
    }
}

pub fn is_unique_violation(e: &DbError) -> bool {
    matches!(e, DbError::UniqueViolation(_))
}
