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
/// once that the URL cannot be used). A name that does not resolve gets the same answer as
/// one that resolves inside: two answers would let a seller probe which internal names exist.
pub async fn resolves_publicly(host: &str, port: u16) -> Result<(), &'static str> {
    const REFUSED: &str = "unreachable_target";
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| REFUSED)?
        .collect();
    if !found.is_empty() && found.iter().all(|a| address_allowed(a.ip(), false)) {
        Ok(())
    } else {
        Err(REFUSED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_name_that_does_not_resolve_is_answered_like_an_internal_one() {
        // `localhost` resolves (from the hosts file) to loopback; a name with a NUL byte fails
        // before any resolver is asked. Neither may tell the seller which it was.
        let internal = resolves_publicly("localhost", 443).await;
        let unresolvable = resolves_publicly("no\0such", 443).await;
        assert_eq!(internal, Err("unreachable_target"));
        assert_eq!(unresolvable, internal);
    }
}
