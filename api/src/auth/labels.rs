//! Off-chain labels of holders: what an issuer knows of a wallet and the chain does not (the
//! holder's name, an account reference), for the master securityholder file. Private like the
//! identity fields: the API shows them to the token's issuer and regulator keys and admins, and
//! only its issuer keys and admins set them.
//!
//! Kept in `data_dir/holder-labels.jsonl`, one JSON line per change (token, holder, label or
//! `null` to clear, the key that set it, when), appended and synced before the change is
//! answered; the newest line of a (token, holder) is its label, the file is its history. They
//! are not in the event log: a state rebuilt from the log keeps them, and each server keeps its
//! own (as it keeps its API keys).

use std::{
    collections::{BTreeMap, HashMap},
    fs::{File, OpenOptions},
    io::{BufRead, BufReader, Seek, Write},
    path::{Path, PathBuf},
    sync::Mutex,
};

use alloy::primitives::Address;
use serde::{Deserialize, Serialize};
use tracing::warn;

/// The longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 256;

/// One change of a holder's label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelChange {
    pub token: Address,
    pub holder: Address,
    /// `None` clears the label.
    pub label: Option<String>,
    /// The id of the API key that set it.
    pub by: String,
    /// Seconds since the epoch.
    pub at: u64,
}

/// Why a label is refused.
pub fn check_label(label: &str) -> Result<(), String> {
    if label.trim().is_empty() {
        return Err("a label has text: give null to clear it".into());
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(format!("a label has at most {MAX_LABEL_CHARS} characters"));
    }
    if label.chars().any(char::is_control) {
        return Err("a label is one line without control characters".into());
    }
    Ok(())
}

/// The labels of every token's holders, and the file that keeps them.
pub struct LabelStore {
    path: PathBuf,
    inner: Mutex<Inner>,
}

struct Inner {
    /// Opened on the first change.
    file: Option<File>,
    /// Bytes of whole lines in the file.
    len: u64,
    /// Every change, in the file's order.
    changes: Vec<LabelChange>,
    /// Where each (token, holder)'s changes are in `changes`, oldest first: the last is its label.
    by_holder: HashMap<(Address, Address), Vec<usize>>,
}

impl Inner {
    fn record(&mut self, change: LabelChange) {
        self.by_holder.entry((change.token, change.holder)).or_default().push(self.changes.len());
        self.changes.push(change);
    }
}

