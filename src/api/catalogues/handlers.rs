//! `GET /catalogues`: public, the same for every caller of a language, so cached by `ETag`.
use crate::domain::catalogues::{catalogue, Catalogue, CatalogueLanguage};
use crate::error::{ApiError, ApiResult, Problem};
use crate::i18n::Lang;
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_catalogues);
}

/// The labels change only with a release (or a policy change, which restarts the service): a
/// day is safe, and a revalidation costs a 304.
const CACHE: &str = "public, max-age=86400";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueQuery {
    /// `kk`, `ru` or `en`; without it, the best of `Accept-Language`, else `ru`. Read as text
    /// so that another value is a 422 naming `lang`.
    #[param(value_type = Option<CatalogueLanguage>, example = "kk")]
    pub lang: Option<String>,
}

/// The language asked for: `?lang=` first (refused when unknown), then `Accept-Language`.
fn language(req: &HttpRequest, param: Option<&str>) -> ApiResult<Lang> {
    match param {
        Some("kk") => Ok(Lang::Kk),
        Some("ru") => Ok(Lang::Ru),
        Some("en") => Ok(Lang::En),
        Some(_) => Err(ApiError::field("lang", "invalid")),
        None => Ok(Lang::from_accept_language(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )),
    }
}

/// The tag of a language's body: a digest of the body itself, so it changes exactly when a
/// label or a number does.
fn tag_of(lang: Lang, body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let lang = match lang {
        Lang::Kk => "kk",
        Lang::Ru => "ru",
        Lang::En => "en",
    };
    format!("\"{lang}-{}\"", hex::encode(&digest[..12]))
}

/// Whether `If-None-Match` names the tag (weak comparison, as RFC 9110 asks for it).
fn matches(if_none_match: Option<&str>, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    if_none_match.is_some_and(|h| h.split(',').any(|t| t.trim() == "*" || opaque(t) == tag))
}

/// Complaint categories, desired resolutions, return and rejection reasons, flag reasons,
/// remedies, complaint outcomes and tracks, and the statuses of every kind of record: each
/// code with its label in one language and the numbers of the rules that apply to it
/// (windows in days, evidence, excluded product categories), read from the policy the service
/// runs with. The mobile app builds its pickers from it; notifications and errors use the
/// same labels.
#[utoipa::path(
    operation_id = "get_catalogues",
    tag = "catalogues",
    params(
        CatalogueQuery,
        ("Accept-Language" = Option<String>, Header, description = "Used when `lang` is absent; `ru` when it names no supported language"),
        ("If-None-Match" = Option<String>, Header, description = "An `ETag` from an earlier response: 304 while that language's catalogue is unchanged"),
    ),
    responses(
        (status = 200, description = "The catalogue in the chosen language, with its `ETag` (one per language) and `Content-Language`", body = Catalogue,
            headers(("ETag" = String), ("Content-Language" = String))),
        (status = 304, description = "`If-None-Match` named the current tag of that language"),
        (status = 422, description = "`validation_failed`: `lang` is not `kk`, `ru` or `en` (`lang: invalid`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/catalogues")]
async fn get_catalogues(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CatalogueQuery>,
) -> ApiResult<HttpResponse> {
    let lang = language(&req, query.lang.as_deref())?;
    let body = serde_json::to_vec(&catalogue(lang, &state.policy))
        .map_err(|e| ApiError::internal(format!("catalogue not serialisable: {e}")))?;
    let tag = tag_of(lang, &body);
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    let mut res = if matches(if_none_match, &tag) {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    if let Ok(value) = HeaderValue::from_str(&tag) {
        res.insert_header((header::ETAG, value));
    }
    res.insert_header((header::CACHE_CONTROL, CACHE))
        // Without `?lang=` the body depends on the caller's header.
        .insert_header((header::VARY, "Accept-Language"))
        .insert_header((header::CONTENT_LANGUAGE, tag[1..3].to_string()));
    if matches(if_none_match, &tag) {
        return Ok(res.finish());
    }
    Ok(res.content_type("application/json").body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_weakly_and_by_list() {
        let tag = "\"ru-abc\"";
        assert!(matches(Some("\"ru-abc\""), tag));
        assert!(matches(Some("W/\"ru-abc\""), tag));
        assert!(matches(Some("\"kk-x\", \"ru-abc\""), tag));
        assert!(matches(Some("*"), tag));
        assert!(!matches(Some("\"kk-abc\""), tag));
        assert!(!matches(None, tag));
    }
}
