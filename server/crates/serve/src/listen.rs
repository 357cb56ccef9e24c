//! The connection loop of `atoll serve`: HTTP/1.1 over TCP with the limits a server
//! facing the internet needs, and a graceful shutdown.
//!
//! `axum::serve` has neither a header timeout, an idle keep-alive timeout nor a
//! connection cap, so one client can hold thousands of sockets by sending its headers
//! a byte at a time (slowloris). [`serve`] accepts connections itself and gives each a
//! deadline per phase:
//!
//! * **head**: the whole request head (request line and headers) must arrive within
//!   [`ConnectionLimits::header_timeout`] of its first byte (of the accept, for a
//!   connection's first request) — an inactivity timeout alone never cuts a client that
//!   sends one byte per second. nginx's `client_header_timeout` (60 s) is the reference.
//! * **idle**: between a response and the next request, a keep-alive connection is
//!   closed after [`ConnectionLimits::keep_alive_timeout`] (nginx's `keepalive_timeout`,
//!   75 s).
//! * **send**: a response write that makes no progress for
//!   [`ConnectionLimits::send_timeout`] closes the connection (nginx's `send_timeout`,
//!   60 s): a client that never reads cannot hold a connection either.
//!
//! While a request is handled (its body read, its answer computed) no connection
//! deadline applies; the handlers bound their own reads (bodies are size-limited).
//! At [`ConnectionLimits::max_connections`] the loop stops accepting (new clients wait
//! in the kernel's backlog, as with nginx's `worker_connections`) and logs a warning.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// The limits of [`serve`]. `Default` gives the defaults of `atoll serve`.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time for a whole request head, from its first byte (10 s: a browser sends its
    /// head in one packet; nginx allows 60 s, which lets one slow client hold a socket
    /// six times longer for no benefit to real ones).
    pub header_timeout: Duration,
    /// Time a keep-alive connection may stay idle between requests (65 s: longer than
    /// the 60 s idle timeout of common proxies in front — AWS ALB, nginx's upstream
    /// keepalive — so the proxy, not Atoll, closes first and never reuses a socket Atoll
    /// has just closed; nginx's own default is 75 s).
    pub keep_alive_timeout: Duration,
    /// Time a response write may make no progress (30 s; nginx: 60 s).
    pub send_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog (1,024: room for the
    /// 400 concurrent checkouts of the several-servers tests and a browser's 6
    /// connections per visitor; each is a file descriptor, so raise `ulimit -n` with it).
    pub max_connections: usize,
    /// On shutdown, time in-flight requests get to finish before their connections
    /// are closed (10 s: within the 30 s a Kubernetes pod gets after SIGTERM).
    pub drain_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            keep_alive_timeout: Duration::from_secs(65),
            send_timeout: Duration::from_secs(30),
            max_connections: 1024,
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// What [`serve`] did by the time it returned.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ServeReport {
    /// Connections accepted.
    pub accepted: u64,
    /// Connections still open when the drain time ran out (closed then).
    pub cut_at_shutdown: usize,
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains: stops accepting,
/// lets in-flight requests finish within [`ConnectionLimits::drain_timeout`] (idle
/// keep-alive connections close at once) and returns.
///
/// Each request carries `ConnectInfo<SocketAddr>` (the peer) like axum's
/// `into_make_service_with_connect_info`. Only HTTP/1.x is spoken (TLS and HTTP/2 end
/// at the proxy or CDN in front).
///
/// # Errors
/// None today: accept errors (e.g. too many open files) are logged and retried after
/// a pause, as `axum::serve` does.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<ServeReport> {
    let (_keep, apps) = tokio::sync::watch::channel(app);
    serve_switching(listener, apps, limits, shutdown).await
}

/// [`serve`] with the router that `apps` holds when a connection is accepted: a new
/// router (the state's, once a start is done: [`crate::warm`]) serves the connections
/// accepted after it is sent, with nothing in between; those open before keep theirs.
///
/// # Errors
/// As [`serve`].
pub async fn serve_switching(
    listener: TcpListener,
    apps: tokio::sync::watch::Receiver<Router>,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<ServeReport> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut report = ServeReport::default();
    let mut last_full_warning: Option<Instant> = None;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if last_full_warning.is_none_or(|at| at.elapsed() >= Duration::from_secs(10)) {
                    tracing::warn!(
                        "connection limit reached: {} connections open (--max-connections); new connections wait until one closes",
                        limits.max_connections
                    );
                    last_full_warning = Some(Instant::now());
                }
                tokio::select! {
                    permit = Arc::clone(&permits).acquire_owned() => permit.expect("the semaphore is never closed"),
                    () = &mut shutdown => break,
                }
            }
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // EMFILE and friends: the listener is fine, the process is not.
                    tracing::error!("cannot accept a connection: {error}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        report.accepted += 1;
        // Small responses go out at once (no Nagle delay), as nginx's `tcp_nodelay`.
        let _ = tcp.set_nodelay(true);
        let phase = Arc::new(Phase::new(limits));
        let io = TokioIo::new(TimedIo::new(tcp, Arc::clone(&phase), limits));
        let app = apps.borrow().clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            phase.handling();
            request.extensions_mut().insert(ConnectInfo(peer));
            let phase = Arc::clone(&phase);
            let response = app.clone().oneshot(request.map(Body::new));
            async move {
                let response = response.await?;
                Ok::<_, std::convert::Infallible>(response.map(|body| PhaseBody {
                    body,
                    phase: Some(phase),
                }))
            }
        });
        let connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, "connection closed: {error}");
            }
            drop(permit);
        });
    }
    drop(listener);
    let open = graceful.count();
    if open > 0 {
        tracing::info!(
            "draining {open} connection(s), at most {:?}",
            limits.drain_timeout
        );
    }
    let drained = tokio::time::timeout(limits.drain_timeout, graceful.shutdown()).await;
    if drained.is_err() {
        report.cut_at_shutdown = limits.max_connections - permits.available_permits();
        tracing::warn!(
            "{} connection(s) still busy after the drain time were closed",
            report.cut_at_shutdown
        );
    }
    Ok(report)
}

