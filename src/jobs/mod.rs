//! Work that runs on time rather than on requests.
pub mod dispatcher;
pub mod sweeper;
