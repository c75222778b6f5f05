//! The moderators' endpoints: the work queue, the decisions on reviews, flags and appeals,
//! and the append-only log.
pub mod decisions;
pub mod log;
pub mod queue;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(queue::queue)
        .service(decisions::decide_review)
        .service(decisions::decide_flag)
        .service(decisions::decide_appeal)
        .service(log::log);
}
