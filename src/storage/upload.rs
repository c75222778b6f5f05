//! One file being received: sniffed by its first bytes, hashed, size-capped while it streams,
//! and never visible half-written. Up to `MULTIPART_THRESHOLD` the bytes are held and written
//! with one `put` (the local store stages a temp file and renames it; S3 shows an object only
//! once its PUT completes); past it they go up as a multipart upload, which is aborted on
//! any failure and shows nothing until it completes.
use crate::domain::media::{sniff, MediaType, SNIFF_LEN};
use object_store::{path::Path, ObjectStore, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Files above this go up in parts (S3's parts must be at least 5 MiB but the last).
pub const MULTIPART_THRESHOLD: usize = 8 * 1024 * 1024;
/// Parts in flight at once: bounds the memory one upload holds to about two parts.
const PARTS_IN_FLIGHT: usize = 2;

pub enum Rejection {
    TooLarge,
    UnsupportedType,
    Store(object_store::Error),
}

impl From<object_store::Error> for Rejection {
    fn from(e: object_store::Error) -> Self {
        Rejection::Store(e)
    }
}

pub struct Stored {
    pub media: MediaType,
    pub size: u64,
    pub sha256: String,
    pub storage_key: String,
}

pub struct Upload {
    store: Arc<dyn ObjectStore>,
    key: String,
    hasher: Sha256,
    head: Vec<u8>,
    media: Option<MediaType>,
    size: u64,
    max: u64,
    held: Vec<u8>,
    parts: Option<WriteMultipart>,
}

impl Upload {
    pub(super) fn new(store: Arc<dyn ObjectStore>, key: String, max: u64) -> Self {
        Upload {
            store,
            key,
            hasher: Sha256::new(),
            head: Vec::with_capacity(SNIFF_LEN),
            media: None,
            size: 0,
            max,
            held: Vec::new(),
            parts: None,
        }
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), Rejection> {
        self.size += chunk.len() as u64;
        if self.size > self.max {
            return Err(Rejection::TooLarge);
        }
        if self.media.is_none() && self.head.len() < SNIFF_LEN {
            let take = (SNIFF_LEN - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
            if self.head.len() == SNIFF_LEN {
                // Refuse early: no point storing megabytes of an unaccepted type.
                self.media = Some(sniff(&self.head).ok_or(Rejection::UnsupportedType)?);
            }
        }
        self.hasher.update(chunk);
        if let Some(parts) = self.parts.as_mut() {
            parts.wait_for_capacity(PARTS_IN_FLIGHT).await?;
            parts.write(chunk);
            return Ok(());
        }
        self.held.extend_from_slice(chunk);
        if self.held.len() > MULTIPART_THRESHOLD {
            let upload = self
                .store
                .put_multipart(&Path::from(self.key.as_str()))
                .await?;
            let mut parts = WriteMultipart::new_with_chunk_size(upload, MULTIPART_THRESHOLD);
            parts.write(&std::mem::take(&mut self.held));
            self.parts = Some(parts);
        }
        Ok(())
    }

    /// Makes the file visible under its key. Any failure leaves nothing behind.
    pub async fn finish(mut self) -> Result<Stored, Rejection> {
        let media = match self.media {
            Some(m) => m,
            None => sniff(&self.head).ok_or(Rejection::UnsupportedType)?,
        };
        let path = Path::from(self.key.as_str());
        match self.parts.take() {
            None => {
                let bytes = PutPayload::from(std::mem::take(&mut self.held));
                self.store.put(&path, bytes).await?;
            }
            Some(mut parts) => {
                // `finish` aborts when completing fails, not when a part failed: wait first.
                if let Err(e) = parts.wait_for_capacity(0).await {
                    let _ = parts.abort().await;
                    return Err(e.into());
                }
                parts.finish().await?;
            }
        }
        Ok(Stored {
            media,
            size: self.size,
            sha256: hex::encode(self.hasher.clone().finalize()),
            storage_key: std::mem::take(&mut self.key),
        })
    }
}

impl Drop for Upload {
    /// An upload given up (refused, or the client went away) drops its parts: aborted in the
    /// background so a multipart upload does not linger in the bucket.
    fn drop(&mut self) {
        if let Some(parts) = self.parts.take() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    if let Err(e) = parts.abort().await {
                        tracing::warn!(error = %e, "abandoned multipart upload not aborted");
                    }
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    fn png_of(len: usize) -> Vec<u8> {
        let mut v = PNG.to_vec();
        v.resize(len, 7);
        v
    }

    async fn send(
        store: Arc<dyn ObjectStore>,
        bytes: &[u8],
        max: u64,
    ) -> Result<Stored, Rejection> {
        let mut up = Upload::new(store, "ab/xab".into(), max);
        for chunk in bytes.chunks(64 * 1024) {
            up.write(chunk).await?;
        }
        up.finish().await
    }

    #[actix_web::test]
    async fn small_and_large_files_arrive_whole_with_their_hash() {
        for len in [100, MULTIPART_THRESHOLD * 2 + 5] {
            let store: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
            let bytes = png_of(len);
            let stored = send(store.clone(), &bytes, u64::MAX).await.ok().unwrap();
            assert_eq!(stored.size, len as u64);
            assert_eq!(stored.sha256, hex::encode(Sha256::digest(&bytes)));
            let got = store
                .get(&Path::from("ab/xab"))
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert_eq!(got.len(), len);
        }
    }

    #[actix_web::test]
    async fn refused_files_leave_nothing() {
        let store: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let big = png_of(MULTIPART_THRESHOLD * 2);
        assert!(matches!(
            send(store.clone(), &big, MULTIPART_THRESHOLD as u64 + 1).await,
            Err(Rejection::TooLarge)
        ));
        assert!(matches!(
            send(store.clone(), &[0u8; 4096], u64::MAX).await,
            Err(Rejection::UnsupportedType)
        ));
        assert!(store.head(&Path::from("ab/xab")).await.is_err());
    }
}
