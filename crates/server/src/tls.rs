//! TLS set-up: a self-signed certificate on first start (as Wazuh's installer makes one), or the
//! configured files; protocol versions, cipher suites and optional client-certificate checks.

use std::path::Path;
use std::sync::Arc;

use rustls::crypto::ring as provider;
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, SupportedCipherSuite};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::Config;
use crate::fsutil;

/// Something wrong with the TLS files or settings; the message says which.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TlsError(String);

/// Builds the rustls configuration, generating `server.key`/`server.crt` when neither exists.
pub fn server_config(config: &Config) -> Result<Arc<ServerConfig>, TlsError> {
    let key_path = config.ssl_path(&config.https.key);
    let cert_path = config.ssl_path(&config.https.cert);
    match (key_path.exists(), cert_path.exists()) {
        (false, false) => generate_self_signed(&key_path, &cert_path)?,
        (true, true) => {}
        (key, _) => {
            let missing = if key { &cert_path } else { &key_path };
            return Err(TlsError(format!(
                "https: {} is missing; provide both https.key and https.cert, or neither to have one generated",
                missing.display()
            )));
        }
    }
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .and_then(|it| it.collect::<Result<_, _>>())
        .map_err(|e| TlsError(format!("https.cert: cannot read {}: {e}", cert_path.display())))?;
    if certs.is_empty() {
        return Err(TlsError(format!(
            "https.cert: no certificate in {}",
            cert_path.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(&key_path).map_err(|e| {
        TlsError(format!(
            "https.key: cannot read a private key from {}: {e}",
            key_path.display()
        ))
    })?;

    let mut crypto = provider::default_provider();
    if !config.https.ssl_ciphers.trim().is_empty() {
        crypto.cipher_suites = select_ciphers(&config.https.ssl_ciphers)?;
    }
    let versions: &[&rustls::SupportedProtocolVersion] = match config.https.ssl_protocol.to_ascii_lowercase().as_str() {
        "tlsv1.2" => &[&rustls::version::TLS12],
        "tlsv1.3" => &[&rustls::version::TLS13],
        _ => rustls::ALL_VERSIONS,
    };
    let crypto = Arc::new(crypto);
    let builder = ServerConfig::builder_with_provider(crypto.clone())
        .with_protocol_versions(versions)
        .map_err(|e| TlsError(format!("https.ssl_ciphers / https.ssl_protocol: {e}")))?;
    let builder = if config.https.use_ca {
        let ca_path = config.ssl_path(&config.https.ca);
        let mut roots = RootCertStore::empty();
        let cas = CertificateDer::pem_file_iter(&ca_path)
            .and_then(|it| it.collect::<Result<Vec<_>, _>>())
            .map_err(|e| TlsError(format!("https.ca: cannot read {}: {e}", ca_path.display())))?;
        for ca in cas {
            roots.add(ca).map_err(|e| TlsError(format!("https.ca: {e}")))?;
        }
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), crypto)
            .build()
            .map_err(|e| TlsError(format!("https.ca: {e}")))?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let mut server = builder
        .with_single_cert(certs, key)
        .map_err(|e| TlsError(format!("https.key/https.cert: {e}")))?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(server))
}

/// Maps an OpenSSL-style cipher list to rustls suites; unknown names are an error, not ignored,
/// so an operator never believes a cipher is in use when it is not.
fn select_ciphers(list: &str) -> Result<Vec<SupportedCipherSuite>, TlsError> {
    let all = provider::ALL_CIPHER_SUITES;
    let mut chosen = Vec::new();
    for name in list.split([':', ',']).map(str::trim).filter(|n| !n.is_empty()) {
        let wanted = openssl_to_iana(name);
        let suite = all
            .iter()
            .find(|s| s.suite().as_str().is_some_and(|n| n.eq_ignore_ascii_case(&wanted)))
            .ok_or_else(|| {
                let known: Vec<_> = all.iter().filter_map(|s| s.suite().as_str()).collect();
                TlsError(format!(
                    "https.ssl_ciphers: unknown or unsupported cipher '{name}'; supported: {}",
                    known.join(", ")
                ))
            })?;
        chosen.push(*suite);
    }
    Ok(chosen)
}

fn openssl_to_iana(name: &str) -> String {
    match name.to_ascii_uppercase().as_str() {
        "ECDHE-ECDSA-AES128-GCM-SHA256" => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".into(),
        "ECDHE-ECDSA-AES256-GCM-SHA384" => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384".into(),
        "ECDHE-ECDSA-CHACHA20-POLY1305" => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256".into(),
        "ECDHE-RSA-AES128-GCM-SHA256" => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".into(),
        "ECDHE-RSA-AES256-GCM-SHA384" => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
        "ECDHE-RSA-CHACHA20-POLY1305" => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256".into(),
        other => other.to_owned(),
    }
}

fn generate_self_signed(key_path: &Path, cert_path: &Path) -> Result<(), TlsError> {
    let host = crate::hostname();
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    if !names.contains(&host) {
        names.push(host);
    }
    let mut params =
        rcgen::CertificateParams::new(names).map_err(|e| TlsError(format!("cannot build a certificate: {e}")))?;
    params.distinguished_name.push(rcgen::DnType::OrganizationName, "oxsec");
    params.distinguished_name.push(rcgen::DnType::CommonName, "oxsec");
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(365);
    let key = rcgen::KeyPair::generate().map_err(|e| TlsError(format!("cannot generate a TLS key: {e}")))?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| TlsError(format!("cannot self-sign: {e}")))?;
    fsutil::write_atomic(key_path, key.serialize_pem().as_bytes(), 0o600)
        .map_err(|e| TlsError(format!("cannot write {}: {e}", key_path.display())))?;
    fsutil::write_atomic(cert_path, cert.pem().as_bytes(), 0o644)
        .map_err(|e| TlsError(format!("cannot write {}: {e}", cert_path.display())))?;
    tracing::info!(cert = %cert_path.display(), "generated a self-signed TLS certificate");
    Ok(())
}
