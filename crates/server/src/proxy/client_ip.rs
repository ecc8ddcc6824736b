//! Who a request comes from: the connection's peer, or, when that peer is a load balancer named
//! with `--trusted-proxy`, the address the balancer reports in `--client-ip-header`.

use std::net::{IpAddr, Ipv6Addr};

use http::{HeaderMap, HeaderName};
use ipnet::IpNet;

/// The networks whose connections may name the client (`--trusted-proxy`, repeatable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = unmapped(address);
        self.0.iter().any(|network| network.contains(&address))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `--trusted-proxy`: a network (`10.0.0.0/8`, `fd00::/8`) or one address (`10.0.0.5`).
pub fn parse_network(text: &str) -> Result<IpNet, ipnet::AddrParseError> {
    let text = text.trim();
    match text.parse::<IpAddr>() {
        Ok(address) => Ok(IpNet::from(address)),
        Err(_) => text.parse::<IpNet>().map(|network| network.trunc()),
    }
}

/// The address a request counts against and is logged as. The peer, unless the peer is a trusted
/// proxy and `header` is configured: then, reading the header's entries from the right (the
/// entry the nearest proxy appended) leftwards, the first address that is not itself a trusted
/// proxy; entries further left are whatever the client claimed. Entries may be `ip`, `ip:port`,
/// `[v6]` or `[v6]:port`, and for `Forwarded` (RFC 7239) the `for=` of each element. An entry that
/// does not parse ends the walk at the last trusted address seen, so a garbled header never lets
/// a client pick its own address. IPv6 clients are grouped by /64, since one host commonly holds a
/// whole /64 and could rotate through it.
pub fn client_address(
    peer: IpAddr,
    headers: &HeaderMap,
    header: Option<&HeaderName>,
    trusted: &TrustedProxies,
) -> IpAddr {
    let mut client = unmapped(peer);
    if let Some(name) = header.filter(|_| trusted.contains(client)) {
        let forwarded = name.as_str() == "forwarded";
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        let entries = values.iter().flat_map(|value| value.split(',')).rev();
        for entry in entries {
            let node = if forwarded { forwarded_for(entry) } else { Some(entry) };
            match node.and_then(parse_node) {
                Some(address) => {
                    client = unmapped(address);
                    if !trusted.contains(client) {
                        break;
                    }
                }
                None => {
                    tracing::warn!(
                        header = %name,
                        "an entry of the client-address header is not an address; counting the request against the proxy that sent it"
                    );
                    break;
                }
            }
        }
    }
    grouped(client)
}

/// The `for=` parameter of one `Forwarded` element.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        name.trim().eq_ignore_ascii_case("for").then_some(value.trim())
    })
}

/// One address as proxies write it: `ip`, `ip:port`, `[v6]`, `[v6]:port`, possibly quoted.
fn parse_node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(address);
    }
    if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(is_port);
        return port_ok
            .then(|| inside.parse::<Ipv6Addr>().ok().map(IpAddr::V6))
            .flatten();
    }
    let (host, port) = text.rsplit_once(':')?;
    if !is_port(port) {
        return None;
    }
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|byte| byte.is_ascii_digit())
}

