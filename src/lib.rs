//! aftersale: the after-sale backend of a marketplace (complaints, reviews, returns).
pub mod api;
pub mod auth;
pub mod calendar;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod policy;
pub mod sealing;
pub mod startup;
pub mod state;
