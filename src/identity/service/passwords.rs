//! The 10,000 most common passwords, refused at registration and on password change (OWASP ASVS 2.1.7).
//!
//! The list is the head of the ranked password list that zxcvbn ships (MIT; compiled from leaked-password corpora),
//! lower-cased, in `common-passwords.txt`. It is checked on the server only, so the browser bundle does not carry it.
//! Matching ignores case: "Password1" is as common as "password1".

use std::collections::HashSet;
use std::sync::LazyLock;

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common-passwords.txt").lines().filter(|l| !l.is_empty()).collect());

pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_list_holds_ten_thousand_and_matching_ignores_case() {
        assert_eq!(super::COMMON.len(), 10_000);
        for p in ["password1", "Password1", "PASSWORD1", "Qwerty123", "iloveyou", "QWERTY123456", "LeaveMeAlone"] {
            assert!(super::is_common(p), "{p}");
        }
        for p in ["Secreta123", "Taller-Norte-2026", "E2e-Demo-Passw0rd"] {
            assert!(!super::is_common(p), "{p}");
        }
    }
}