fn unmapped(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// IPv6 addresses by their /64; IPv4 addresses as they are.
pub fn grouped(address: IpAddr) -> IpAddr {
    match unmapped(address) {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn trusted(networks: &[&str]) -> TrustedProxies {
        TrustedProxies(networks.iter().map(|text| parse_network(text).unwrap()).collect())
    }

    fn resolve(peer: &str, header: &str, values: &[&str], proxies: &TrustedProxies) -> IpAddr {
        let name = HeaderName::try_from(header).unwrap();
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(&name, value.parse().unwrap());
        }
        client_address(ip(peer), &headers, Some(&name), proxies)
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_peer() {
        let proxies = trusted(&["10.0.0.0/8"]);
        let xff = "x-forwarded-for";
        assert_eq!(
            resolve("10.0.0.1", xff, &["1.1.1.1, 198.51.100.9"], &proxies),
            ip("198.51.100.9")
        );
        assert_eq!(
            resolve("203.0.113.5", xff, &["198.51.100.9"], &proxies),
            ip("203.0.113.5"),
            "anyone else's header is ignored"
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &HeaderMap::new(), None, &proxies),
            ip("10.0.0.1"),
            "no header configured"
        );
        assert_eq!(
            resolve("10.0.0.1", xff, &[], &proxies),
            ip("10.0.0.1"),
            "no header sent"
        );
    }

    #[test]
    fn the_right_most_untrusted_entry_is_the_client() {
        let proxies = trusted(&["10.0.0.0/8", "192.0.2.7"]);
        let xff = "x-forwarded-for";
        assert_eq!(
            resolve(
                "10.0.0.1",
                xff,
                &["6.6.6.6, 198.51.100.9, 192.0.2.7, 10.1.2.3"],
                &proxies
            ),
            ip("198.51.100.9"),
            "trusted hops on the right are skipped; what the client claimed on the left is not read"
        );
        assert_eq!(
            resolve("10.0.0.1", xff, &["6.6.6.6", "198.51.100.9, 10.1.2.3"], &proxies),
            ip("198.51.100.9"),
            "several header lines are one list"
        );
        assert_eq!(
            resolve("10.0.0.1", xff, &["10.1.2.3, 10.4.5.6"], &proxies),
            ip("10.1.2.3"),
            "all trusted: the left-most"
        );
        assert_eq!(
            resolve("10.0.0.1", xff, &["198.51.100.9, garbage, 10.1.2.3"], &proxies),
            ip("10.1.2.3"),
            "garbage stops the walk at the last trusted hop"
        );
        assert_eq!(resolve("10.0.0.1", xff, &["garbage"], &proxies), ip("10.0.0.1"));
    }

    #[test]
    fn ports_brackets_and_forwarded_parse() {
        let proxies = trusted(&["10.0.0.0/8"]);
        let xff = "x-forwarded-for";
        assert_eq!(
            resolve("10.0.0.1", xff, &["203.0.113.30:51234"], &proxies),
            ip("203.0.113.30")
        );
        assert_eq!(
            resolve("10.0.0.1", xff, &["[2001:db8::1]:443"], &proxies),
            ip("2001:db8::"),
            "and IPv6 is grouped by /64"
        );
        assert_eq!(
            resolve("10.0.0.1", xff, &["[2001:db8:0:1::1]"], &proxies),
            ip("2001:db8:0:1::")
        );
        assert_eq!(resolve("10.0.0.1", xff, &["2001:db8::5"], &proxies), ip("2001:db8::"));
        assert_eq!(resolve("10.0.0.1", xff, &["203.0.113.30:x"], &proxies), ip("10.0.0.1"));
        assert_eq!(
            resolve(
                "10.0.0.1",
                "forwarded",
                &["for=6.6.6.6, for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.9;by=10.0.0.1"],
                &proxies
            ),
            ip("2001:db8::")
        );
        assert_eq!(
            resolve("::ffff:10.0.0.1", xff, &["::ffff:198.51.100.9"], &proxies),
            ip("198.51.100.9"),
            "IPv4-mapped addresses are unmapped, the peer's too"
        );
    }

    #[test]
    fn networks_and_single_addresses_parse() {
        assert_eq!(parse_network("10.0.0.5").unwrap().to_string(), "10.0.0.5/32");
        assert_eq!(parse_network("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_network("fd00::/8").unwrap().to_string(), "fd00::/8");
        assert_eq!(parse_network("::1").unwrap().to_string(), "::1/128");
        for bad in ["", "10.0.0.0/33", "example.com", "10.0.0.0/"] {
            assert!(parse_network(bad).is_err(), "{bad}");
        }
    }
}
