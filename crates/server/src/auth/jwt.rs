//! JSON Web Tokens as Wazuh issues them: ES512 (ECDSA P-521 + SHA-512), issuer `wazuh`, audience
//! `Wazuh API REST`, with `run_as`, `rbac_roles` and `rbac_mode` claims.
//!
//! The signing key pair is generated on first start and kept in the data dir (private key 0600),
//! in PKCS#8 PEM like Wazuh's `private_key.pem` / `public_key.pem`.

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use p521::ecdsa::signature::{Signer, Verifier};
use p521::ecdsa::{Signature, SigningKey, VerifyingKey};
use p521::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use serde::{Deserialize, Serialize};

use crate::fsutil;

/// Wazuh's issuer claim.
pub const ISSUER: &str = "wazuh";
/// Wazuh's audience claim.
pub const AUDIENCE: &str = "Wazuh API REST";
/// How far in the future `nbf` may be. Tokens issued right after a revocation carry `nbf` = the
/// revocation floor, a few seconds ahead at most when revocations follow each other quickly (see
/// `service::security::revoke_user_tokens`).
const NBF_LEEWAY: i64 = 60;

/// The claims of an oxsec/Wazuh token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer, always `wazuh`.
    pub iss: String,
    /// Audience, always `Wazuh API REST`.
    pub aud: String,
    /// Not before (seconds since the epoch).
    pub nbf: i64,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// The user name.
    pub sub: String,
    /// Whether the token was obtained with an authorization context.
    pub run_as: bool,
    /// The role ids the token grants.
    pub rbac_roles: Vec<i64>,
    /// `white` or `black`.
    pub rbac_mode: String,
    /// For run_as tokens: a hash of the authorization context (informational, as in Wazuh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_auth_context: Option<String>,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not three base64url parts of JSON, or a wrong algorithm.
    #[error("malformed token")]
    Malformed,
    /// The signature does not verify with this server's key.
    #[error("invalid signature")]
    BadSignature,
    /// Past `exp`.
    #[error("token expired")]
    Expired,
    /// Before `nbf`.
    #[error("token not yet valid")]
    NotYetValid,
    /// Issuer or audience are not Wazuh's.
    #[error("wrong issuer or audience")]
    WrongAudience,
}

/// The server's signing key pair.
pub struct TokenKeys {
    signing: SigningKey,
    verifying: VerifyingKey,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: String,
}

