//! Where the service may send outgoing requests (webhooks): public addresses, and internal
//! ones only when configuration names them. Keeps a webhook from being a way into the
//! service's own network (loopback, link-local metadata endpoints, private ranges).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One allowlist entry: a host name (exact, case-insensitive) or a network.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Allowed {
    Host(String),
    Network { base: IpAddr, prefix: u8 },
}

/// The internal destinations configuration allows (`RECTIFY_WEBHOOK_ALLOW`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DestinationPolicy {
    allowed: Vec<Allowed>,
}

/// Why an allowlist entry was not understood.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is neither a host name, an IP address nor a network such as 10.1.0.0/16")]
pub struct BadEntry(pub String);

impl DestinationPolicy {
    /// Parses a comma-separated list: host names (`robot.intranet.gov.cn`), addresses
    /// (`10.1.2.3`) and networks (`10.1.0.0/16`, `fd00::/8`).
    pub fn parse(list: &str) -> Result<Self, BadEntry> {
        let mut allowed = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let bad = || BadEntry(entry.to_owned());
            let parsed = match entry.split_once('/') {
                Some((ip, prefix)) => {
                    let base: IpAddr = ip.parse().map_err(|_| bad())?;
                    let prefix: u8 = prefix.parse().map_err(|_| bad())?;
                    let max = if base.is_ipv4() { 32 } else { 128 };
                    if prefix > max {
                        return Err(bad());
                    }
                    Allowed::Network { base, prefix }
                }
                None => match entry.parse::<IpAddr>() {
                    Ok(ip) => Allowed::Network {
                        base: ip,
                        prefix: if ip.is_ipv4() { 32 } else { 128 },
                    },
                    Err(_) if is_host_name(entry) => Allowed::Host(entry.to_ascii_lowercase()),
                    Err(_) => return Err(bad()),
                },
            };
            allowed.push(parsed);
        }
        Ok(Self { allowed })
    }

    /// Whether a request to `host` may connect to `ip`: any public address; an internal one
    /// only when the host or the address is on the allowlist.
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        if is_public(ip) {
            return true;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.allowed.iter().any(|a| match a {
            Allowed::Host(name) => *name == host,
            Allowed::Network { base, prefix } => in_network(ip, *base, *prefix),
        })
    }
}

fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether `ip` is reachable on the public internet (not this machine, not a private,
/// shared, link-local, documentation or multicast range).
pub fn is_public(ip: IpAddr) -> bool {
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
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
}

fn in_network(ip: IpAddr, base: IpAddr, prefix: u8) -> bool {
    match (ip, base) {
        (IpAddr::V4(ip), IpAddr::V4(base)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(base) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(base)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(base) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_refused_by_default() {
        let none = DestinationPolicy::default();
        for internal in [
            "127.0.0.1",
            "10.0.0.5",
            "172.16.1.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd12::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!none.permits("robot", ip(internal)), "{internal}");
        }
        for public in ["8.8.8.8", "101.226.1.1", "2400:da00::1"] {
            assert!(none.permits("qyapi.weixin.qq.com", ip(public)), "{public}");
        }
    }

    #[test]
    fn the_allowlist_names_hosts_addresses_and_networks() {
        let policy =
            DestinationPolicy::parse("Robot.Intranet.gov.cn, 10.1.0.0/16,127.0.0.1").unwrap();
        assert!(policy.permits("robot.intranet.gov.cn", ip("192.168.3.4")));
        assert!(policy.permits("gw", ip("10.1.200.3")));
        assert!(!policy.permits("gw", ip("10.2.0.1")));
        assert!(policy.permits("localhost", ip("127.0.0.1")));
        assert!(!policy.permits("localhost", ip("127.0.0.2")));
        assert!(DestinationPolicy::parse("10.0.0.0/33").is_err());
        assert!(DestinationPolicy::parse("not a host").is_err());
    }
}
