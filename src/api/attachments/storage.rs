//! Evidence on local disk. Bytes go to a temp file while they are hashed and sniffed, then
//! are renamed into place under a server-chosen key: a reader never sees half a file, and no
//! client-supplied name ever reaches the file system.
use crate::domain::media::{sniff, MediaType, SNIFF_LEN};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

pub enum Rejection {
    TooLarge,
    UnsupportedType,
    Io(std::io::Error),
}

impl From<std::io::Error> for Rejection {
    fn from(e: std::io::Error) -> Self {
        Rejection::Io(e)
    }
}

/// A file being received. Dropping it unfinished removes the temp file.
pub struct Incoming {
    tmp_path: PathBuf,
    file: Option<File>,
    hasher: Sha256,
    head: Vec<u8>,
    media: Option<MediaType>,
    size: u64,
    max: u64,
}

pub struct Stored {
    pub media: MediaType,
    pub size: u64,
    pub sha256: String,
    pub storage_key: String,
}

impl Incoming {
    pub fn start(root: &Path, id: &str, max: u64) -> Result<Self, Rejection> {
        let tmp_dir = root.join("tmp");
        fs::create_dir_all(&tmp_dir)?;
        let tmp_path = tmp_dir.join(format!("{id}.part"));
        let file = File::create(&tmp_path)?;
        Ok(Incoming {
            tmp_path,
            file: Some(file),
            hasher: Sha256::new(),
            head: Vec::with_capacity(SNIFF_LEN),
            media: None,
            size: 0,
            max,
        })
    }

    pub fn write(&mut self, chunk: &[u8]) -> Result<(), Rejection> {
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
        if let Some(file) = self.file.as_mut() {
            file.write_all(chunk)?;
        }
        Ok(())
    }

    pub fn finish(mut self, root: &Path, id: &str) -> Result<Stored, Rejection> {
        let media = match self.media {
            Some(m) => m,
            None => sniff(&self.head).ok_or(Rejection::UnsupportedType)?,
        };
        if let Some(file) = self.file.take() {
            file.sync_all()?;
        }
        // Two-character fan-out from the random tail of the UUIDv7 keeps folders small.
        let shard = &id[id.len().saturating_sub(2)..];
        let dir = root.join(shard);
        fs::create_dir_all(&dir)?;
        let storage_key = format!("{shard}/{id}");
        fs::rename(&self.tmp_path, root.join(&storage_key))?;
        Ok(Stored {
            media,
            size: self.size,
            sha256: hex::encode(self.hasher.clone().finalize()),
            storage_key,
        })
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        // After a successful rename the temp path no longer exists; the error is expected.
        let _ = fs::remove_file(&self.tmp_path);
    }
}

pub fn path_of(root: &Path, storage_key: &str) -> PathBuf {
    root.join(storage_key)
}

/// Deletes a stored file; one already gone counts as deleted, so a repeated sweep or a retried
/// clean-up is harmless. The one place that removes evidence bytes (a later object store
/// implements the same call).
pub fn remove(root: &Path, storage_key: &str) -> std::io::Result<()> {
    match fs::remove_file(path_of(root, storage_key)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
