//! Listening and serving: TCP listeners on every configured address, TLS when enabled, HTTP/1.1 and
//! HTTP/2, the peer address attached to each request, and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::Service;

use crate::PeerAddr;

/// A TLS handshake that takes longer than this is dropped (slow-client protection).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's headers (and stay idle between requests).
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once; more are closed on accept rather than exhausting descriptors.
const MAX_CONNECTIONS: usize = 4096;
/// How long in-flight requests get to finish at shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` on `listeners` until `shutdown` resolves, then drains open connections.
pub async fn serve(
    app: Router,
    listeners: Vec<TcpListener>,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let acceptor = tls.map(TlsAcceptor::from);
    let graceful = Arc::new(GracefulShutdown::new());
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for listener in listeners {
        let app = app.clone();
        let acceptor = acceptor.clone();
        let graceful = graceful.clone();
        let slots = slots.clone();
        let mut stop = stop_rx.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let (tcp, peer) = tokio::select! {
                    r = listener.accept() => match r {
                        Ok(c) => c,
                        Err(e) => {
                            // Out of file descriptors and the like: back off instead of spinning.
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    },
                    _ = stop.changed() => break,
                };
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    tracing::warn!(%peer, "connection limit reached; connection closed");
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let app = app.clone();
                let graceful = graceful.clone();
                match acceptor.clone() {
                    Some(acceptor) => {
                        tokio::spawn(async move {
                            let _slot = slot;
                            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                                Ok(Ok(tls)) => serve_connection(tls, peer, app, &graceful).await,
                                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                            }
                        });
                    }
                    None => {
                        tokio::spawn(async move {
                            let _slot = slot;
                            serve_connection(tcp, peer, app, &graceful).await
                        });
                    }
                }
            }
        }));
    }
    shutdown.await;
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    if let Ok(graceful) = Arc::try_unwrap(graceful) {
        if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
            tracing::warn!("connections still open after the drain timeout were closed");
        }
    }
}

/// Routes on the path with `%2F` decoded, as Wazuh's server (aiohttp) does: an encoded slash
/// separates segments, so `/lists/files/..%2F..%2Fx` matches no route (404) instead of reaching a
/// handler with `../../x` as its file name.
fn decode_encoded_slashes<B>(req: &mut hyper::Request<B>) {
    let uri = req.uri();
    let path = uri.path();
    if !path.contains("%2F") && !path.contains("%2f") {
        return;
    }
    let decoded = path.replace("%2F", "/").replace("%2f", "/");
    let rebuilt = match uri.query() {
        Some(q) => format!("{decoded}?{q}"),
        None => decoded,
    };
    if let Ok(pq) = rebuilt.parse::<axum::http::uri::PathAndQuery>() {
        let mut parts = uri.clone().into_parts();
        parts.path_and_query = Some(pq);
        if let Ok(new_uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = new_uri;
        }
    }
}

async fn serve_connection<I>(io: I, peer: SocketAddr, app: Router, graceful: &GracefulShutdown)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(PeerAddr(peer));
        decode_encoded_slashes(&mut req);
        let mut app = app.clone();
        async move { app.call(req.map(axum::body::Body::new)).await }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // A client must send a request's headers within this time (also bounds idle keep-alive
    // connections), so slow or silent clients cannot hold connections forever.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(HEADER_TIMEOUT));
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    if let Err(e) = graceful.watch(conn.into_owned()).await {
        tracing::debug!(%peer, error = %e, "connection ended with an error");
    }
}
