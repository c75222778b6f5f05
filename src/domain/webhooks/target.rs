//! Which receivers the service may call. A webhook URL is chosen by a seller, so it must not
//! reach into the service's own network: `https://` only, and no loopback, private,
//! link-local, shared (CGNAT) or cloud-metadata address — checked on the URL at registration
//! and on every resolved address before each attempt (a name may resolve elsewhere later).
//! Only ports 443 and 80. `allow_private` (development and tests) also allows `http://`, any
//! port and such addresses.
use std::net::IpAddr;
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
    /// A port other than 443 and 80: a seller's URL must not reach an internal service that
    /// listens on a public address's other ports.
    Port,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotUrl => "url",
            Refusal::Scheme => "https_required",
            Refusal::Credentials => "credentials_not_allowed",
            Refusal::PrivateTarget => "private_target",
            Refusal::Port => "port_not_allowed",
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
    if !ok {
        return Err(Refusal::PrivateTarget);
    }
    if !allow_private && !matches!(url.port_or_known_default(), Some(443 | 80)) {
        return Err(Refusal::Port);
    }
    Ok(url)
}

/// Whether the service may connect to this address: a globally reachable unicast address
/// (the IANA special-purpose registries, IPv4 carried in IPv6 unwrapped; see
/// [`special_addresses`](super::special_addresses)).
pub fn address_allowed(ip: IpAddr, allow_private: bool) -> bool {
    allow_private || super::special_addresses::allowed(ip)
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
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://[64:ff9b::7f00:1]/",
            "https://[2002:7f00:1::]/",
            "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
            "https://[::ffff:0:7f00:1]/",
            "https://[fec0::1]/",
            "https://[100::1]/",
        ] {
            assert_eq!(refused(url), Some(Refusal::PrivateTarget), "{url}");
        }
    }

    #[test]
    fn only_the_web_ports_are_called() {
        assert_eq!(refused("https://hooks.shop.kz:443/"), None);
        assert_eq!(refused("https://hooks.shop.kz:80/"), None);
        for url in [
            "https://hooks.shop.kz:8443/",
            "https://hooks.shop.kz:22/",
            "https://93.184.216.34:6379/",
            "https://[2a00:1450::1]:5432/",
        ] {
            assert_eq!(refused(url), Some(Refusal::Port), "{url}");
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