impl LabelStore {
    /// Reads `data_dir/holder-labels.jsonl` (none yet: no labels). A last line cut short by a
    /// crash during its write was never answered as done: it is dropped, with a warning. Any
    /// other line that does not read is an error: the file was damaged.
    pub fn open(data_dir: &Path) -> std::io::Result<LabelStore> {
        let path = data_dir.join("holder-labels.jsonl");
        let mut inner = Inner { file: None, len: 0, changes: Vec::new(), by_holder: HashMap::new() };
        match File::open(&path) {
            Ok(file) => {
                let mut reader = BufReader::new(file);
                let (mut line, mut number, mut good_bytes) = (Vec::new(), 0usize, 0u64);
                loop {
                    line.clear();
                    // Bytes, not text: a line cut inside a multi-byte character is not UTF-8.
                    let n = reader.read_until(b'\n', &mut line)?;
                    if n == 0 {
                        break;
                    }
                    number += 1;
                    let parsed = match line.strip_suffix(b"\n") {
                        Some(body) => serde_json::from_slice::<LabelChange>(body).map_err(|e| e.to_string()),
                        None => Err("no end of line".to_string()),
                    };
                    let change = match parsed {
                        Ok(change) => change,
                        // The last line unfinished or unreadable (a crash can leave a torn write's
                        // blocks as zeros): it was being written, never answered as done.
                        Err(_) if reader.fill_buf()?.is_empty() => {
                            warn!(target: "labels", path = %path.display(), line = number, "dropping a label change cut short by a crash");
                            let file = OpenOptions::new().write(true).open(&path)?;
                            file.set_len(good_bytes)?;
                            file.sync_all()?;
                            break;
                        }
                        Err(e) => {
                            return Err(std::io::Error::new(
                                std::io::ErrorKind::InvalidData,
                                format!("{} line {number} is not a label change: {e}", path.display()),
                            ))
                        }
                    };
                    good_bytes += n as u64;
                    inner.record(change);
                }
                inner.len = good_bytes;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(LabelStore { path, inner: Mutex::new(inner) })
    }

    /// Records a change; it is on disk when this returns. A write that fails half-way (a full
    /// disk) is cut off again, so the file never holds a torn line before a good one.
    pub fn set(&self, change: LabelChange) -> std::io::Result<()> {
        if let Some(label) = &change.label {
            check_label(label).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        }
        let mut line = serde_json::to_string(&change).expect("a label change serializes");
        line.push('\n');
        let mut inner = self.inner.lock().expect("label store lock poisoned");
        if inner.file.is_none() {
            let dir = self.path.parent().expect("the labels file is in the data directory");
            std::fs::create_dir_all(dir)?;
            // Names and references of investors: the owner's only.
            let mut file = registrar_log::files::private_options().create(true).append(true).open(&self.path)?;
            inner.len = file.seek(std::io::SeekFrom::End(0))?;
            registrar_log::files::sync_dir(dir)?;
            inner.file = Some(file);
        }
        let len = inner.len;
        let file = inner.file.as_mut().expect("opened above");
        if let Err(e) = file.write_all(line.as_bytes()).and_then(|()| file.sync_data()) {
            let _ = file.set_len(len).and_then(|()| file.sync_data());
            return Err(e);
        }
        inner.len = len + line.len() as u64;
        inner.record(change);
        Ok(())
    }

    /// Every change of the holder's label, oldest first.
    pub fn history(&self, token: Address, holder: Address) -> Vec<LabelChange> {
        let inner = self.inner.lock().expect("label store lock poisoned");
        let positions = inner.by_holder.get(&(token, holder)).map_or(&[][..], Vec::as_slice);
        positions.iter().map(|&i| inner.changes[i].clone()).collect()
    }

    /// The holder's label and who set it, if it has one.
    pub fn get(&self, token: Address, holder: Address) -> Option<LabelChange> {
        let inner = self.inner.lock().expect("label store lock poisoned");
        let newest = *inner.by_holder.get(&(token, holder))?.last()?;
        Some(inner.changes[newest].clone()).filter(|c| c.label.is_some())
    }

    /// Every labelled holder of `token`.
    pub fn of_token(&self, token: Address) -> BTreeMap<Address, String> {
        let inner = self.inner.lock().expect("label store lock poisoned");
        inner
            .by_holder
            .iter()
            .filter(|((t, _), _)| *t == token)
            .filter_map(|((_, holder), positions)| {
                let newest = &inner.changes[*positions.last()?];
                newest.label.clone().map(|l| (*holder, l))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(holder: u8, label: Option<&str>) -> LabelChange {
        LabelChange {
            token: Address::repeat_byte(0xaa),
            holder: Address::repeat_byte(holder),
            label: label.map(str::to_string),
            by: "key_1".into(),
            at: 1_700_000_000,
        }
    }

    #[test]
    fn labels_survive_a_restart_and_the_newest_wins() {
        let dir = tempfile::tempdir().unwrap();
        let store = LabelStore::open(dir.path()).unwrap();
        store.set(change(1, Some("Alice Ltd, ref 001"))).unwrap();
        store.set(change(2, Some("Bob"))).unwrap();
        store.set(change(1, Some("Alice Holdings Ltd"))).unwrap();
        store.set(change(2, None)).unwrap();
        drop(store);
        let store = LabelStore::open(dir.path()).unwrap();
        assert_eq!(
            store.get(Address::repeat_byte(0xaa), Address::repeat_byte(1)).unwrap().label.unwrap(),
            "Alice Holdings Ltd"
        );
        assert!(store.get(Address::repeat_byte(0xaa), Address::repeat_byte(2)).is_none(), "cleared");
        assert_eq!(store.of_token(Address::repeat_byte(0xaa)).len(), 1);
        assert!(store.of_token(Address::repeat_byte(0xbb)).is_empty());
        let lines = std::fs::read_to_string(dir.path().join("holder-labels.jsonl")).unwrap().lines().count();
        assert_eq!(lines, 4, "every change is kept");
        let history = store.history(Address::repeat_byte(0xaa), Address::repeat_byte(2));
        assert_eq!(history.iter().map(|c| c.label.as_deref()).collect::<Vec<_>>(), vec![Some("Bob"), None]);
    }

    /// A crash in the middle of writing a line: the torn line is dropped, the ones before stay,
    /// and the next change starts a fresh line.
    #[test]
    fn a_torn_last_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let store = LabelStore::open(dir.path()).unwrap();
        store.set(change(1, Some("Alice"))).unwrap();
        drop(store);
        let path = dir.path().join("holder-labels.jsonl");
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"token":"0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","holder":"0x0202"#).unwrap();
        drop(file);
        let store = LabelStore::open(dir.path()).unwrap();
        assert_eq!(store.of_token(Address::repeat_byte(0xaa)).len(), 1);
        store.set(change(3, Some("Carol"))).unwrap();
        drop(store);
        let store = LabelStore::open(dir.path()).unwrap();
        assert_eq!(store.of_token(Address::repeat_byte(0xaa)).len(), 2);
    }

    /// Torn writes as a crash leaves them: cut inside a multi-byte character, or with the
    /// line's blocks still zeros while its end reached the disk.
    #[test]
    fn torn_writes_of_every_shape_are_dropped() {
        let good = serde_json::to_string(&change(1, Some("Zoë"))).unwrap() + "\n";
        let torn_utf8 = {
            let line = serde_json::to_string(&change(2, Some("Zoë Ålund"))).unwrap();
            let cut = line.find('ë').unwrap() + 1;
            line.as_bytes()[..cut].to_vec()
        };
        let zeros = [vec![0u8; 40], b"\n".to_vec()].concat();
        for torn in [torn_utf8, zeros] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("holder-labels.jsonl");
            std::fs::write(&path, [good.as_bytes(), &torn].concat()).unwrap();
            let store = LabelStore::open(dir.path()).unwrap();
            assert_eq!(store.of_token(Address::repeat_byte(0xaa)).len(), 1);
            assert_eq!(std::fs::read(&path).unwrap(), good.as_bytes(), "the torn line is cut off");
            store.set(change(3, Some("Carol"))).unwrap();
            drop(store);
            assert_eq!(LabelStore::open(dir.path()).unwrap().of_token(Address::repeat_byte(0xaa)).len(), 2);
        }
    }

    proptest::proptest! {
        /// Any bytes in the file: it opens (a torn last line dropped) or says which line is
        /// damaged; never a panic.
        #[test]
        fn any_file_is_answered(lines in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80), 0..6)) {
            let dir = tempfile::tempdir().unwrap();
            let good = serde_json::to_string(&change(1, Some("Alice"))).unwrap();
            let mut bytes = format!("{good}\n").into_bytes();
            for l in &lines {
                bytes.extend_from_slice(l);
                bytes.push(b'\n');
            }
            std::fs::write(dir.path().join("holder-labels.jsonl"), &bytes).unwrap();
            let _ = LabelStore::open(dir.path());
        }
    }

    #[test]
    fn the_file_is_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        LabelStore::open(dir.path()).unwrap().set(change(1, Some("Alice"))).unwrap();
        let mode = std::fs::metadata(dir.path().join("holder-labels.jsonl")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_damaged_line_is_an_error_and_bad_labels_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("holder-labels.jsonl"), "not json\n{}\n").unwrap();
        let err = LabelStore::open(dir.path()).err().unwrap();
        assert!(err.to_string().contains("line 1"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let store = LabelStore::open(dir.path()).unwrap();
        for bad in ["", "  ", "two\nlines", &"x".repeat(MAX_LABEL_CHARS + 1)] {
            assert!(store.set(change(1, Some(bad))).is_err(), "{bad:?}");
        }
        assert!(store.get(Address::repeat_byte(0xaa), Address::repeat_byte(1)).is_none());
    }
}
