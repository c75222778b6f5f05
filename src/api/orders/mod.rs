pub mod delivery_failure;
pub mod dto;
pub mod eligibility;
pub mod handlers;
pub mod messages;
