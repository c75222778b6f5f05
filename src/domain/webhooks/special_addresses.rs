//! Which IP addresses a webhook may be sent to: only globally reachable unicast ones.
//!
//! Written from IANA's IPv4 and IPv6 Special-Purpose Address Registries (every entry, with
//! its RFC), plus the multicast ranges and the IPv6 address architecture. The IPv6 side is an
//! allow-list first: only global unicast space (`2000::/3`) may be called, so the deprecated
//! site-local `fec0::/10`, the discard prefix `100::/64`, IPv4-compatible and IPv4-translated
//! forms (`::a.b.c.d`, `::ffff:0:a.b.c.d`), ULAs, link-local and multicast are all outside it
//! whatever the registries say next year. Inside it the special-purpose blocks are refused,
//! including the ones IANA marks globally reachable (anycast services, AS112, ORCHID): no
//! receiver of a shop lives there.
//!
//! Two IPv6 forms carry an IPv4 address that a packet actually goes to: IPv4-mapped
//! (`::ffff:a.b.c.d`, a socket's view of an IPv4 peer) and the NAT64 well-known prefix
//! (`64:ff9b::a.b.c.d`, translated by the network's NAT64 gateway). Those are unwrapped and
//! the IPv4 address is judged instead; a NAT64 address of the metadata service is the metadata
//! service. 6to4 (`2002::/16`) and Teredo (`2001::/32`) also embed IPv4 addresses, but they
//! are refused whole: both are deprecated tunnels whose relay decides where a packet lands.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IANA IPv4 Special-Purpose Address Registry, and multicast.
const V4_SPECIAL: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "this network (RFC 791)"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private use (RFC 1918)"),
    (
        Ipv4Addr::new(100, 64, 0, 0),
        10,
        "shared address space, CGNAT (RFC 6598)",
    ),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback (RFC 1122)"),
    (
        Ipv4Addr::new(169, 254, 0, 0),
        16,
        "link local, cloud metadata (RFC 3927)",
    ),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private use (RFC 1918)"),
    (
        Ipv4Addr::new(192, 0, 0, 0),
        24,
        "IETF protocol assignments, DS-Lite, NAT64 discovery (RFC 6890)",
    ),
    (
        Ipv4Addr::new(192, 0, 2, 0),
        24,
        "documentation TEST-NET-1 (RFC 5737)",
    ),
    (Ipv4Addr::new(192, 31, 196, 0), 24, "AS112-v4 (RFC 7535)"),
    (Ipv4Addr::new(192, 52, 193, 0), 24, "AMT (RFC 7450)"),
    (
        Ipv4Addr::new(192, 88, 99, 0),
        24,
        "deprecated 6to4 relay anycast (RFC 7526)",
    ),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private use (RFC 1918)"),
    (
        Ipv4Addr::new(192, 175, 48, 0),
        24,
        "direct delegation AS112 service (RFC 7534)",
    ),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking (RFC 2544)"),
    (
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        "documentation TEST-NET-2 (RFC 5737)",
    ),
    (
        Ipv4Addr::new(203, 0, 113, 0),
        24,
        "documentation TEST-NET-3 (RFC 5737)",
    ),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast (RFC 5771)"),
    (
        Ipv4Addr::new(240, 0, 0, 0),
        4,
        "reserved, limited broadcast included (RFC 1112, RFC 919)",
    ),
];

/// IANA IPv6 Special-Purpose Address Registry entries inside global unicast space
/// (`2000::/3`); the others fall outside it and are refused by [`v6_allowed`] already. They
/// are listed in [`V6_OUTSIDE_GLOBAL`] so that the tests can prove that.
const V6_SPECIAL: &[(Ipv6Addr, u8, &str)] = &[
    (v6(0x2001, 0, 0), 23, "IETF protocol assignments (RFC 2928)"),
    (
        v6(0x2001, 0, 0),
        32,
        "Teredo, carries an IPv4 server and client (RFC 4380)",
    ),
    (
        v6(0x2001, 0x1, 0),
        48,
        "PCP and TURN anycast (RFC 7723, RFC 8155)",
    ),
    (v6(0x2001, 0x2, 0), 48, "benchmarking (RFC 5180)"),
    (v6(0x2001, 0x3, 0), 32, "AMT (RFC 7450)"),
    (v6(0x2001, 0x4, 0x112), 48, "AS112-v6 (RFC 7535)"),
    (v6(0x2001, 0x10, 0), 28, "deprecated ORCHID (RFC 4843)"),
    (v6(0x2001, 0x20, 0), 28, "ORCHIDv2 (RFC 7343)"),
    (v6(0x2001, 0x30, 0), 28, "drone remote ID DETs (RFC 9374)"),
    (v6(0x2001, 0xdb8, 0), 32, "documentation (RFC 3849)"),
    (
        v6(0x2002, 0, 0),
        16,
        "6to4, carries an IPv4 address (RFC 3056)",
    ),
    (
        v6(0x2620, 0x4f, 0x8000),
        48,
        "direct delegation AS112 service (RFC 7534)",
    ),
    (v6(0x3fff, 0, 0), 20, "documentation (RFC 9637)"),
];

