//! The threads that run requests' database work: as many as the pool has connections.
//!
//! Diesel's connections block, so a request's statements run off the async workers. Handing
//! each to actix's general blocking pool (`web::block`) spawned a thread per waiting request
//! (~50 under 32 concurrent callers and 4 connections): all but four then slept in the pool's
//! checkout, every returned connection woke one of them, and each thread carried its own
//! allocator heap. Here the work queues instead, and a thread that finishes one piece takes
//! the next without sleeping; with no more threads than connections, a checkout never waits
//! on another request's work (bench/RESULTS.md, issue 15).
//!
//! Work that already holds a connection across awaits (a request under an `Idempotency-Key`,
//! `db::idempotency::Held`) must not queue here: were every thread waiting for a connection
//! that such requests hold, their next step could never run. `AppState::db` keeps it on the
//! general blocking pool.
use std::time::Duration;
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinError;

pub struct DbThreads {
    // A runtime used only for its blocking pool, whose size is the bound and whose queue is
    // the wait: tokio's blocking pool is that, maintained, so it is not written again here.
    // Never driven; `Option` so that `Drop` can shut it down from inside an async worker.
    runtime: Option<Runtime>,
}

impl DbThreads {
    pub fn new(threads: u32) -> std::io::Result<DbThreads> {
        let runtime = Builder::new_current_thread()
            .max_blocking_threads(threads.max(1) as usize)
            .thread_name("db")
            // Threads are started as work arrives and kept while it keeps arriving.
            .thread_keep_alive(Duration::from_secs(60))
            .build()?;
        Ok(DbThreads {
            runtime: Some(runtime),
        })
    }

    /// Runs `f` on one of the threads, after the work queued before it.
    pub async fn run<T, F>(&self, f: F) -> Result<T, JoinError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let runtime = self.runtime.as_ref().expect("runtime kept until drop");
        runtime.spawn_blocking(f).await
    }
}

impl Drop for DbThreads {
    fn drop(&mut self) {
        // Dropping a runtime waits for its threads, which an async worker must not do; the
        // threads finish the piece they run and exit.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DbThreads;
    use std::collections::HashSet;
    use std::sync::{Arc, Mutex};

    #[actix_web::test]
    async fn work_beyond_the_threads_queues_instead_of_starting_more() {
        let threads = Arc::new(DbThreads::new(2).unwrap());
        let seen = Arc::new(Mutex::new(HashSet::new()));
        let runs = (0..16).map(|i| {
            let (threads, seen) = (threads.clone(), seen.clone());
            async move {
                threads
                    .run(move || {
                        seen.lock().unwrap().insert(std::thread::current().id());
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        i * 2
                    })
                    .await
                    .unwrap()
            }
        });
        let results = futures_util::future::join_all(runs).await;
        assert_eq!(results, (0..16).map(|i| i * 2).collect::<Vec<_>>());
        assert_eq!(
            seen.lock().unwrap().len(),
            2,
            "16 pieces of work ran on two threads"
        );
    }

    #[actix_web::test]
    async fn dropping_it_inside_an_async_worker_does_not_panic() {
        let threads = DbThreads::new(1).unwrap();
        assert_eq!(threads.run(|| 7).await.unwrap(), 7);
        drop(threads);
    }
}
