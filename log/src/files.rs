//! Files beside the databases (API keys, holder labels, blobs): writes that survive a crash at
//! any instant, and personal data readable by the owner only.

use std::{
    fs::{File, OpenOptions},
    io::{self, Write},
    os::unix::fs::OpenOptionsExt,
    path::Path,
};

/// Mode of files that hold personal data or credentials: the owner reads and writes, nobody else.
pub const PRIVATE_MODE: u32 = 0o600;

/// Makes a directory's entries (a file created, renamed or removed in it) durable: a rename is
/// only on disk once its directory is synced.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Options that create a file with [`PRIVATE_MODE`] (the mode applies when the file is created).
pub fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.mode(PRIVATE_MODE);
    options
}

/// Replaces `path` with `bytes` so that a crash leaves the old file or the new one, never a mix:
/// a temporary file beside it, synced, renamed over it, and the directory synced. With `private`,
/// the file is created with [`PRIVATE_MODE`].
pub fn replace(path: &Path, bytes: &[u8], private: bool) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a file path"))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let mut options = if private { private_options() } else { OpenOptions::new() };
    let result = (|| {
        let mut file = options.write(true).create(true).truncate(true).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn replace_writes_private_files_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("keys.json");
        replace(&path, b"one", true).unwrap();
        replace(&path, b"two", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, PRIVATE_MODE);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }
}
