//! One attempt: sign the stored body with every live secret, POST it, read the answer.
use super::Dispatcher;
use crate::db::webhooks::deliveries::{AttemptLog, Claimed};
use crate::domain::webhooks::schedule::Outcome;
use crate::domain::webhooks::{signing, target};
use std::time::Instant;

impl Dispatcher {
    pub(super) async fn attempt(&self, c: &Claimed) -> (AttemptLog, Outcome) {
        let now = self.clock.now();
        let started = Instant::now();
        let (status, error, snippet, outcome) = match self.send(c, now.timestamp()).await {
            Ok((status, retry_after, snippet)) => (
                Some(status),
                None,
                snippet,
                Outcome::of_status(status, retry_after),
            ),
            Err(error) => (
                None,
                Some(error),
                None,
                Outcome::Failed { retry_after: None },
            ),
        };
        let log = AttemptLog {
            at: now,
            status_code: status,
            duration_ms: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
            error: error.or_else(|| {
                status
                    .filter(|s| !(200..300).contains(s))
                    .map(|s| format!("answered {s}"))
            }),
            response_snippet: snippet,
        };
        (log, outcome)
    }

    /// (status, Retry-After in seconds, the first KiB of the answer) or why nothing came back.
    async fn send(
        &self,
        c: &Claimed,
        timestamp: i64,
    ) -> Result<(u16, Option<i64>, Option<String>), String> {
        // The stored URL is checked again: the rules or the switch may have changed since.
        let url = target::check_url(&c.endpoint.url, self.allow_private)
            .map_err(|r| format!("refused target: {}", r.code()))?;
        let keys: Vec<Vec<u8>> = c
            .endpoint
            .signing_secrets(self.clock.now())
            .into_iter()
            .filter_map(|sealed| self.sealer.open(sealed))
            .filter_map(|secret| signing::key_of(&secret))
            .collect();
        if keys.is_empty() {
            return Err(
                "the endpoint's secret cannot be opened (WEBHOOK_SECRETS_KEY changed?)".into(),
            );
        }
        let signature = signing::header(&keys, &c.message_id, timestamp, &c.body);
        let mut res = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", &c.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(c.body.clone())
            .send()
            .await
            .map_err(describe)?;
        let status = res.status().as_u16();
        let retry_after = res
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok());
        // Only the first KiB is kept; a huge or endless answer is not read further.
        let limit = self.policy.webhooks.response_snippet_bytes;
        let mut body = Vec::new();
        while body.len() < limit {
            match res.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                _ => break,
            }
        }
        body.truncate(limit);
        let snippet = String::from_utf8_lossy(&body).into_owned();
        Ok((
            status,
            retry_after,
            (!snippet.is_empty()).then_some(snippet),
        ))
    }
}

/// reqwest's own message names only the URL; its sources say what went wrong.
fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
