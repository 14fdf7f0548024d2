//! The loopback listener's connection table: at most a fixed number of connections, and
//! when it is full a new one takes the place of the one that has been silent the longest.
//!
//! Contract: every accepted connection asks [`Slots::admit`] for a place. While there is
//! room it gets one. When the table is full, the connection whose last byte (or, having sent
//! none, whose accept) lies furthest back is evicted (its task aborted, so its socket
//! closes) and the new one takes its place; a connection whose request head has arrived
//! ([`Activity::mark_busy`]: it is being answered) is never evicted. Only when every place
//! is busy is the new connection refused. A browser sends its request the moment it has
//! connected, so a table full of sockets that send nothing (held open, or re-opened as soon
//! as they are dropped) can no longer keep the real redirect out: the idle ones go first.
//!
//! [`Tracked`] wraps a connection's stream and records when bytes arrive.
//!
//! Security rule: nothing here reads or keeps what a connection sends; only when it sent it.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::task::AbortHandle;

/// When a connection last showed signs of life, and whether it is being answered.
#[derive(Debug)]
pub struct Activity {
    epoch: Instant,
    /// Nanoseconds after `epoch` of the accept or the last byte received.
    last: AtomicU64,
    busy: AtomicBool,
}

impl Activity {
    fn new(epoch: Instant) -> Self {
        let activity = Activity { epoch, last: AtomicU64::new(0), busy: AtomicBool::new(false) };
        activity.touch();
        activity
    }

    /// Records that bytes arrived now.
    pub fn touch(&self) {
        let nanos = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.last.store(nanos, Ordering::Relaxed);
    }

    /// Marks the connection as being answered (its request head has arrived): it is never
    /// evicted from then on.
    pub fn mark_busy(&self) {
        self.busy.store(true, Ordering::Relaxed);
    }

    fn last(&self) -> u64 {
        self.last.load(Ordering::Relaxed)
    }

    fn busy(&self) -> bool {
        self.busy.load(Ordering::Relaxed)
    }
}

struct Entry {
    id: u64,
    activity: Arc<Activity>,
    /// Set right after the connection's task is spawned.
    abort: Option<AbortHandle>,
}

struct Inner {
    next_id: u64,
    entries: Vec<Entry>,
    evicted: u64,
}

/// The table of connections being served (shared between the accept loop and the tasks).
pub struct Slots {
    capacity: usize,
    epoch: Instant,
    inner: Mutex<Inner>,
}

/// A place in the table; dropping it (when the connection's task ends or is aborted) frees
/// the place.
pub struct Slot {
    slots: Arc<Slots>,
    id: u64,
    activity: Arc<Activity>,
}

impl Slot {
    /// This connection's activity record.
    pub fn activity(&self) -> &Arc<Activity> {
        &self.activity
    }

    /// This place's number, for [`Slots::set_abort`].
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut inner = self.slots.lock();
        if let Some(i) = inner.entries.iter().position(|e| e.id == self.id) {
            inner.entries.swap_remove(i);
        }
    }
}

impl Slots {
    /// An empty table of `capacity` places (at least one).
    pub fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Slots {
            capacity: capacity.max(1),
            epoch: Instant::now(),
            inner: Mutex::new(Inner { next_id: 0, entries: Vec::with_capacity(capacity), evicted: 0 }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A place for a connection just accepted: a free one, or the place of the connection
    /// silent the longest, which is closed. `None` when every place is busy answering (the
    /// new connection is then closed by the caller).
    pub fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut inner = self.lock();
        if inner.entries.len() >= self.capacity {
            let victim = inner
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| !e.activity.busy())
                .min_by_key(|(_, e)| e.activity.last())
                .map(|(i, _)| i)?;
            let entry = inner.entries.swap_remove(victim);
            inner.evicted += 1;
            if let Some(abort) = entry.abort {
                abort.abort();
            }
        }
        let id = inner.next_id;
        inner.next_id += 1;
        let activity = Arc::new(Activity::new(self.epoch));
        inner.entries.push(Entry { id, activity: Arc::clone(&activity), abort: None });
        Some(Slot { slots: Arc::clone(self), id, activity })
    }

    /// Registers the abort handle of the task serving place `id`, so an eviction can close
    /// it. A place evicted (or freed) before this has its task aborted at once.
    pub fn set_abort(&self, id: u64, abort: AbortHandle) {
        let mut inner = self.lock();
        if let Some(entry) = inner.entries.iter_mut().find(|e| e.id == id) {
            entry.abort = Some(abort);
        } else {
            abort.abort();
        }
    }

    /// Connections in the table now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// True when no connection is in the table.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many connections have been evicted so far.
    pub fn evicted(&self) -> u64 {
        self.lock().evicted
    }
}

/// A stream that records in its [`Activity`] when bytes arrive.
pub struct Tracked<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S> Tracked<S> {
    pub fn new(inner: S, activity: Arc<Activity>) -> Self {
        Tracked { inner, activity }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.touch();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_table_gives_the_place_of_the_longest_silent_connection() {
        let slots = Slots::new(3);
        let a = slots.admit().unwrap();
        let b = slots.admit().unwrap();
        let c = slots.admit().unwrap();
        // a spoke after b and c were accepted: b is now the longest silent.
        std::thread::sleep(std::time::Duration::from_millis(2));
        a.activity().touch();
        let task_b = tokio::spawn(std::future::pending::<()>());
        slots.set_abort(b.id(), task_b.abort_handle());
        let d = slots.admit().expect("a place");
        assert_eq!(slots.len(), 3);
        assert_eq!(slots.evicted(), 1);
        assert!(task_b.await.unwrap_err().is_cancelled(), "b's task was aborted");
        // b's slot dropping later frees nothing twice.
        drop(b);
        assert_eq!(slots.len(), 3);
        drop((a, c, d));
        assert!(slots.is_empty());
    }

    #[tokio::test]
    async fn busy_connections_are_never_evicted() {
        let slots = Slots::new(2);
        let a = slots.admit().unwrap();
        let b = slots.admit().unwrap();
        a.activity().mark_busy();
        b.activity().mark_busy();
        assert!(slots.admit().is_none(), "every place answering: the newcomer is refused");
        b.activity().busy.store(false, Ordering::Relaxed);
        let c = slots.admit().expect("b gives way");
        assert_eq!(slots.len(), 2);
        drop((a, b, c));
    }

    #[tokio::test]
    async fn a_connection_evicted_before_its_task_was_registered_is_closed_at_registration() {
        let slots = Slots::new(1);
        let a = slots.admit().unwrap();
        let _b = slots.admit().unwrap();
        let task = tokio::spawn(std::future::pending::<()>());
        slots.set_abort(a.id(), task.abort_handle());
        assert!(task.await.unwrap_err().is_cancelled());
    }
}
