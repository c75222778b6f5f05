//! The OpenAPI document: paths come from the registered services (utoipa-actix-web);
//! this adds the header, the bearer scheme, tags and shared schemas.
use crate::api::webhooks::events;
use crate::error::{FieldError, Problem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

mod contract;
pub mod examples;
mod limits;
pub mod webhooks;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "aftersale",
        description = "After-sale backend of a marketplace: complaints, reviews with moderation, returns. \
Errors are application/problem+json (RFC 9457) with a stable `code`; titles follow Accept-Language (kk, ru, en).",
        // The package's version, which `aftersale --version` prints too.
        version = env!("CARGO_PKG_VERSION")
    ),
    modifiers(&BearerAuth),
    components(schemas(
        Problem,
        FieldError,
        events::WebhookEvent,
        events::WebhookEventType,
        events::WebhookEventFilter,
        events::ReviewEventData,
        events::FlagDecidedEventData,
        events::ComplaintEventData,
        events::ReturnEventData,
        events::OrderMessageEventData,
        events::DeliveryFailedEventData,
        events::RatingCriticalEventData,
        events::PingEventData,
    )),
    tags(
        (name = "auth", description = "Accounts and tokens"),
        (name = "orders", description = "Orders mirrored from the order system"),
        (name = "integration", description = "Upstream systems (role `service`)"),
        (name = "attachments", description = "Evidence files"),
        (name = "notifications", description = "In-app feed"),
        (name = "reviews", description = "Verified-purchase reviews, replies, flags, appeals"),
        (name = "moderation", description = "Moderators' queue, decisions and log"),
        (name = "complaints", description = "Complaints about couriers and sellers: lifecycle, SLA deadlines, timeline, dossier"),
        (name = "returns", description = "Returns: windows per reason, seller decision, dispute, pickup and refund deadlines, timeline"),
        (name = "webhooks", description = "Sellers' webhooks (Standard Webhooks v1): endpoints, secrets, test pings, delivery log. The events and their payloads are the top-level `webhooks` and the `WebhookEvent` union"),
        (name = "analytics", description = "Sellers' figures and the moderators' dashboard"),
        (name = "catalogues", description = "Every code with its kk/ru/en label and rule numbers, for pickers"),
        (name = "operations", description = "Health, readiness, metrics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document as served and committed: the collected paths, finished by [`contract::finish`].
pub fn finish(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    contract::finish(doc)
}
