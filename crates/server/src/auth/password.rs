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

/// Whether `password` matches `stored`: argon2id (oxsec's own), or the werkzeug formats of an
/// imported Wazuh user (`pbkdf2:sha256:N$salt$hex`, `scrypt:N:r:p$salt$hex`). Unknown formats never
/// match.
pub fn verify(password: &str, stored: &str) -> bool {
    if let Some(rest) = stored.strip_prefix("pbkdf2:sha256:") {
        return verify_werkzeug_pbkdf2(password, rest);
    }
    if let Some(rest) = stored.strip_prefix("scrypt:") {
        return verify_werkzeug_scrypt(password, rest);
    }
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Whether a stored hash is an imported one that should be replaced by argon2id at the next login.
pub fn needs_rehash(stored: &str) -> bool {
    !stored.starts_with("$argon2id$")
}

fn verify_werkzeug_pbkdf2(password: &str, rest: &str) -> bool {
    let mut parts = rest.splitn(3, '$');
    let (Some(iterations), Some(salt), Some(hex_digest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(iterations) = iterations.parse::<u32>() else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_digest) else {
        return false;
    };
    if iterations == 0 || iterations > 10_000_000 || expected.is_empty() {
        return false;
    }
    let mut out = vec![0u8; expected.len()];
    if pbkdf2::pbkdf2::<hmac::Hmac<sha2::Sha256>>(password.as_bytes(), salt.as_bytes(), iterations, &mut out).is_err() {
        return false;
    }
    constant_time_eq(&out, &expected)
}

fn verify_werkzeug_scrypt(password: &str, rest: &str) -> bool {
    let mut parts = rest.splitn(3, '$');
    let (Some(params), Some(salt), Some(hex_digest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let nums: Vec<u32> = params.split(':').filter_map(|p| p.parse().ok()).collect();
    let [n, r, p] = nums[..] else { return false };
    let Ok(expected) = hex::decode(hex_digest) else {
        return false;
    };
    // Bounds keep a crafted imported hash from demanding gigabytes of memory (werkzeug's default
    // is n=32768, r=8, p=1).
    if !n.is_power_of_two()
        || !(2..=1 << 20).contains(&n)
        || r > 32
        || p > 16
        || expected.is_empty()
        || expected.len() > 256
    {
        return false;
    }
    let Ok(params) = scrypt::Params::new(n.trailing_zeros() as u8, r, p, expected.len()) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    if scrypt::scrypt(password.as_bytes(), salt.as_bytes(), &params, &mut out).is_err() {
        return false;
    }
    constant_time_eq(&out, &expected)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random password that satisfies Wazuh's policy (8–64 chars, upper, lower, digit, symbol).
pub fn generate() -> String {
    use rand::seq::SliceRandom;
    use rand::Rng;
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b".*+?-!";
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
        // Upstream's symbol class is [^\w\s]: the underscore and spaces do not count.
        && p.chars().any(|c| !c.is_alphanumeric() && c != '_' && !c.is_whitespace())
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
    fn imported_werkzeug_hashes_verify() {
        // The hash of the upstream test environment's user "testing", password "wazuh".
        let h = "pbkdf2:sha256:150000$OMVAATei$cb30da77537eea26b964265dab6f403e9499f18522c7cc9e6ba2cb2d33694e1f";
        assert!(verify("wazuh", h));
        assert!(!verify("wazuh2", h));
        assert!(needs_rehash(h));
        assert!(!verify("x", "pbkdf2:sha256:abc$s$00"));
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
