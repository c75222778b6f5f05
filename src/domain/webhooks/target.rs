//! Which receivers the service may call. A webhook URL is chosen by a seller, so it must not
//! reach into the service's own network: `https://` only, and no loopback, private,
//! link-local, shared (CGNAT) or cloud-metadata address — checked on the URL at registration
//! and on every resolved address before each attempt (a name may resolve elsewhere later).
//! `allow_private` (development and tests) also allows `http://` and such addresses.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not an absolute URL.
    NotUrl,
    /// Not `https://` (or `http://` where allowed).
    Scheme,
    /// A user name or password in the URL: secrets belong to the signature.
    Credentials,
    /// A loopback, private, link-local or metadata host.
    PrivateTarget,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotUrl => "url",
            Refusal::Scheme => "https_required",
            Refusal::Credentials => "credentials_not_allowed",
            Refusal::PrivateTarget => "private_target",
        }
    }
}

/// Names that lead to the machine itself or to a cloud's metadata service.
const BLOCKED_NAMES: &[&str] = &["localhost", "metadata.google.internal", "metadata"];

/// Checks a URL as written; an IP literal is checked here, a name after resolution
/// ([`address_allowed`]).
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, Refusal> {
    let url = Url::parse(raw.trim()).map_err(|_| Refusal::NotUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(Refusal::Scheme),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Credentials);
    }
    let ok = match url.host() {
        None => return Err(Refusal::NotUrl),
        Some(Host::Ipv4(ip)) => address_allowed(IpAddr::V4(ip), allow_private),
        Some(Host::Ipv6(ip)) => address_allowed(IpAddr::V6(ip), allow_private),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            allow_private
                || !(BLOCKED_NAMES.contains(&name.as_str()) || name.ends_with(".localhost"))
        }
    };
    if ok {
        Ok(url)
    } else {
        Err(Refusal::PrivateTarget)
    }
}

/// Whether the service may connect to this address.
pub fn address_allowed(ip: IpAddr, allow_private: bool) -> bool {
    allow_private || is_public(ip)
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, the metadata address 169.254.169.254 included
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local, fd00:ec2::254 (a metadata address) too
        || (first & 0xffc0) == 0xfe80 // link-local
        || first == 0x2001 && ip.segments()[1] == 0xdb8 // documentation
        || ip.segments()[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible, deprecated
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> Option<Refusal> {
        check_url(url, false).err()
    }

    #[test]
    fn only_public_https_urls_pass() {
        assert_eq!(refused("https://hooks.shop.kz/aftersale"), None);
        assert_eq!(refused("https://93.184.216.34/x"), None);
        assert_eq!(refused("http://hooks.shop.kz/"), Some(Refusal::Scheme));
        assert_eq!(refused("ftp://hooks.shop.kz/"), Some(Refusal::Scheme));
        assert_eq!(refused("hooks.shop.kz"), Some(Refusal::NotUrl));
        assert_eq!(
            refused("https://u:p@hooks.shop.kz/"),
            Some(Refusal::Credentials)
        );
    }

    #[test]
    fn internal_targets_are_refused() {
        for url in [
            "https://127.0.0.1/",
            "https://localhost:8443/",
            "https://api.localhost/",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data/",
            "https://metadata.google.internal/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[fe80::1]/",
            "https://[fd00:ec2::254]/",
            "https://[::ffff:127.0.0.1]/",
        ] {
            assert_eq!(refused(url), Some(Refusal::PrivateTarget), "{url}");
        }
    }

    #[test]
    fn the_development_switch_allows_http_and_loopback() {
        assert!(check_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(address_allowed("10.0.0.1".parse().unwrap(), true));
        assert!(!address_allowed("10.0.0.1".parse().unwrap(), false));
        assert!(address_allowed("2a00:1450::1".parse().unwrap(), false));
    }
}
