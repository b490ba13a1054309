//! Password hashing (argon2id) and the password policy.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hashes `password` with argon2id (PHC string, salt included).
pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches `stored`. Unknown hash formats never match.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A random password that satisfies Wazuh's policy (8–64 chars, upper, lower, digit, symbol).
pub fn generate() -> String {
    use rand::seq::SliceRandom;
    use rand::Rng;
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b".*+?-_";
    let mut rng = rand::rngs::OsRng;
    let all: Vec<u8> = [UPPER, LOWER, DIGIT, SYMBOL].concat();
    let mut chars: Vec<u8> = Vec::with_capacity(24);
    for set in [UPPER, LOWER, DIGIT, SYMBOL] {
        chars.push(set[rng.gen_range(0..set.len())]);
    }
    for _ in 0..20 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    String::from_utf8(chars).unwrap_or_default()
}

/// Wazuh's password policy: 8 to 64 characters with an upper-case letter, a lower-case letter, a
/// digit and a symbol.
pub fn meets_policy(p: &str) -> bool {
    let n = p.chars().count();
    (8..=64).contains(&n)
        && p.chars().any(|c| c.is_uppercase())
        && p.chars().any(|c| c.is_lowercase())
        && p.chars().any(|c| c.is_ascii_digit())
        && p.chars().any(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_right_password() {
        let h = hash("S3cret!pass").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("S3cret!pass", &h));
        assert!(!verify("s3cret!pass", &h));
        assert!(!verify("S3cret!pass", "not-a-hash"));
    }

    #[test]
    fn generated_passwords_meet_the_policy() {
        for _ in 0..50 {
            let p = generate();
            assert!(meets_policy(&p), "{p}");
        }
        assert!(!meets_policy("short1!A"[..7].as_ref()));
        assert!(!meets_policy("alllowercase1!"));
    }
}
