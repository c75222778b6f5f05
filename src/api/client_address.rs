//! The address a caller is counted under, for the request limits and the login backoff.
//!
//! An IPv4 address stands for itself. An IPv6 host is usually handed a whole /64 and may pick
//! any address in it, so counting single IPv6 addresses would give one machine 2^64 fresh
//! allowances: the /64 is the unit. An IPv4 address written as IPv6 (`::ffff:a.b.c.d`, as a
//! dual-stack socket reports it) is the IPv4 address.
//!
//! Behind a load balancer every TCP peer is the balancer, and one count for everybody would
//! hand the login lock's victim back to its guesser. Peers listed in `TRUSTED_PROXIES` are taken
//! at their word about who called (`X-Forwarded-For`), read from the right: each trusted proxy
//! appends the address it saw, so the rightmost address that is not a trusted proxy is the
//! caller, and whatever a caller wrote further left is ignored. From any other peer the header
//! is ignored entirely.
use actix_web::{http::header::HeaderName, HttpRequest};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

const FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The caller's counting key; `unknown` when there is no peer (a Unix socket, a test).
pub fn of(req: &HttpRequest, trusted: &[IpNet]) -> String {
    req.peer_addr().map_or_else(
        || "unknown".into(),
        |peer| key(caller(peer.ip(), forwarded(req), trusted)),
    )
}

/// The `X-Forwarded-For` entries, all headers in order; `None` stands for one that is no
/// address.
fn forwarded(req: &HttpRequest) -> Vec<Option<IpAddr>> {
    let values = req.headers().get_all(FORWARDED_FOR);
    let entries = values
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim);
    entries
        .map(|e| {
            e.parse::<IpAddr>()
                .or_else(|_| e.parse::<SocketAddr>().map(|a| a.ip()))
                .ok()
        })
        .collect()
}

fn caller(peer: IpAddr, forwarded: Vec<Option<IpAddr>>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&unmapped(*ip)));
    let mut caller = peer;
    for hop in forwarded.into_iter().rev() {
        if !is_trusted(&caller) {
            break;
        }
        match hop {
            Some(ip) => caller = ip,
            // Garbage where a proxy's entry should be: the last proxy is all we know.
            None => break,
        }
    }
    caller
}

fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

pub fn key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(peer: &str, header: &[&str], trusted: &[&str]) -> String {
        let forwarded = header
            .iter()
            .flat_map(|h| h.split(','))
            .map(|e| e.trim().parse().ok())
            .collect();
        let trusted: Vec<IpNet> = trusted.iter().map(|t| t.parse().unwrap()).collect();
        caller(peer.parse().unwrap(), forwarded, &trusted).to_string()
    }

    #[test]
    fn only_trusted_proxies_say_who_called() {
        let lb = ["10.0.0.0/8"];
        // No proxies trusted: the header is the caller's own words.
        assert_eq!(seen("203.0.113.7", &["198.51.100.1"], &[]), "203.0.113.7");
        // An untrusted peer's header is ignored.
        assert_eq!(seen("203.0.113.7", &["198.51.100.1"], &lb), "203.0.113.7");
        // Through the balancer: the address it saw.
        assert_eq!(seen("10.0.0.2", &["198.51.100.1"], &lb), "198.51.100.1");
        // A caller's forged entries sit left of what the balancer appended.
        assert_eq!(
            seen("10.0.0.2", &["1.2.3.4, 5.6.7.8", "198.51.100.1"], &lb),
            "198.51.100.1"
        );
        // Two proxies in a row.
        assert_eq!(
            seen("10.0.0.2", &["198.51.100.1, 10.9.9.9"], &lb),
            "198.51.100.1"
        );
        // Garbage where the balancer's entry should be, or no entry: the balancer itself.
        assert_eq!(seen("10.0.0.2", &["198.51.100.1, junk"], &lb), "10.0.0.2");
        assert_eq!(seen("10.0.0.2", &[], &lb), "10.0.0.2");
        // A dual-stack socket's IPv4-mapped peer is the IPv4 proxy.
        assert_eq!(
            seen("::ffff:10.0.0.2", &["198.51.100.1"], &lb),
            "198.51.100.1"
        );
    }

    #[test]
    fn ipv4_stands_for_itself_and_ipv6_counts_by_its_64() {
        let k = |s: &str| key(s.parse().unwrap());
        assert_eq!(k("203.0.113.7"), "203.0.113.7");
        assert_eq!(k("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(k("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(k("2001:db8:1:2::ffff"), k("2001:db8:1:2:ffff::9"));
        assert_ne!(k("2001:db8:1:2::1"), k("2001:db8:1:3::1"));
    }
}