/// The registry's entries outside `2000::/3`, for the tests.
#[cfg(test)]
const V6_OUTSIDE_GLOBAL: &[(Ipv6Addr, u8, &str)] = &[
    (Ipv6Addr::UNSPECIFIED, 128, "unspecified (RFC 4291)"),
    (Ipv6Addr::LOCALHOST, 128, "loopback (RFC 4291)"),
    (v6(0, 0, 0), 96, "IPv4-compatible, deprecated (RFC 4291)"),
    (
        v6(0x64, 0xff9b, 0x1),
        48,
        "local-use IPv4/IPv6 translation (RFC 8215)",
    ),
    (v6(0x100, 0, 0), 64, "discard-only (RFC 6666)"),
    (v6(0x5f00, 0, 0), 16, "SRv6 SIDs (RFC 9602)"),
    (v6(0xfc00, 0, 0), 7, "unique local (RFC 4193)"),
    (v6(0xfe80, 0, 0), 10, "link-local unicast (RFC 4291)"),
    (v6(0xfec0, 0, 0), 10, "deprecated site-local (RFC 3879)"),
    (v6(0xff00, 0, 0), 8, "multicast (RFC 4291)"),
];

const fn v6(a: u16, b: u16, c: u16) -> Ipv6Addr {
    Ipv6Addr::new(a, b, c, 0, 0, 0, 0, 0)
}

fn v4_in(ip: Ipv4Addr, (net, len, _): &(Ipv4Addr, u8, &str)) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(*net) & mask
}

fn v6_in(ip: Ipv6Addr, (net, len, _): &(Ipv6Addr, u8, &str)) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(*len)).unwrap_or(0);
    u128::from(ip) & mask == u128::from(*net) & mask
}

/// The IPv4 address a packet to `ip` really goes to, for the two forms that carry one.
pub fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    let low = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    let mapped = bits >> 32 == 0xffff; // ::ffff:0:0/96
    let nat64 = bits >> 32 == u128::from(v6(0x64, 0xff9b, 0)) >> 32; // 64:ff9b::/96
    (mapped || nat64).then_some(low)
}

pub fn v4_allowed(ip: Ipv4Addr) -> bool {
    !V4_SPECIAL.iter().any(|block| v4_in(ip, block))
}

pub fn v6_allowed(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return v4_allowed(v4);
    }
    let global_unicast = u128::from(ip) >> 125 == 0b001;
    global_unicast && !V6_SPECIAL.iter().any(|block| v6_in(ip, block))
}

/// Whether the service may open a connection to this address.
pub fn allowed(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_allowed(v4),
        IpAddr::V6(v6) => v6_allowed(v6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn every_registry_entry_is_refused_at_its_first_and_last_address() {
        for block in V4_SPECIAL {
            let first = u32::from(block.0);
            let last = first | u32::MAX.checked_shr(u32::from(block.1)).unwrap_or(0);
            for a in [first, last] {
                assert!(
                    !v4_allowed(Ipv4Addr::from(a)),
                    "{} {}",
                    Ipv4Addr::from(a),
                    block.2
                );
            }
        }
        for block in V6_SPECIAL.iter().chain(V6_OUTSIDE_GLOBAL) {
            let first = u128::from(block.0);
            let last = first | u128::MAX.checked_shr(u32::from(block.1)).unwrap_or(0);
            for a in [first, last] {
                let a = Ipv6Addr::from(a);
                // A mapped or NAT64 form is judged by its IPv4 address, tested below.
                if embedded_v4(a).is_none() {
                    assert!(!v6_allowed(a), "{a} {}", block.2);
                }
            }
        }
    }

    #[test]
    fn ipv6_forms_that_carry_an_internal_ipv4_address_are_refused() {
        for s in [
            "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254, the metadata service
            "64:ff9b::7f00:1",    // NAT64 of 127.0.0.1
            "64:ff9b::a00:1",     // NAT64 of 10.0.0.1
            "64:ff9b:1::a00:1",   // local-use NAT64
            "2002:7f00:1::",      // 6to4 of 127.0.0.1
            "2002:808:808::1",    // 6to4 even of a public address: a relay decides
            "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
            "::ffff:127.0.0.1",   // IPv4-mapped
            "::ffff:169.254.169.254",
            "::ffff:0:7f00:1", // IPv4-translated (SIIT)
            "::127.0.0.1",     // IPv4-compatible
            "fec0::1",         // site-local
            "100::1",          // discard-only
            "fd00:ec2::254",   // a cloud's metadata address, in ULA space
            "fe80::1",
            "ff02::1",
            "::",
            "::1",
            "2001:db8::1",
            "3fff::1",
            "5f00::1",
        ] {
            assert!(!allowed(ip(s)), "{s}");
        }
    }

    #[test]
    fn public_addresses_pass_in_every_form() {
        for s in [
            "8.8.8.8",
            "93.184.216.34",
            "2a00:1450:4001::1",
            "2606:4700::1111",
            "64:ff9b::5db8:d822", // NAT64 of 93.184.216.34
            "::ffff:8.8.8.8",
        ] {
            assert!(allowed(ip(s)), "{s}");
        }
    }

    #[test]
    fn ipv4_edges_of_the_private_ranges() {
        assert!(allowed(ip("172.15.255.255")));
        assert!(!allowed(ip("172.16.0.0")));
        assert!(!allowed(ip("172.31.255.255")));
        assert!(allowed(ip("172.32.0.0")));
        assert!(allowed(ip("100.63.255.255")));
        assert!(!allowed(ip("100.127.255.255")));
        assert!(allowed(ip("100.128.0.0")));
        assert!(!allowed(ip("255.255.255.255")));
        assert!(!allowed(ip("198.19.255.255")));
        assert!(allowed(ip("198.20.0.0")));
    }
}