/// Where a connection is, with its deadline. Shared by the socket wrapper (which reads
/// and enforces it) and the service and response body (which move it on).
struct Phase {
    state: AtomicU8,
    /// Deadline of the head or idle phase, in milliseconds since `epoch`.
    deadline: AtomicU64,
    epoch: Instant,
    limits: ConnectionLimits,
    /// The task waiting to read while a request was handled: woken when the response
    /// is sent, so the idle deadline starts to be watched.
    reader: futures_util::task::AtomicWaker,
}

/// Waiting for the first byte of a request head after a response.
const IDLE: u8 = 0;
/// Reading a request head.
const HEAD: u8 = 1;
/// A request is being handled or its response sent.
const HANDLING: u8 = 2;

impl Phase {
    fn new(limits: ConnectionLimits) -> Self {
        // A new connection's first request gets the head time from the accept.
        let phase = Self {
            state: AtomicU8::new(HEAD),
            deadline: AtomicU64::new(0),
            epoch: Instant::now(),
            limits,
            reader: futures_util::task::AtomicWaker::new(),
        };
        phase.set_deadline(limits.header_timeout);
        phase
    }

    fn set_deadline(&self, after: Duration) {
        let at = self.epoch.elapsed() + after;
        self.deadline.store(
            at.as_millis().try_into().unwrap_or(u64::MAX),
            Ordering::Release,
        );
    }

    /// The head arrived: hyper calls the service.
    fn handling(&self) {
        self.state.store(HANDLING, Ordering::Release);
    }

    /// The response was sent (its body finished or was dropped).
    fn idle(&self) {
        self.set_deadline(self.limits.keep_alive_timeout);
        self.state.store(IDLE, Ordering::Release);
        self.reader.wake();
    }

    /// Bytes were read: the first byte after an idle phase starts a head.
    fn read_some(&self) {
        if self
            .state
            .compare_exchange(IDLE, HEAD, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.set_deadline(self.limits.header_timeout);
        }
    }

    /// The deadline of the current phase, if it has one.
    fn deadline(&self) -> Option<(Instant, &'static str)> {
        let what = match self.state.load(Ordering::Acquire) {
            IDLE => "idle keep-alive",
            HEAD => "request head",
            _ => return None,
        };
        let millis = self.deadline.load(Ordering::Acquire);
        Some((self.epoch + Duration::from_millis(millis), what))
    }
}

/// The TCP stream with the phase deadlines and the send timeout.
struct TimedIo {
    inner: TcpStream,
    phase: Arc<Phase>,
    read_timer: Pin<Box<tokio::time::Sleep>>,
    read_timer_at: Option<Instant>,
    write_timer: Pin<Box<tokio::time::Sleep>>,
    write_stalled: bool,
    send_timeout: Duration,
}

impl TimedIo {
    fn new(inner: TcpStream, phase: Arc<Phase>, limits: ConnectionLimits) -> Self {
        let now = tokio::time::Instant::now();
        Self {
            inner,
            phase,
            read_timer: Box::pin(tokio::time::sleep_until(now)),
            read_timer_at: None,
            write_timer: Box::pin(tokio::time::sleep_until(now)),
            write_stalled: false,
            send_timeout: limits.send_timeout,
        }
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, format!("{what} timeout"))
}

impl AsyncRead for TimedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.phase.read_some();
                }
                // A head trickling in byte by byte is cut on time, too.
                if let Some((deadline, what)) = this.phase.deadline() {
                    if Instant::now() >= deadline {
                        return Poll::Ready(Err(timed_out(what)));
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => {
                // Hyper may wait to read before the response is done: the phase change
                // wakes it, and the idle deadline is armed then (registered before the
                // phase is read, so no change is missed).
                this.phase.reader.register(cx.waker());
                let Some((deadline, what)) = this.phase.deadline() else {
                    return Poll::Pending;
                };
                if this.read_timer_at != Some(deadline) {
                    this.read_timer
                        .as_mut()
                        .reset(tokio::time::Instant::from_std(deadline));
                    this.read_timer_at = Some(deadline);
                }
                match this.read_timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(timed_out(what))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl TimedIo {
    /// Wraps a write attempt with the send timeout.
    fn on_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match result {
            Poll::Pending => {
                if !self.write_stalled {
                    self.write_stalled = true;
                    let at = tokio::time::Instant::now() + self.send_timeout;
                    self.write_timer.as_mut().reset(at);
                }
                match self.write_timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(timed_out("send"))),
                    Poll::Pending => Poll::Pending,
                }
            }
            ready => {
                self.write_stalled = false;
                ready
            }
        }
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.on_write(cx, result)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.on_write(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_flush(cx);
        this.on_write(cx, result)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// A response body that moves its connection to the idle phase once sent or dropped.
struct PhaseBody {
    body: Body,
    phase: Option<Arc<Phase>>,
}

impl PhaseBody {
    fn finish(&mut self) {
        if let Some(phase) = self.phase.take() {
            phase.idle();
        }
    }
}

impl Drop for PhaseBody {
    fn drop(&mut self) {
        self.finish();
    }
}

impl HttpBody for PhaseBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            this.finish();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
