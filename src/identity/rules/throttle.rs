//! Sign-in throttling: guessing a password stays slow, and nobody can keep an account's owner out by failing on
//! purpose (OWASP ASVS 4.0.3 V2.2.1: soft lockouts and risk-based restrictions, "no more than 100 failed attempts per
//! hour on a single account").
//!
//! Failed sign-ins of one login are counted over [`WINDOW_SECS`], two ways:
//! - from the source network of the attempt (an IPv4 /24, an IPv6 /64): after [`PER_SOURCE`] failures that network
//!   waits out the window, whoever it is;
//! - from untrusted clients, wherever they are: after [`PER_ACCOUNT_UNTRUSTED`], every untrusted client waits out the
//!   window, while a trusted one still signs in. A client is trusted for an account when it holds the account's device
//!   cookie (set by an earlier sign-in in that browser) or comes from a network the account signed in from within
//!   [`KNOWN_NETWORK_DAYS`]: an attacker cycling addresses meets the account limit, the owner at their usual browser or
//!   office does not.
//!
//! At most `4 × PER_ACCOUNT_UNTRUSTED` = 80 untrusted failures an hour reach the password check, under ASVS's 100.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

/// The window failures are counted over (15 minutes).
pub const WINDOW_SECS: i64 = 15 * 60;
/// Failures of one login from one source network before that network waits.
pub const PER_SOURCE: i64 = 5;
/// Failures of one login from untrusted clients before every untrusted client waits.
pub const PER_ACCOUNT_UNTRUSTED: i64 = 20;
/// A network the account signed in from this recently makes its clients trusted.
pub const KNOWN_NETWORK_DAYS: i64 = 30;
// ASVS V2.2.1's bound, checked by the compiler.
const _: () = assert!(PER_ACCOUNT_UNTRUSTED * (3600 / WINDOW_SECS) <= 100, "more than 100 untrusted failures an hour");

/// How long a browser keeps the device cookie of an account it signed in to.
pub const DEVICE_COOKIE_DAYS: i64 = 365;

/// The failures of one login in the window, as the audit log counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    /// From the attempt's source network.
    pub from_source: i64,
    /// The oldest of those.
    pub source_oldest: Option<DateTime<Utc>>,
    /// From untrusted clients, any network.
    pub untrusted: i64,
    /// The oldest of those.
    pub untrusted_oldest: Option<DateTime<Utc>>,
}

/// Whether an attempt may reach the password check: `None`, or the moment it may try again.
pub fn wait_until(f: &Failures, trusted: bool, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let window = Duration::seconds(WINDOW_SECS);
    let source = (f.from_source >= PER_SOURCE).then(|| f.source_oldest.unwrap_or(now) + window);
    let account =
        (!trusted && f.untrusted >= PER_ACCOUNT_UNTRUSTED).then(|| f.untrusted_oldest.unwrap_or(now) + window);
    source.max(account).filter(|until| *until > now)
}

/// The network an address is counted in: its /24 (IPv4) or /64 (IPv6; a client holds a whole /64). An IPv4 address
/// mapped into IPv6 counts as the IPv4 address.
pub fn source_network(ip: IpAddr) -> (IpAddr, u8) {
    match ip {
        IpAddr::V4(v4) => (IpAddr::V4(mask_v4(v4)), 24),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (IpAddr::V4(mask_v4(v4)), 24),
            None => {
                let s = v6.segments();
                (IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0)), 64)
            }
        },
    }
}

fn mask_v4(v4: std::net::Ipv4Addr) -> std::net::Ipv4Addr {
    let [a, b, c, _] = v4.octets();
    std::net::Ipv4Addr::new(a, b, c, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + min * 60, 0).unwrap()
    }

    fn check(f: Failures, trusted: bool, now_min: i64, expected_min: Option<i64>) {
        assert_eq!(wait_until(&f, trusted, at(now_min)), expected_min.map(at), "{f:?} trusted {trusted} at {now_min}");
    }

    #[test]
    fn a_source_network_waits_after_its_failures_whoever_it_is() {
        let f = Failures { from_source: PER_SOURCE, source_oldest: Some(at(0)), ..Failures::default() };
        check(f, false, 3, Some(15));
        check(f, true, 3, Some(15));
        check(Failures { from_source: PER_SOURCE - 1, ..f }, false, 3, None);
        // The window has slid past the oldest failure.
        check(f, false, 15, None);
    }

    #[test]
    fn many_addresses_slow_untrusted_clients_but_never_a_trusted_one() {
        // The attack of issue 22: failures from many networks, none of them the owner's.
        let f = Failures { untrusted: PER_ACCOUNT_UNTRUSTED, untrusted_oldest: Some(at(2)), ..Failures::default() };
        check(f, false, 5, Some(17));
        check(f, true, 5, None);
        check(Failures { untrusted: PER_ACCOUNT_UNTRUSTED - 1, ..f }, false, 5, None);
        // Both limits: the later of the two.
        let both = Failures { from_source: PER_SOURCE, source_oldest: Some(at(4)), ..f };
        check(both, false, 5, Some(19));
        check(both, true, 5, Some(19));
    }

    #[test]
    fn networks_are_slash_24_and_slash_64() {
        let net = |s: &str| {
            let (ip, bits) = source_network(s.parse().unwrap());
            format!("{ip}/{bits}")
        };
        assert_eq!(net("203.0.113.77"), "203.0.113.0/24");
        assert_eq!(net("::ffff:203.0.113.77"), "203.0.113.0/24");
        assert_eq!(net("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
    }
}
