//! Prometheus metrics: request counts and a latency histogram per (method, route pattern,
//! status), plus pool gauges set at scrape time. The `prometheus` crate keeps each series in
//! its own atomics behind a read-mostly map, so requests on different workers do not queue on
//! one lock (the hand-written version held a mutex and allocated three strings per request).
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
};

/// Upper bounds in seconds.
const BUCKETS: [f64; 13] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    pool_max: prometheus::IntGauge,
    /// 1 while the request limits are kept in Redis, 0 while this process keeps its own.
    pub rate_limit_shared: prometheus::IntGauge,
    /// Reads by the database that answered them, and the replica's lag (`db::replica`).
    reads: IntCounterVec,
    replica_lag: prometheus::Gauge,
}

pub struct PoolGauges {
    pub max: u32,
    pub open: u32,
    pub idle: u32,
}

impl Default for Metrics {
    fn default() -> Self {
        let labels = ["method", "route", "status"];
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route and status.",
            ),
            &labels,
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Request latency.")
                .buckets(BUCKETS.to_vec()),
            &labels,
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state."),
            &["state"],
        )
        .expect("valid metric");
        let pool_max =
            prometheus::IntGauge::new("db_pool_max_connections", "Configured pool size.")
                .expect("valid metric");
        let rate_limit_shared = prometheus::IntGauge::new(
            "aftersale_rate_limit_shared",
            "1: request limits shared through Redis; 0: this instance's own.",
        )
        .expect("valid metric");
        let reads = IntCounterVec::new(
            Opts::new(
                "aftersale_db_reads_total",
                "Replica-eligible reads by the database that answered (primary or replica).",
            ),
            &["target"],
        )
        .expect("valid metric");
        let replica_lag = prometheus::Gauge::new(
            "aftersale_replica_lag_seconds",
            "The read replica's last measured lag; -1 while it is down.",
        )
        .expect("valid metric");
        let registry = Registry::new();
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(pool.clone()),
            Box::new(pool_max.clone()),
            Box::new(rate_limit_shared.clone()),
            Box::new(reads.clone()),
            Box::new(replica_lag.clone()),
        ] {
            registry.register(collector).expect("names are unique");
        }
        Metrics {
            registry,
            requests,
            latency,
            pool,
            pool_max,
            rate_limit_shared,
            reads,
            replica_lag,
        }
    }
}

impl Metrics {
    /// `route` is the matched pattern (`/api/v1/orders/{id}`), never the raw path, so the
    /// number of series stays bounded.
    pub fn observe(&self, method: &str, route: &str, status: &str, seconds: f64) {
        let labels = [method, route, status];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// One replica-eligible read answered by `target` (`primary` or `replica`).
    pub fn db_read(&self, target: &str) {
        self.reads.with_label_values(&[target]).inc();
    }

    /// The replica's lag at scrape time (milliseconds; negative: down).
    pub fn set_replica_lag_ms(&self, ms: i64) {
        self.replica_lag
            .set(if ms < 0 { -1.0 } else { ms as f64 / 1000.0 });
    }

    pub fn render(&self, pool: &PoolGauges) -> String {
        let in_use = pool.open.saturating_sub(pool.idle);
        self.pool.with_label_values(&["in_use"]).set(in_use.into());
        self.pool.with_label_values(&["idle"]).set(pool.idle.into());
        self.pool_max.set(pool.max.into());
        let mut out = Vec::new();
        prometheus::TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding into memory");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/orders/{id}", "200", 0.0007);
        m.observe("GET", "/api/v1/orders/{id}", "200", 0.2);
        let text = m.render(&PoolGauges {
            max: 10,
            open: 3,
            idle: 1,
        });
        assert!(text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/orders/{id}\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.001\"} 1"), "{text}");
        assert!(text.contains("le=\"0.25\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("db_pool_connections{state=\"in_use\"} 2"));
        assert!(text.contains("db_pool_max_connections 10"));
    }
}
