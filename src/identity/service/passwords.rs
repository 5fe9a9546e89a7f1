//! The 10,000 most common passwords, refused at registration and on password change (OWASP ASVS 2.1.7), with the
//! variations people make of them.
//!
//! The list is the head of the ranked password list that zxcvbn ships (MIT; compiled from leaked-password corpora),
//! lower-cased, in `common-passwords.txt`. It is checked on the server only, so the browser bundle does not carry it.
//! A password is common when any of its normal forms is on the list: lower-cased; without the digits and symbols
//! stuck before or after a word ("password1234", "Qwerty2026!", "123admin"); with look-alike digits read back as
//! letters ("p4ssw0rd"). So is a short unit repeated ("abcabcabcabc", "aaaaaaaaaaaa") and a run along the keyboard or
//! the alphabet ("qwertyuiopas", "123456789012"), which pass a 12-character minimum without being any harder to guess.

use std::collections::HashSet;
use std::sync::LazyLock;

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common-passwords.txt").lines().filter(|l| !l.is_empty()).collect());

/// Runs people type: rows of the keyboard, the alphabet, the digits (forwards; backwards is checked too).
const RUNS: [&str; 5] = [
    "qwertyuiopasdfghjklzxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
];

pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let stripped = lower.trim_matches(|c: char| !c.is_alphabetic());
    let forms = [lower.as_str(), stripped, &unleet(&lower), &unleet(stripped)];
    forms.iter().any(|f| COMMON.contains(f)) || repeats_a_short_unit(&lower) || is_a_run(&lower)
}

/// Look-alike digits and symbols read back as the letters they stand for.
fn unleet(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            c => c,
        })
        .collect()
}

/// The whole password is a unit of at most 4 characters, repeated.
fn repeats_a_short_unit(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    (1..=4.min(chars.len() / 2)).any(|n| chars.len().is_multiple_of(n) && chars.chunks(n).all(|c| c == &chars[..n]))
}

/// The whole password is a stretch of a keyboard row, the alphabet or the digits, forwards or backwards.
fn is_a_run(s: &str) -> bool {
    let backwards: String = s.chars().rev().collect();
    RUNS.iter().any(|run| run.contains(s) || run.contains(backwards.as_str()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_list_holds_ten_thousand_and_matching_ignores_case() {
        assert_eq!(super::COMMON.len(), 10_000);
        for p in ["password1", "Password1", "PASSWORD1", "Qwerty123", "iloveyou", "QWERTY123456", "LeaveMeAlone"] {
            assert!(super::is_common(p), "{p}");
        }
        for p in ["Secreta123", "Taller-Norte-2026", "E2e-Demo-Passw0rd", "Secreta-Larga-123"] {
            assert!(!super::is_common(p), "{p}");
        }
    }

    /// Issue 22: "password1234" passed the list at the 12-character minimum.
    #[test]
    fn variations_of_a_common_password_are_common_too() {
        for p in [
            "password1234",
            "Password2026!",
            "1234password",
            "P4ssw0rd2024",
            "!!qwerty!!2025",
            "Dragon12345678",
            "abcabcabcabc",
            "aaaaaaaaaaaa",
            "121212121212",
            "qwertyuiopas",
            "123456789012",
            "987654321098",
            "zyxwvutsrqpo",
        ] {
            assert!(super::is_common(p), "{p}");
        }
        for p in ["caballo-bateria-grapa", "Refacciones del Norte 24", "mi taller 1987 en Monterrey", "zq7-Lm2x-Wp9k"] {
            assert!(!super::is_common(p), "{p}");
        }
    }
}
