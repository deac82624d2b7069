//! The bounded pool of worker threads evaluations run on, never the async executor: a fixed number
//! of threads and a queue of fixed length in front of them. A job that finds the queue full is
//! refused at once ([`Busy`]) so the caller can answer 429 with `Retry-After`; nothing waits in an
//! unbounded queue.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use tokio::sync::oneshot;

/// A unit of work: it runs on a worker thread, and calls its argument once its result is ready,
/// before handing the result over, so that the pool's load never counts a job already answered.
type Job = Box<dyn FnOnce(&dyn Fn()) + Send>;

/// The queue was full: the job was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("every worker is busy and the queue is full")]
pub struct Busy;

/// How full the pool is, for `/metrics` and `/readyz`.
#[derive(Debug, Default)]
pub struct Load {
    /// Jobs waiting in the queue.
    pub queued: AtomicUsize,
    /// Jobs running on a worker.
    pub running: AtomicUsize,
}

/// A fixed set of worker threads behind a bounded queue.
pub struct WorkerPool {
    sender: Option<SyncSender<Job>>,
    workers: Vec<JoinHandle<()>>,
    load: Arc<Load>,
    capacity: usize,
}

impl WorkerPool {
    /// Starts `threads` workers (at least one) behind a queue of `queue` jobs (at least one).
    pub fn new(threads: usize, queue: usize) -> std::io::Result<WorkerPool> {
        let capacity = queue.max(1);
        let (sender, receiver) = sync_channel::<Job>(capacity);
        let receiver = Arc::new(Mutex::new(receiver));
        let load = Arc::new(Load::default());
        let workers = (0..threads.max(1))
            .map(|index| {
                let receiver = Arc::clone(&receiver);
                let load = Arc::clone(&load);
                std::thread::Builder::new()
                    .name(format!("crm-rules-worker-{index}"))
                    .spawn(move || work(&receiver, &load))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(WorkerPool {
            sender: Some(sender),
            workers,
            load,
            capacity,
        })
    }

    /// Queues `job`; its result arrives on the returned receiver. `Err(Busy)` when the queue is
    /// full, at once.
    pub fn submit<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<oneshot::Receiver<T>, Busy> {
        let (sender, receiver) = oneshot::channel();
        let job: Job = Box::new(move |finished: &dyn Fn()| {
            let result = job();
            // Counted as done before its result is sent: whoever reads the load after the
            // result arrived sees the job finished.
            finished();
            // The caller may have gone (its request cancelled): the result is then dropped.
            let _ = sender.send(result);
        });
        let queue = self.sender.as_ref().ok_or(Busy)?;
        self.load.queued.fetch_add(1, Ordering::Relaxed);
        match queue.try_send(job) {
            Ok(()) => Ok(receiver),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.load.queued.fetch_sub(1, Ordering::Relaxed);
                Err(Busy)
            }
        }
    }

    /// How full the pool is.
    pub fn load(&self) -> &Load {
        &self.load
    }

    /// The queue's length.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of worker threads.
    pub fn threads(&self) -> usize {
        self.workers.len()
    }
}

impl Drop for WorkerPool {
    /// Closes the queue, lets the workers finish what was queued, and joins them.
    fn drop(&mut self) {
        drop(self.sender.take());
        for worker in self.workers.drain(..) {
            // A worker that panicked has nothing left to finish.
            let _ = worker.join();
        }
    }
}

fn work(receiver: &Mutex<Receiver<Job>>, load: &Load) {
    loop {
        let job = {
            let receiver = receiver.lock().unwrap_or_else(PoisonError::into_inner);
            receiver.recv()
        };
        let Ok(job) = job else {
            return;
        };
        load.queued.fetch_sub(1, Ordering::Relaxed);
        load.running.fetch_add(1, Ordering::Relaxed);
        let counted = std::cell::Cell::new(false);
        let finished = || {
            if !counted.replace(true) {
                load.running.fetch_sub(1, Ordering::Relaxed);
            }
        };
        // A job that panics must not take its worker with it: the engine turns a rule's failure
        // into an error, so a panic here is a host bug, and the request gets a 500.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&finished)));
        finished();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_workers_and_a_full_queue_refuses_at_once() {
        let pool = WorkerPool::new(1, 1).expect("starts");
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let blocker = pool
            .submit(move || hold.recv().is_ok())
            .expect("the worker takes it");
        // Wait until the worker holds the first job, so the queue is empty again.
        while pool.load().running.load(Ordering::Relaxed) == 0 {
            tokio::task::yield_now().await;
        }
        let queued = pool.submit(|| 2).expect("one job fits in the queue");
        assert_eq!(pool.submit(|| 3).err(), Some(Busy), "the queue is full");
        release.send(()).expect("the worker waits");
        assert_eq!(blocker.await, Ok(true));
        assert_eq!(queued.await, Ok(2));
    }

    #[tokio::test]
    async fn a_panicking_job_leaves_its_worker_working() {
        let pool = WorkerPool::new(1, 4).expect("starts");
        let panicked = pool
            .submit(|| -> u8 { panic!("a host bug") })
            .expect("queued");
        assert!(panicked.await.is_err(), "the caller sees the job gone");
        assert_eq!(pool.submit(|| 7).expect("queued").await, Ok(7));
    }
}
