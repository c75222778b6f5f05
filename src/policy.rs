//! Every number of docs/rules.md in one typed structure: windows, SLAs and limits are policy
//! defaults, not constants scattered through handlers. Tests read them from here.
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// Largest page a list endpoint returns, and the default one.
    pub page_max: u32,
    pub page_default: u32,
    /// Items an order mirrored from upstream may carry.
    pub order_items_max: usize,
    pub reviews: ReviewPolicy,
    pub complaints: ComplaintPolicy,
    pub returns: ReturnPolicy,
    pub messages: MessagePolicy,
    pub login: LoginPolicy,
    pub webhooks: WebhookPolicy,
    pub uploads: UploadPolicy,
}

/// Evidence uploads (`POST /attachments`, the sweep of files nothing cites).
#[derive(Debug, Clone, Serialize)]
pub struct UploadPolicy {
    /// Files one account may upload in any 24 hours, cited or not: the bound on how fast one
    /// account can fill the disk, whatever it does with the files afterwards.
    pub files_per_day: i64,
    pub bytes_per_day: i64,
    /// An upload no record cites is deleted this long after it was uploaded.
    pub unreferenced_kept_hours: i64,
}

/// Sellers' webhooks (`domain::webhooks`; the retry schedule is `domain::webhooks::schedule`).
#[derive(Debug, Clone, Serialize)]
pub struct WebhookPolicy {
    pub endpoints_per_shop: i64,
    /// Types one endpoint may list (the catalogue is smaller; `*` takes them all).
    pub events_per_endpoint: usize,
    pub url_max_chars: usize,
    pub description_max_chars: usize,
    /// How long a rotated secret keeps signing beside the new one.
    pub secret_overlap_hours: i64,
    pub attempt_timeout_secs: u64,
    /// An endpoint that failed every attempt for this long is disabled.
    pub disable_after_failing_days: i64,
    /// The part of a receiver's answer kept in the delivery log.
    pub response_snippet_bytes: usize,
}

/// Failed-login backoff per (account, address) pair and per account (`domain::login`).
#[derive(Debug, Clone, Serialize)]
pub struct LoginPolicy {
    /// Failures in a row from one address on one account that cost nothing.
    pub free_attempts: i32,
    /// Failures in a row on one account, from any address, before the addresses that failed on
    /// it wait (addresses that have not failed on it are still let try).
    pub account_free_attempts: i32,
    /// The first lock; each further failure doubles it.
    pub base_lock_secs: i64,
    pub max_lock_secs: i64,
    /// A day without failures forgets the count.
    pub forget_after_hours: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewPolicy {
    pub window_days: i64,
    pub text_max_chars: usize,
    pub photos_max: usize,
    pub moderation_sla_business_days: u32,
    pub flag_sla_business_days: u32,
    pub appeal_window_days: i64,
    pub reply_target_hours: i64,
    pub rating_period_days: i64,
    pub critical_shop_rating: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComplaintPolicy {
    pub damaged_window_days_city: i64,
    pub damaged_window_days_intercity: i64,
    pub other_window_days: i64,
    pub acknowledge_business_days: u32,
    pub seller_response_hours: i64,
    pub standard_resolution_business_days: u32,
    pub complex_resolution_days: i64,
    pub expertise_resolution_days: i64,
    pub appeal_window_days: i64,
    pub escalation_after_business_days: u32,
    pub description_min_chars: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReturnPolicy {
    pub damaged_window_days_city: i64,
    pub damaged_window_days_intercity: i64,
    pub defective_window_days: i64,
    pub mismatch_window_days: i64,
    pub changed_mind_window_days: i64,
    pub changed_mind_excluded_categories: Vec<String>,
    pub seller_decision_business_days: u32,
    pub dispute_window_days: i64,
    pub refund_due_hours: i64,
    pub failed_delivery_refund_due_hours: i64,
    pub failed_attempts_before_return: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct MessagePolicy {
    pub seller_first_reply_target_hours: i64,
    pub seller_first_reply_max_hours: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            page_max: 100,
            page_default: 20,
            order_items_max: 200,
            reviews: ReviewPolicy {
                window_days: 14,
                text_max_chars: 5000,
                photos_max: 10,
                moderation_sla_business_days: 3,
                flag_sla_business_days: 3,
                appeal_window_days: 14,
                reply_target_hours: 24,
                rating_period_days: 90,
                critical_shop_rating: 4.0,
            },
            complaints: ComplaintPolicy {
                damaged_window_days_city: 10,
                damaged_window_days_intercity: 45,
                other_window_days: 90,
                acknowledge_business_days: 3,
                seller_response_hours: 48,
                standard_resolution_business_days: 3,
                complex_resolution_days: 10,
                expertise_resolution_days: 30,
                appeal_window_days: 14,
                escalation_after_business_days: 2,
                description_min_chars: 20,
            },
            returns: ReturnPolicy {
                damaged_window_days_city: 10,
                damaged_window_days_intercity: 45,
                defective_window_days: 30,
                mismatch_window_days: 14,
                changed_mind_window_days: 14,
                changed_mind_excluded_categories: [
                    "medicines",
                    "underwear",
                    "hosiery",
                    "animals_plants",
                    "sold_by_length",
                    "mobile_phones",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
                seller_decision_business_days: 2,
                dispute_window_days: 14,
                refund_due_hours: 1,
                failed_delivery_refund_due_hours: 1,
                failed_attempts_before_return: 2,
            },
            messages: MessagePolicy {
                seller_first_reply_target_hours: 24,
                seller_first_reply_max_hours: 48,
            },
            login: LoginPolicy {
                free_attempts: 5,
                account_free_attempts: 20,
                base_lock_secs: 30,
                max_lock_secs: 15 * 60,
                forget_after_hours: 24,
            },
            webhooks: WebhookPolicy {
                endpoints_per_shop: 10,
                events_per_endpoint: 32,
                url_max_chars: 2000,
                description_max_chars: 500,
                secret_overlap_hours: 24,
                attempt_timeout_secs: 15,
                disable_after_failing_days: 5,
                response_snippet_bytes: 1024,
            },
            uploads: UploadPolicy {
                files_per_day: 300,
                bytes_per_day: 500 * 1024 * 1024,
                unreferenced_kept_hours: 24,
            },
        }
    }
}
