//! `/webhooks`: a seller's endpoints, their secrets, test pings and delivery log; and the
//! event catalogue as documented schemas (`events`).
pub mod dto;
pub mod events;
pub mod handlers;
