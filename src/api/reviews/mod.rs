pub mod caching;
pub mod dto;
pub mod handlers;
