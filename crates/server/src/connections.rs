//! Serving a [`Router`] over TCP with hyper's HTTP/1 connection builder, under limits that keep a
//! few clients from taking the server away from everyone else:
//!
//! - at most [`Limits::max_connections`] open connections, and at most
//!   [`Limits::max_per_client`] from one client address (IPv6 by /64; peers that
//!   [`Limits::exempt`] names, such as a load balancer, only count towards the total). A
//!   connection over a limit is answered `503` at once, if the socket takes it, and closed;
//! - a header-read deadline: a client must send a request's head within
//!   [`Limits::header_read_timeout`] of connecting or of its previous answer (slow-loris, idle
//!   keep-alive);
//! - a write deadline: an answer that makes no progress for [`Limits::write_timeout`] (the client
//!   stopped reading, or pipelines requests it never reads) ends the connection;
//! - request heads of at most 16 KiB and 64 headers.
//!
//! hyper's own builder rather than `axum::serve`: its limits on the request head and on the time
//! to send it are not reachable through axum.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Sleep;
use tower::Service;

use crate::proxy::client_ip::grouped;

/// hyper's limit on a request's line and headers, above which it answers a bare 431 and closes.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Refused connections are logged at most this often.
const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// The answer to a connection over a limit: small enough to fit any socket buffer at once.
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
connection: close\r\ncontent-length: 35\r\n\r\n{\"detail\":\"Too many connections.\"}\n";

/// Why a server could not start or stopped serving: the same for the simulator and the proxy.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot watch for Ctrl-C and SIGTERM: {0}")]
    Signals(#[source] io::Error),
    #[error("cannot listen on {address}: {source}")]
    Listen { address: SocketAddr, source: io::Error },
    #[error("serving failed: {0}")]
    Serve(#[from] io::Error),
}

/// Installs the Ctrl-C/SIGTERM handlers, then binds `address`: how both servers start.
pub async fn bind_until_signal(
    address: SocketAddr,
) -> Result<(TcpListener, impl Future<Output = ()> + Send + 'static), ServeError> {
    let shutdown = crate::shutdown::signal().map_err(ServeError::Signals)?;
    let listener = TcpListener::bind(address)
        .await
        .map_err(|source| ServeError::Listen { address, source })?;
    Ok((listener, shutdown))
}

/// The limits [`serve`] holds connections to.
#[derive(Clone)]
pub struct Limits {
    pub max_connections: usize,
    /// `None`: no limit per client (the simulator, where every client is this machine).
    pub max_per_client: Option<usize>,
    pub header_read_timeout: Duration,
    pub write_timeout: Duration,
    /// Peers that only count towards the total, never towards a per-client limit.
    pub exempt: Arc<dyn Fn(IpAddr) -> bool + Send + Sync>,
}

/// Serves `router` on `listener` until `shutdown` completes, then lets open requests finish (for
/// up to ten seconds). Each request gets its connection's peer address as a
/// `ConnectInfo<SocketAddr>` extension.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS);
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let counts = Arc::new(Counts::default());
    let graceful = GracefulShutdown::new();
    let mut last_refusal_log: Option<Instant> = None;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Usually out of file descriptors: back off instead of spinning.
                tracing::warn!(%error, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let client = (!(limits.exempt)(peer.ip())).then(|| grouped(peer.ip()));
        let Some(slot) = counts.admit(client, &limits) else {
            let _ = stream.try_write(REFUSAL);
            if last_refusal_log.is_none_or(|at| at.elapsed() >= REFUSAL_LOG_INTERVAL) {
                last_refusal_log = Some(Instant::now());
                tracing::warn!(
                    client = %peer.ip(),
                    max_connections = limits.max_connections,
                    max_per_client = limits.max_per_client.unwrap_or(0),
                    "refusing connections over the limit (logged at most every 10 s)"
                );
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        // The router with this connection's `ConnectInfo`; always ready, never fails.
        let Ok(service) = make_service.call(peer).await;
        let io = TokioIo::new(WriteDeadline::new(stream, limits.write_timeout));
        let connection = graceful.watch(builder.serve_connection(io, TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing open requests");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("open connections did not finish in time"),
    }
    Ok(())
}

/// Open connections, in all and per client.
#[derive(Default)]
struct Counts {
    state: Mutex<CountState>,
}

#[derive(Default)]
struct CountState {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
}

/// One open connection's place in the counts; given back when dropped.
struct Slot {
    counts: Arc<Counts>,
    client: Option<IpAddr>,
}

impl Counts {
    fn state(&self) -> std::sync::MutexGuard<'_, CountState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn admit(self: &Arc<Self>, client: Option<IpAddr>, limits: &Limits) -> Option<Slot> {
        let mut state = self.state();
        if state.total >= limits.max_connections {
            return None;
        }
        if let Some(client) = client {
            let open = state.per_client.entry(client).or_default();
            if limits.max_per_client.is_some_and(|max| *open >= max) {
                return None;
            }
            *open += 1;
        }
        state.total += 1;
        Some(Slot {
            counts: Arc::clone(self),
            client,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.counts.state();
        state.total -= 1;
        if let Some(client) = self.client
            && let Some(open) = state.per_client.get_mut(&client)
        {
            *open -= 1;
            if *open == 0 {
                state.per_client.remove(&client);
            }
        }
    }
}

/// A stream whose writes fail with `TimedOut` once one has waited `timeout` without progress:
/// hyper has no write timeout of its own, and waits forever on a client that does not read.
struct WriteDeadline<S> {
    inner: S,
    timeout: Duration,
    /// Armed while a write waits; reset whenever one makes progress.
    deadline: Option<Pin<Box<Sleep>>>,
}

impl<S> WriteDeadline<S> {
    fn new(inner: S, timeout: Duration) -> WriteDeadline<S> {
        WriteDeadline {
            inner,
            timeout,
            deadline: None,
        }
    }

    /// `Ready(Err)` once the current wait has lasted `timeout`; arms the timer on the first wait.
    fn poll_deadline(&mut self, context: &mut Context<'_>) -> Poll<io::Error> {
        let timeout = self.timeout;
        let deadline = self
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        ready!(deadline.as_mut().poll(context));
        Poll::Ready(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client read nothing of the answer for too long",
        ))
    }

    /// A write's result: bytes written restart the clock, and a wait past the deadline fails.
    fn progress<T>(&mut self, context: &mut Context<'_>, result: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if result.is_ready() {
            self.deadline = None;
        }
        self.unless_stalled(context, result)
    }

    /// A flush's or shutdown's result: it moves no bytes itself, so it never restarts the clock.
    fn unless_stalled<T>(&mut self, context: &mut Context<'_>, result: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match result {
            Poll::Ready(result) => Poll::Ready(result),
            Poll::Pending => match self.poll_deadline(context) {
                Poll::Ready(error) => Poll::Ready(Err(error)),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl AsyncRead for WriteDeadline<TcpStream> {
    fn poll_read(self: Pin<&mut Self>, context: &mut Context<'_>, buffer: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(context, buffer)
    }
}

impl AsyncWrite for WriteDeadline<TcpStream> {
    fn poll_write(self: Pin<&mut Self>, context: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(context, bytes);
        this.progress(context, result)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffers: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(context, buffers);
        this.progress(context, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_flush(context);
        this.unless_stalled(context, result)
    }

    fn poll_shutdown(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_shutdown(context);
        this.unless_stalled(context, result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_connections: usize, max_per_client: Option<usize>) -> Limits {
        Limits {
            max_connections,
            max_per_client,
            header_read_timeout: Duration::from_secs(1),
            write_timeout: Duration::from_secs(1),
            exempt: Arc::new(|_| false),
        }
    }

    #[test]
    fn connections_are_counted_in_all_and_per_client_and_given_back() {
        let counts = Arc::new(Counts::default());
        let limits = limits(3, Some(2));
        let (a, b) = (Some(IpAddr::from([192, 0, 2, 1])), Some(IpAddr::from([192, 0, 2, 2])));
        let first = counts.admit(a, &limits).unwrap();
        let _second = counts.admit(a, &limits).unwrap();
        assert!(counts.admit(a, &limits).is_none(), "two per client");
        let _third = counts.admit(b, &limits).unwrap();
        assert!(counts.admit(b, &limits).is_none(), "three in all");
        assert!(
            counts.admit(None, &limits).is_none(),
            "exempt peers count towards the total too"
        );
        drop(first);
        assert!(
            counts.admit(a, &limits).is_some(),
            "a closed connection gives its place back"
        );
        assert_eq!(counts.state().per_client.len(), 2);
        assert!(REFUSAL.ends_with(b"\r\n\r\n{\"detail\":\"Too many connections.\"}\n"));
        let body = &REFUSAL[REFUSAL.windows(4).position(|window| window == b"\r\n\r\n").unwrap() + 4..];
        assert_eq!(body.len(), 35, "content-length matches");
    }
}
