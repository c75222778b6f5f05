//! Where evidence bytes live: the local folder (the zero-setup default) or an S3-compatible
//! object store, both behind the `object_store` crate so uploads, downloads and the sweep
//! speak one API. Keys are server-chosen (`<shard>/<id>`), so the local layout is unchanged.
mod config;
mod upload;

pub use config::{S3Config, StoreConfig};
pub use upload::{Rejection, Stored, Upload, MULTIPART_THRESHOLD};

use bytes::Bytes;
use futures_util::stream::BoxStream;
use object_store::{path::Path, ObjectStore};
use std::sync::Arc;

#[derive(Clone)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
}

/// A stored file being read: its size and its bytes as they arrive from the store.
pub struct Reading {
    pub size: u64,
    pub bytes: BoxStream<'static, object_store::Result<Bytes>>,
}

impl Store {
    /// Opens the configured store; the local folder is created if missing.
    pub fn open(config: &StoreConfig) -> Result<Self, String> {
        let inner: Arc<dyn ObjectStore> = match config {
            StoreConfig::Local(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(dir)
                        .map_err(|e| format!("{}: {e}", dir.display()))?,
                )
            }
            StoreConfig::S3(s3) => s3.build().map_err(|e| format!("ATTACHMENTS_URL: {e}"))?,
        };
        Ok(Store { inner })
    }

    /// A store over any `ObjectStore` (tests use the in-memory one).
    pub fn from_object_store(inner: Arc<dyn ObjectStore>) -> Self {
        Store { inner }
    }

    /// Starts receiving a file under a server-chosen key; nothing is visible until `finish`.
    pub fn upload(&self, id: &str, max: u64) -> Upload {
        Upload::new(self.inner.clone(), key_for(id), max)
    }

    /// The file's bytes, or `None` when the store no longer has it (swept, or lost).
    pub async fn read(&self, key: &str) -> object_store::Result<Option<Reading>> {
        match self.inner.get(&Path::from(key)).await {
            Ok(got) => Ok(Some(Reading {
                size: got.meta.size,
                bytes: got.into_stream(),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether the store has the file (tests, operations).
    pub async fn exists(&self, key: &str) -> object_store::Result<bool> {
        match self.inner.head(&Path::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every key in the store, staged local files included (tests, operations).
    pub async fn keys(&self) -> object_store::Result<Vec<String>> {
        use futures_util::TryStreamExt;
        let listed: Vec<_> = self.inner.list(None).try_collect().await?;
        Ok(listed.into_iter().map(|m| m.location.to_string()).collect())
    }

    /// Deletes a stored file; one already gone counts as deleted, so a repeated sweep or a
    /// retried clean-up is harmless. The one place that removes evidence bytes.
    pub async fn remove(&self, key: &str) -> object_store::Result<()> {
        match self.inner.delete(&Path::from(key)).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            other => other,
        }
    }
}

/// Two-character fan-out from the random tail of the UUIDv7 keeps local folders small.
pub fn key_for(id: &str) -> String {
    let shard = &id[id.len().saturating_sub(2)..];
    format!("{shard}/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fan_out_by_the_ids_tail() {
        assert_eq!(key_for("0193abcdef"), "ef/0193abcdef");
    }

    #[actix_web::test]
    async fn a_missing_file_reads_as_none_and_removes_cleanly() {
        let store = Store::from_object_store(Arc::new(object_store::memory::InMemory::new()));
        assert!(store.read("aa/none").await.unwrap().is_none());
        store.remove("aa/none").await.unwrap();
    }
}
