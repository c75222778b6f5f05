//! Prometheus metrics without a metrics framework: request counts and a latency histogram
//! per (method, route pattern, status), plus pool gauges read at scrape time.
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds in seconds.
const BUCKETS: [f64; 13] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

pub struct PoolGauges {
    pub max: u32,
    pub open: u32,
    pub idle: u32,
}

impl Metrics {
    /// `route` is the matched pattern (`/api/v1/orders/{id}`), never the raw path, so the
    /// number of series stays bounded.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let series = map
            .entry((method.to_string(), route.to_string(), status))
            .or_default();
        series.count += 1;
        series.sum += seconds;
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            series.buckets[i] += 1;
        }
    }

    pub fn render(&self, pool: &PoolGauges) -> String {
        let map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        for ((method, route, status), s) in map.iter() {
            let _ = writeln!(
                out,
                "http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(route),
                s.count
            );
        }
        out.push_str("# HELP http_request_duration_seconds Request latency.\n");
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in map.iter() {
            let labels = format!(
                "method=\"{method}\",route=\"{}\",status=\"{status}\"",
                escape(route)
            );
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(s.buckets.iter()) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out.push_str("# HELP db_pool_connections Database pool connections by state.\n");
        out.push_str("# TYPE db_pool_connections gauge\n");
        let _ = writeln!(
            out,
            "db_pool_connections{{state=\"in_use\"}} {}",
            pool.open.saturating_sub(pool.idle)
        );
        let _ = writeln!(out, "db_pool_connections{{state=\"idle\"}} {}", pool.idle);
        out.push_str("# HELP db_pool_max_connections Configured pool size.\n");
        out.push_str("# TYPE db_pool_max_connections gauge\n");
        let _ = writeln!(out, "db_pool_max_connections {}", pool.max);
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/orders/{id}", 200, 0.0007);
        m.observe("GET", "/api/v1/orders/{id}", 200, 0.2);
        let text = m.render(&PoolGauges {
            max: 10,
            open: 3,
            idle: 1,
        });
        assert!(text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/orders/{id}\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.001\"} 1"));
        assert!(text.contains("le=\"0.25\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("db_pool_connections{state=\"in_use\"} 2"));
    }
}
