pub mod csv;
pub mod handlers;
