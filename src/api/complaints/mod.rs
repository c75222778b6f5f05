pub mod dossier;
pub mod dto;
pub mod handlers;
