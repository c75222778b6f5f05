//! The HTTP client of the dispatcher: reqwest (rustls), no redirects, no proxies from the
//! environment, the attempt timeout, and a resolver that drops every address the target rules
//! refuse — checked after resolution, at connection time, so a name that later resolves to an
//! internal address (DNS rebinding) still cannot be reached.
use crate::domain::webhooks::target::address_allowed;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub fn build(timeout: Duration, allow_private: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("aftersale-webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(Guarded { allow_private }))
        .build()
        // Only a TLS backend that cannot initialise fails here: nothing to serve without it.
        .expect("the webhook HTTP client builds")
}

/// Resolves with the system resolver, then keeps only the addresses the service may call.
pub struct Guarded {
    pub allow_private: bool,
}

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| address_allowed(a.ip(), allow_private))
                .collect();
            if allowed.is_empty() {
                let e = std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!("{host} resolves to no address the service may call"),
                );
                return Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Every address of a name, refused when any is internal (registration: a seller learns at
/// once that the URL cannot be used).
pub async fn resolves_publicly(host: &str, port: u16) -> Result<(), &'static str> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| "unresolvable")?
        .collect();
    if found.is_empty() {
        return Err("unresolvable");
    }
    if found.iter().all(|a| address_allowed(a.ip(), false)) {
        Ok(())
    } else {
        Err("private_target")
    }
}
