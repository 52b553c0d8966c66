//! API keys: who may publish disclosures for which tokens. Keys live in `api-keys.json` in the
//! data directory, stored as BLAKE3 hashes, never in clear; `registrar keys create` prints a new
//! key once. The file is rewritten atomically and re-read when it changes, so keys can be managed
//! while the server runs.

use std::{
    path::{Path, PathBuf},
    sync::Mutex,
    time::SystemTime,
};

use serde::{Deserialize, Serialize};

use crate::ApiError;

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Publishes disclosures for its tokens.
    Issuer,
    /// Reads restricted data of its tokens.
    Regulator,
    /// Everything, for every token.
    Admin,
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "issuer" => Ok(Role::Issuer),
            "regulator" => Ok(Role::Regulator),
            "admin" => Ok(Role::Admin),
            other => Err(format!("unknown role {other:?}: issuer, regulator or admin")),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Public identifier, recorded as the submitter of what the key publishes.
    pub id: String,
    pub name: String,
    pub role: Role,
    /// Lowercase `0x` addresses; ignored for admins.
    pub tokens: Vec<String>,
    /// BLAKE3 of the secret, hex.
    pub secret_hash: String,
    pub created: u64,
    pub revoked: bool,
}

impl ApiKey {
    /// Whether the key may see `token`'s holders' identity fields (identity contract, country):
    /// its issuers and regulators, and admins.
    pub fn may_see_identities(&self, token: &str) -> bool {
        !self.revoked
            && match self.role {
                Role::Admin => true,
                Role::Issuer | Role::Regulator => self.tokens.iter().any(|t| t.eq_ignore_ascii_case(token)),
            }
    }

    /// Whether the key may publish for `token` (`0x` lowercase hex).
    pub fn may_publish(&self, token: &str) -> bool {
        !self.revoked
            && match self.role {
                Role::Admin => true,
                Role::Issuer => self.tokens.iter().any(|t| t.eq_ignore_ascii_case(token)),
                Role::Regulator => false,
            }
    }
}

#[derive(Default, Serialize, Deserialize)]
struct KeyFile {
    keys: Vec<ApiKey>,
}

/// The key file, parsed again whenever its bytes change (another process, `registrar keys
/// revoke`, may write it between two requests, within one tick of the file system's clock).
pub struct KeyStore {
    path: PathBuf,
    cache: Mutex<(Option<blake3::Hash>, Vec<ApiKey>)>,
}

impl KeyStore {
    pub fn new(data_dir: &Path) -> Self {
        KeyStore { path: data_dir.join("api-keys.json"), cache: Mutex::new((None, Vec::new())) }
    }

    fn load(&self) -> Result<Vec<ApiKey>, ApiError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let hash = blake3::hash(&bytes);
        let mut cache = self.cache.lock().expect("key cache lock");
        if cache.0 != Some(hash) {
            let file: KeyFile = serde_json::from_slice(&bytes)
                .map_err(|e| ApiError::Keys(format!("{} is not a key file: {e}", self.path.display())))?;
            *cache = (Some(hash), file.keys);
        }
        Ok(cache.1.clone())
    }

    pub fn list(&self) -> Result<Vec<ApiKey>, ApiError> {
        self.load()
    }

    /// The key whose secret is `secret`, if any and not revoked.
    pub fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>, ApiError> {
        let hash = blake3::hash(secret.trim().as_bytes()).to_hex().to_string();
        Ok(self.load()?.into_iter().find(|k| k.secret_hash == hash && !k.revoked))
    }

    /// Creates a key; returns it and its secret, which is not stored.
    pub fn create(&self, name: &str, role: Role, tokens: Vec<String>) -> Result<(ApiKey, String), ApiError> {
        let mut keys = self.load()?;
        let secret = format!("rk_{}", hex::encode(rand::random::<[u8; 24]>()));
        let key = ApiKey {
            id: format!("key_{}", hex::encode(rand::random::<[u8; 6]>())),
            name: name.to_string(),
            role,
            tokens: tokens.into_iter().map(|t| t.to_ascii_lowercase()).collect(),
            secret_hash: blake3::hash(secret.as_bytes()).to_hex().to_string(),
            created: SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
            revoked: false,
        };
        keys.push(key.clone());
        self.save(keys)?;
        Ok((key, secret))
    }

    pub fn revoke(&self, id: &str) -> Result<(), ApiError> {
        let mut keys = self.load()?;
        let key = keys.iter_mut().find(|k| k.id == id).ok_or_else(|| ApiError::Keys(format!("no key {id}")))?;
        key.revoked = true;
        self.save(keys)
    }

    fn save(&self, keys: Vec<ApiKey>) -> Result<(), ApiError> {
        let text = serde_json::to_string_pretty(&KeyFile { keys }).expect("keys serialize");
        // Hashes of secrets and who holds which role: the owner's only.
        registrar_log::files::replace(&self.path, text.as_bytes(), true)?;
        *self.cache.lock().expect("key cache lock") = (None, Vec::new());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_authenticate_revoke() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path());
        let token = "0x00000000000000000000000000000000000000aa".to_string();
        let (key, secret) = store.create("acme", Role::Issuer, vec![token.to_uppercase().replace("0X", "0x")]).unwrap();
        let text = std::fs::read_to_string(dir.path().join("api-keys.json")).unwrap();
        assert!(!text.contains(&secret), "the secret is never stored");
        let found = store.authenticate(&secret).unwrap().unwrap();
        assert_eq!(found.id, key.id);
        assert!(found.may_publish(&token));
        assert!(!found.may_publish("0x00000000000000000000000000000000000000bb"));
        assert!(store.authenticate("rk_wrong").unwrap().is_none());
        store.revoke(&key.id).unwrap();
        assert!(store.authenticate(&secret).unwrap().is_none());
    }

    /// Another process (`registrar keys revoke`) rewrites the file within one tick of the file
    /// system's clock: the server's cache sees the new bytes, whatever the modification time.
    #[test]
    fn a_revocation_by_another_process_is_seen_at_once() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let server = KeyStore::new(dir.path());
        let (key, secret) = server.create("acme", Role::Admin, Vec::new()).unwrap();
        let path = dir.path().join("api-keys.json");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(server.authenticate(&secret).unwrap().is_some());
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        KeyStore::new(dir.path()).revoke(&key.id).unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
        assert!(server.authenticate(&secret).unwrap().is_none(), "the revoked key still authenticates");
    }
}
