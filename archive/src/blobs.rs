//! Content-addressed files: `blobs/<first two hex digits>/<BLAKE3 hex>`. Content is hashed while
//! it streams to a temporary file, then renamed into place, so a crash leaves at most a stray
//! temporary file and never a blob whose name does not match its bytes.

use std::{
    fs::{self, File},
    io::{self, Read, Write},
    path::{Path, PathBuf},
};

use registrar_merkle::Hash;

use super::ArchiveError;

/// Bytes per read while hashing and copying.
const CHUNK: usize = 1 << 20;

pub struct BlobStore {
    dir: PathBuf,
}

/// A stored blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobRef {
    pub hash: Hash,
    pub size: u64,
}

impl BlobStore {
    pub fn open(dir: &Path) -> Result<Self, ArchiveError> {
        fs::create_dir_all(dir.join("tmp"))?;
        // Leftovers of a crash between write and rename.
        for entry in fs::read_dir(dir.join("tmp"))? {
            let _ = fs::remove_file(entry?.path());
        }
        Ok(BlobStore { dir: dir.to_path_buf() })
    }

    pub fn path(&self, hash: &Hash) -> PathBuf {
        let hex = hex::encode(hash);
        self.dir.join(&hex[..2]).join(hex)
    }

    /// Streams `reader` into the store, refusing more than `max` bytes. Blocking: call it off the
    /// async runtime.
    pub fn put(&self, mut reader: impl Read, max: u64) -> Result<BlobRef, ArchiveError> {
        let tmp = self.dir.join("tmp").join(format!("{}-{}", std::process::id(), rand::random::<u64>()));
        let mut file = File::create(&tmp)?;
        let mut hasher = blake3::Hasher::new();
        let mut buf = vec![0u8; CHUNK];
        let mut size = 0u64;
        let result = loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break Err(e.into()),
            };
            size += n as u64;
            if size > max {
                break Err(ArchiveError::TooLarge { max });
            }
            hasher.update(&buf[..n]);
            if let Err(e) = file.write_all(&buf[..n]) {
                break Err(e.into());
            }
        };
        if let Err(e) = result.and_then(|()| file.sync_all().map_err(ArchiveError::from)) {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        let hash = *hasher.finalize().as_bytes();
        let path = self.path(&hash);
        let parent = path.parent().expect("blob paths have a parent");
        if !parent.exists() {
            fs::create_dir_all(parent)?;
            registrar_log::files::sync_dir(&self.dir)?;
        }
        fs::rename(&tmp, &path)?;
        // The rename is durable once the directory is: before the record that names the blob.
        registrar_log::files::sync_dir(parent)?;
        Ok(BlobRef { hash, size })
    }

    pub fn get(&self, hash: &Hash) -> Result<Vec<u8>, ArchiveError> {
        fs::read(self.path(hash)).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => ArchiveError::MissingBlob(hex::encode(hash)),
            _ => e.into(),
        })
    }
}

/// BLAKE3 of a file: memory-mapped and hashed on all cores, as `b3sum` does (falls back to
/// reading for files that cannot be mapped). Blocking.
pub fn hash_file(path: &Path) -> io::Result<(Hash, u64)> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_mmap_rayon(path)?;
    Ok((*hasher.finalize().as_bytes(), hasher.count()))
}

/// BLAKE3 of a file streamed in 1 MiB reads on one thread, as uploads are hashed.
pub fn hash_file_streaming(path: &Path) -> io::Result<(Hash, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; CHUNK];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((*hasher.finalize().as_bytes(), size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_by_hash_and_enforces_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::open(dir.path()).unwrap();
        let data = vec![7u8; 3 * CHUNK + 5];
        let r = blobs.put(&data[..], 10 << 20).unwrap();
        assert_eq!(r.hash, *blake3::hash(&data).as_bytes());
        assert_eq!(r.size, data.len() as u64);
        assert_eq!(blobs.get(&r.hash).unwrap(), data);
        assert!(matches!(blobs.put(&data[..], 100), Err(ArchiveError::TooLarge { max: 100 })));
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
        assert!(matches!(blobs.get(&[0; 32]), Err(ArchiveError::MissingBlob(_))));
    }
}
