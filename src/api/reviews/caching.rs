//! What a CDN or a browser may keep of the public review reads, and how it asks again.
//!
//! Every change to a review raises a version of its product and of its shop
//! (`review_list_versions`, kept by a trigger). A response's `ETag` is built from that version
//! before the page is read, so `If-None-Match` is answered 304 after one statement (for a
//! list, the version comes with its summaries: `db::reviews::head`), without building the page. Lists also carry a 90-day summary that moves with the
//! clock, not only with writes: their tag includes the current minute, so a revalidated list
//! is at most a minute behind, as one kept for `max-age` would be.
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// Short enough that a hidden or removed review leaves caches quickly; a cache may serve the
/// old copy a little longer while it revalidates in the background.
pub const PUBLIC: &str = "public, max-age=30, stale-while-revalidate=60";

/// The `If-None-Match` the caller sent, if any (read before the request's work moves to the
/// database thread).
pub fn if_none_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The tag of a public list: the subject's version, the query that shaped the page and the
/// minute its 90-day summary was computed for.
pub fn list_tag(subject: &str, version: i64, query: &str, now: DateTime<Utc>) -> String {
    let digest = Sha256::digest(format!("{subject}\n{query}").as_bytes());
    let minute = now.timestamp().div_euclid(60);
    format!("W/\"{version}-{minute}-{}\"", hex::encode(&digest[..8]))
}

/// The highest list version among the tags of `If-None-Match` (`i64::MIN` when none is a
/// list tag). A forged tag only sends that read to the primary.
pub fn seen_version(if_none_match: Option<&str>) -> i64 {
    let version = |t: &str| {
        let inner = t.trim().trim_start_matches("W/").trim_matches('"');
        let mut parts = inner.split('-');
        let (v, _minute, _digest) = (parts.next()?, parts.next()?, parts.next()?);
        v.parse::<i64>().ok()
    };
    if_none_match
        .into_iter()
        .flat_map(|h| h.split(','))
        .filter_map(version)
        .max()
        .unwrap_or(i64::MIN)
}

/// The tag of one published review: the version of its product (raised by any change to
/// any of the product's reviews, this one included) and the review's id.
pub fn review_tag(review_id: &str, product_version: i64) -> String {
    let digest = Sha256::digest(review_id.as_bytes());
    format!("W/\"{product_version}-{}\"", hex::encode(&digest[..8]))
}

/// Whether `If-None-Match` names `tag` (weak comparison, as RFC 9110 asks for this header).
pub fn matches(if_none_match: Option<&str>, tag: &str) -> bool {
    let Some(header) = if_none_match else {
        return false;
    };
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let ours = opaque(tag);
    header
        .split(',')
        .any(|t| t.trim() == "*" || opaque(t) == ours)
}

/// 304 with the tag and the caching rule, no body.
pub fn not_modified(tag: &str) -> HttpResponse {
    let mut res = HttpResponse::NotModified();
    headers(&mut res, tag);
    res.finish()
}

pub fn headers(res: &mut HttpResponseBuilder, tag: &str) {
    if let Ok(value) = HeaderValue::from_str(tag) {
        res.insert_header((header::ETAG, value));
    }
    res.insert_header((header::CACHE_CONTROL, PUBLIC));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn tags_change_with_the_version_the_query_and_the_minute() {
        let t = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 5).unwrap();
        let a = list_tag("product:P1", 7, "limit=20", t);
        assert_eq!(
            a,
            list_tag(
                "product:P1",
                7,
                "limit=20",
                t + chrono::Duration::seconds(50)
            )
        );
        assert_ne!(a, list_tag("product:P1", 8, "limit=20", t));
        assert_ne!(a, list_tag("product:P1", 7, "limit=10", t));
        assert_ne!(a, list_tag("shop:P1", 7, "limit=20", t));
        assert_ne!(
            a,
            list_tag(
                "product:P1",
                7,
                "limit=20",
                t + chrono::Duration::seconds(60)
            )
        );
        assert!(a.starts_with("W/\""));
    }

    #[test]
    fn the_highest_list_version_the_caller_holds_is_seen() {
        let t = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 5).unwrap();
        let (a, b) = (
            list_tag("product:P1", 7, "", t),
            list_tag("product:P1", 9, "", t),
        );
        assert_eq!(seen_version(Some(&format!("{a}, {b}"))), 9);
        assert_eq!(seen_version(Some(&a)), 7);
        assert_eq!(seen_version(Some("*")), i64::MIN);
        assert_eq!(seen_version(Some(&review_tag("r1", 3))), i64::MIN);
        assert_eq!(seen_version(None), i64::MIN);
    }

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        let tag = review_tag("r1", 3);
        assert!(matches(Some(&tag), &tag));
        assert!(matches(Some(&tag.replace("W/", "")), &tag));
        assert!(matches(Some(&format!("\"x\", {tag}")), &tag));
        assert!(matches(Some("*"), &tag));
        assert!(!matches(Some(&review_tag("r1", 4)), &tag));
        assert!(!matches(None, &tag));
    }
}
