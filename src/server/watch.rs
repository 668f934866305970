//! The clock of one connection: request headers within the header timeout
//! (counted from the connection's start, or from the first byte of the next
//! request on a kept-alive connection), and an idle kept-alive connection
//! closed after the idle timeout. Hyper's own `header_read_timeout` starts
//! whenever a connection waits for a head, so it would also close every idle
//! kept-alive connection after the (shorter) header timeout; hence this watch:
//! the socket reports bytes read and written, the service reports requests in
//! flight, and [`Watch::overdue`] says when to drop the connection.
use std::{
    io,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    time::Instant,
};

/// How long a connection may wait in each state.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header: Duration,
    pub idle: Duration,
}

#[derive(Debug)]
struct State {
    /// Requests whose handler has not answered yet.
    in_flight: usize,
    /// When the head now being read started (the connection's start, or the
    /// first byte after an idle spell).
    head_since: Option<Instant>,
    /// The last byte read or written.
    last_io: Instant,
}

/// One connection's clock, shared by its socket and its service.
#[derive(Debug, Clone)]
pub struct Watch {
    limits: Limits,
    state: Arc<Mutex<State>>,
}

impl Watch {
    /// A new connection: its first request's headers are due within the
    /// header timeout from now.
    #[must_use]
    pub fn new(limits: Limits) -> Self {
        let now = Instant::now();
        Self {
            limits,
            state: Arc::new(Mutex::new(State {
                in_flight: 0,
                head_since: Some(now),
                last_io: now,
            })),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut state)
    }

    fn read(&self, bytes: usize) {
        self.with(|s| {
            s.last_io = Instant::now();
            if bytes > 0 && s.in_flight == 0 && s.head_since.is_none() {
                s.head_since = Some(s.last_io);
            }
        });
    }

    fn wrote(&self) {
        self.with(|s| s.last_io = Instant::now());
    }

    /// A request's head has arrived: its handler runs; keep the guard until
    /// it answers.
    #[must_use]
    pub fn request(&self) -> InFlight {
        self.with(|s| {
            s.in_flight += 1;
            s.head_since = None;
        });
        InFlight(self.clone())
    }

    /// When the connection is next due for a look.
    #[must_use]
    pub fn deadline(&self) -> Instant {
        self.with(|s| {
            if s.in_flight > 0 {
                // The request timeout bounds a handler; look again later.
                Instant::now() + self.limits.idle
            } else if let Some(since) = s.head_since {
                since + self.limits.header
            } else {
                s.last_io + self.limits.idle
            }
        })
    }

    /// Whether the connection has waited too long (headers not complete in
    /// time, or idle for too long) and should be closed.
    #[must_use]
    pub fn overdue(&self) -> bool {
        let now = Instant::now();
        self.with(|s| {
            if s.in_flight > 0 {
                false
            } else if let Some(since) = s.head_since {
                now >= since + self.limits.header
            } else {
                now >= s.last_io + self.limits.idle
            }
        })
    }
}

/// A request being handled; dropping it (the handler answered, or gave up)
/// starts the idle clock.
#[derive(Debug)]
pub struct InFlight(Watch);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.with(|s| {
            s.in_flight = s.in_flight.saturating_sub(1);
            s.last_io = Instant::now();
        });
    }
}

/// A socket that reports its traffic to a [`Watch`].
#[derive(Debug)]
pub struct Watched<S> {
    inner: S,
    watch: Watch,
}

impl<S> Watched<S> {
    pub const fn new(inner: S, watch: Watch) -> Self {
        Self { inner, watch }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            self.watch.read(buf.filled().len() - before);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = polled {
            if n > 0 {
                self.watch.wrote();
            }
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = polled {
            if n > 0 {
                self.watch.wrote();
            }
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