impl TokenKeys {
    /// Loads the key pair from `dir` (`private_key.pem`, `public_key.pem`), generating it on first use.
    pub fn load_or_create(dir: &Path) -> Result<Self, String> {
        let private = dir.join("private_key.pem");
        if private.exists() {
            let pem =
                std::fs::read_to_string(&private).map_err(|e| format!("cannot read {}: {e}", private.display()))?;
            let secret = p521::SecretKey::from_pkcs8_pem(&pem)
                .map_err(|e| format!("{} is not a P-521 PKCS#8 key: {e}", private.display()))?;
            return Self::from_secret(&secret);
        }
        let secret = p521::SecretKey::random(&mut rand::rngs::OsRng);
        let pem = secret
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| format!("cannot encode the key: {e}"))?;
        fsutil::write_atomic(&private, pem.as_bytes(), 0o600)
            .map_err(|e| format!("cannot write {}: {e}", private.display()))?;
        let public_pem = secret
            .public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| format!("cannot encode the key: {e}"))?;
        let public = dir.join("public_key.pem");
        fsutil::write_atomic(&public, public_pem.as_bytes(), 0o644)
            .map_err(|e| format!("cannot write {}: {e}", public.display()))?;
        tracing::info!(path = %private.display(), "generated the token signing key");
        Self::from_secret(&secret)
    }

    /// A fresh in-memory key pair (tests).
    pub fn generate() -> Self {
        let signing = SigningKey::random(&mut rand::rngs::OsRng);
        let verifying = VerifyingKey::from(&signing);
        Self { signing, verifying }
    }

    fn from_secret(secret: &p521::SecretKey) -> Result<Self, String> {
        let signing = SigningKey::from_bytes(&secret.to_bytes()).map_err(|e| format!("invalid signing key: {e}"))?;
        let verifying = VerifyingKey::from(&signing);
        Ok(Self { signing, verifying })
    }

    /// Signs `claims` into a compact JWT.
    pub fn encode(&self, claims: &Claims) -> String {
        let header = Header {
            alg: "ES512".into(),
            typ: "JWT".into(),
        };
        // Serializing these plain structs cannot fail.
        let h = B64.encode(serde_json::to_vec(&header).unwrap_or_default());
        let c = B64.encode(serde_json::to_vec(claims).unwrap_or_default());
        let signing_input = format!("{h}.{c}");
        let sig: Signature = self.signing.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", B64.encode(sig.to_bytes()))
    }

    /// Verifies signature, algorithm, issuer, audience and time window; revocation is checked by
    /// the caller against the store.
    pub fn decode(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(TokenError::Malformed);
        };
        let header: Header = B64
            .decode(h)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(TokenError::Malformed)?;
        if header.alg != "ES512" {
            return Err(TokenError::Malformed);
        }
        let sig_bytes = B64.decode(s).map_err(|_| TokenError::Malformed)?;
        let sig = Signature::from_slice(&sig_bytes).map_err(|_| TokenError::Malformed)?;
        let signing_input_len = h.len() + 1 + c.len();
        self.verifying
            .verify(&token.as_bytes()[..signing_input_len], &sig)
            .map_err(|_| TokenError::BadSignature)?;
        let claims: Claims = B64
            .decode(c)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(TokenError::Malformed)?;
        if claims.iss != ISSUER || claims.aud != AUDIENCE {
            return Err(TokenError::WrongAudience);
        }
        if now >= claims.exp {
            return Err(TokenError::Expired);
        }
        if claims.nbf > now + NBF_LEEWAY {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(nbf: i64, exp: i64) -> Claims {
        Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            nbf,
            exp,
            sub: "wazuh".into(),
            run_as: false,
            rbac_roles: vec![1],
            rbac_mode: "white".into(),
            hash_auth_context: None,
        }
    }

    #[test]
    fn round_trip_and_rejections() {
        let keys = TokenKeys::generate();
        let t = keys.encode(&claims(1000, 1900));
        assert_eq!(keys.decode(&t, 1000).expect("valid"), claims(1000, 1900));
        assert_eq!(keys.decode(&t, 1900), Err(TokenError::Expired));
        assert_eq!(keys.decode(&t, 900), Err(TokenError::NotYetValid));
        assert_eq!(TokenKeys::generate().decode(&t, 1000), Err(TokenError::BadSignature));
        assert_eq!(keys.decode("garbage", 1000), Err(TokenError::Malformed));
        assert_eq!(keys.decode("a.b.c", 1000), Err(TokenError::Malformed));
        // A tampered payload no longer verifies.
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = B64.encode(serde_json::to_vec(&claims(1000, 99999)).expect("json"));
        parts[1] = &forged;
        assert_eq!(keys.decode(&parts.join("."), 1000), Err(TokenError::BadSignature));
    }

    #[test]
    fn header_is_es512_and_signature_is_132_bytes() {
        let t = TokenKeys::generate().encode(&claims(1, 2));
        let mut it = t.split('.');
        let header = B64.decode(it.next().expect("h")).expect("b64");
        assert_eq!(header, br#"{"alg":"ES512","typ":"JWT"}"#);
        let sig = B64.decode(it.nth(1).expect("s")).expect("b64");
        assert_eq!(sig.len(), 132);
    }

    #[test]
    fn key_persists_across_loads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = TokenKeys::load_or_create(dir.path()).expect("create");
        let t = a.encode(&claims(1, 100));
        let b = TokenKeys::load_or_create(dir.path()).expect("load");
        assert!(b.decode(&t, 50).is_ok());
    }
}
