//! Where password hashes are computed: off the async workers, as many at once as the machine
//! has cores.
//!
//! Each Argon2id hash takes 19 MiB for its duration (`password`). On actix's general blocking
//! pool every login in a burst got a thread and its own 19 MiB at once, so thirty-two logins
//! meant ~600 MiB, while the hashes, bound by the CPU, finished no sooner than they would one
//! core each. A login beyond the cores now waits for a permit instead.
use actix_web::error::BlockingError;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Semaphore;

pub struct Hashing {
    permits: Semaphore,
    verifications: AtomicU64,
}

impl Hashing {
    pub fn new(at_once: usize) -> Hashing {
        Hashing {
            permits: Semaphore::new(at_once.max(1)),
            verifications: AtomicU64::new(0),
        }
    }

    /// As many at once as the machine has cores.
    pub fn per_core() -> Hashing {
        Hashing::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// Runs `f` (a hash or a verification) once a permit is free.
    pub async fn run<T, F>(&self, f: F) -> Result<T, BlockingError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        // Never closed, so acquiring only waits.
        let _permit = self.permits.acquire().await.ok();
        actix_web::web::block(f).await
    }

    /// Checks a login's password against the account's stored hash (`None`: no such account)
    /// with one Argon2 verification whatever the account (`password::check`).
    pub async fn check(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, BlockingError> {
        let (ok, spent) = self
            .run(move || {
                let before = super::password::verifications_on_this_thread();
                let ok = super::password::check(&password, stored.as_deref());
                (ok, super::password::verifications_on_this_thread() - before)
            })
            .await?;
        self.verifications.fetch_add(spent, Ordering::Relaxed);
        Ok(ok)
    }

    /// Argon2 verifications the logins have spent: one per attempt looked at, whoever it named.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::Hashing;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[actix_web::test]
    async fn no_more_run_at_once_than_permits() {
        let hashing = Arc::new(Hashing::new(2));
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let runs = (0..8).map(|_| {
            let (hashing, now, most) = (hashing.clone(), now.clone(), most.clone());
            async move {
                hashing
                    .run(move || {
                        let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(running, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        now.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                    .unwrap()
            }
        });
        futures_util::future::join_all(runs).await;
        let most = most.load(Ordering::SeqCst);
        assert!((1..=2).contains(&most), "{most} ran at once");
    }
}
