//! Who the client is: the socket peer, or `X-Forwarded-For` behind trusted proxies.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::{
    extract::ConnectInfo,
    http::{Extensions, HeaderMap},
};

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The client address of a request, as a rate-limit key ([`limit_key`]).
///
/// With `trusted_proxies = 0` it is the socket peer and `X-Forwarded-For` is
/// ignored: any client can write that header. With `n > 0`, `n` proxies each
/// append the address they received the request from, so the `n`-th entry
/// from the right was written by the outermost trusted proxy and is the
/// client; entries left of it are the client's own and are never read. With
/// fewer entries than that (a proxy skipped), the leftmost one is used; with
/// no usable header, the socket peer. Without a peer address at all (a
/// server not started with connect info), every client shares one key.
#[must_use]
pub fn client_ip(headers: &HeaderMap, extensions: &Extensions, trusted_proxies: usize) -> IpAddr {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let forwarded = if trusted_proxies == 0 {
        None
    } else {
        forwarded_client(headers, trusted_proxies)
    };
    limit_key(
        forwarded
            .or(peer)
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
    )
}

/// The `trusted_proxies`-th `X-Forwarded-For` entry from the right, across
/// every header line, in order.
fn forwarded_client(headers: &HeaderMap, trusted_proxies: usize) -> Option<IpAddr> {
    let mut entries = headers
        .get_all(X_FORWARDED_FOR)
        .iter()
        .rev()
        .flat_map(|line| line.to_str().unwrap_or_default().rsplit(','))
        .map(str::trim)
        .filter(|entry| !entry.is_empty());
    let mut chosen = None;
    for _ in 0..trusted_proxies {
        match entries.next() {
            Some(entry) => chosen = Some(entry),
            None => break,
        }
    }
    chosen.and_then(parse_entry)
}

/// `203.0.113.9`, `2001:db8::1`, or either with a port (`[2001:db8::1]:443`).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// The address as a limiter key: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by
/// its /64 prefix, since one subscriber usually holds a whole /64 and could
/// otherwise step around a per-address limit.
#[must_use]
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or_else(
            || {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            },
            IpAddr::V4,
        ),
    }
}
