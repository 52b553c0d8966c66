//! Anchors the archive's roots in the `DisclosureAnchor` contract: when enough leaves (or enough
//! time) are unanchored, sends `anchor(size, root)` signed by the contract's owner.
//!
//! The chain is the record of what is anchored: each step reads `latestSize()` there, so a
//! restart, a dropped transaction or a reorg that removes an anchor all end the same way: the
//! archive is ahead of the chain, and the next step anchors the current size. A transaction still
//! pending after `replace_after` is replaced (same nonce, fees up by a quarter); one the node no
//! longer knows (dropped from its pool, or in a block a reorg abandoned) is sent again at once. Roots are a
//! function of the size, and the contract takes a size only once and only growing, so a second
//! transaction for the same size can only revert, never anchor different content.

use std::{
    fmt,
    path::Path,
    str::FromStr,
    sync::{atomic::Ordering::Relaxed, Arc},
    time::{Duration, Instant},
};

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use registrar_log::Metrics;
use registrar_merkle::TreeSize;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::{Archive, ArchiveError};

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    #[allow(missing_docs)]
    DisclosureAnchor,
    "../contracts/artifacts/DisclosureAnchor.json"
);

/// The owner's key. Its `Debug` shows the address only: the key is never logged.
pub struct AnchorKey(PrivateKeySigner);

impl AnchorKey {
    pub fn from_hex(hex: &str) -> Result<Self, ArchiveError> {
        PrivateKeySigner::from_str(hex.trim())
            .map(AnchorKey)
            .map_err(|_| ArchiveError::AnchorKey("the anchor key is not a hex private key".into()))
    }

    /// From `file`, or else the `REGISTRAR_ANCHOR_KEY` environment variable. A file that others
    /// than its owner may read or write is refused: the key moves the anchor contract.
    pub fn load(file: Option<&Path>) -> Result<Self, ArchiveError> {
        match file {
            Some(path) => {
                use std::os::unix::fs::PermissionsExt;
                let unreadable =
                    |e: std::io::Error| ArchiveError::AnchorKey(format!("cannot read {}: {e}", path.display()));
                let mode = std::fs::metadata(path).map_err(unreadable)?.permissions().mode();
                if mode & 0o077 != 0 {
                    return Err(ArchiveError::AnchorKey(format!(
                        "{} can be read or written by others (mode {:o}): the anchor key must be the owner's only (chmod 600)",
                        path.display(),
                        mode & 0o777
                    )));
                }
                Self::from_hex(&std::fs::read_to_string(path).map_err(unreadable)?)
            }
            None => match std::env::var("REGISTRAR_ANCHOR_KEY") {
                Ok(hex) => Self::from_hex(&hex),
                Err(_) => Err(ArchiveError::AnchorKey(
                    "anchoring needs the owner's key: --anchor-key-file or REGISTRAR_ANCHOR_KEY".into(),
                )),
            },
        }
    }

    pub fn address(&self) -> Address {
        self.0.address()
    }
}

impl fmt::Debug for AnchorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AnchorKey({})", self.address())
    }
}

pub struct AnchorConfig {
    pub rpc: String,
    pub contract: Address,
    pub key: AnchorKey,
    pub every_leaves: u64,
    pub every: Duration,
    pub replace_after: Duration,
    pub tick: Duration,
    /// The most an anchor may pay per gas (wei): replacements stop raising fees there.
    pub max_fee_per_gas: u128,
}

struct Pending {
    size: u64,
    /// The archive's root at `size`, sent again with any replacement.
    root: [u8; 32],
    nonce: u64,
    sent_at: Instant,
    max_fee: u128,
    priority_fee: u128,
    /// `None` while no transaction with these fees was accepted by the node (it refused one as
    /// underpriced: a transaction of an earlier run holds the nonce).
    tx: Option<B256>,
}

/// Runs until `shutdown`. Node errors are logged and retried on the next tick.
pub async fn run(
    config: AnchorConfig,
    archive: Arc<Archive>,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), ArchiveError> {
    let from = config.key.address();
    let wallet = EthereumWallet::from(config.key.0.clone());
    let provider = ProviderBuilder::new()
        .wallet(wallet)
        .connect(&config.rpc)
        .await
        .map_err(chain("connecting to the node"))?
        .erased();
    let contract = DisclosureAnchor::new(config.contract, provider.clone());
    let owner = contract.owner().call().await.map_err(chain("reading the anchor contract's owner"))?;
    if owner != from {
        return Err(ArchiveError::NotOwner {
            key: from.to_string(),
            owner: owner.to_string(),
            contract: config.contract.to_string(),
        });
    }
    info!(target: "anchor", contract = %config.contract, every_leaves = config.every_leaves, "anchoring roots");
    let mut pending: Option<Pending> = None;
    let mut unanchored_since: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = shutdown.wait_for(|s| *s) => return Ok(()),
            _ = tokio::time::sleep(config.tick) => {}
        }
        let result =
            step(&config, &archive, &metrics, &provider, &contract, from, &mut pending, &mut unanchored_since).await;
        if let Err(e) = result {
            warn!(target: "anchor", error = %e, retryable = e.is_retryable(), "anchoring step failed; retrying");
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn step(
    config: &AnchorConfig,
    archive: &Archive,
    metrics: &Metrics,
    provider: &DynProvider,
    contract: &DisclosureAnchor::DisclosureAnchorInstance<DynProvider>,
    from: Address,
    pending: &mut Option<Pending>,
    unanchored_since: &mut Option<Instant>,
) -> Result<(), ArchiveError> {
    let chain_size = contract.latestSize().call().await.map_err(chain("reading latestSize()"))?;
    if let Some(p) = pending.as_mut() {
        if chain_size >= p.size {
            info!(target: "anchor", tree_size = p.size, tx = ?p.tx, "root anchored");
            *pending = None;
            return Ok(());
        }
        let mined_nonce = provider.get_transaction_count(from).await.map_err(chain("reading the nonce"))?;
        if mined_nonce > p.nonce {
            warn!(target: "anchor", tree_size = p.size, "the anchor's nonce was used without anchoring it; sending again");
            *pending = None;
            return Ok(());
        }
        let known = match p.tx {
            Some(tx) => {
                provider.get_transaction_by_hash(tx).await.map_err(chain("reading the anchor transaction"))?.is_some()
            }
            None => false,
        };
        if p.tx.is_some() && !known {
            // Gone from the node: dropped from its pool, or mined in a block a reorg abandoned.
            p.tx = send(contract, p, config.max_fee_per_gas).await?;
            p.sent_at = Instant::now();
            metrics.anchor_transactions.fetch_add(1, Relaxed);
            metrics.anchor_replacements.fetch_add(1, Relaxed);
            warn!(target: "anchor", tree_size = p.size, tx = ?p.tx, "the anchor transaction was dropped; sent again");
            return Ok(());
        }
        if p.tx.is_none() || p.sent_at.elapsed() >= config.replace_after {
            if p.max_fee >= config.max_fee_per_gas {
                if p.tx.is_some() {
                    warn!(target: "anchor", tree_size = p.size, max_fee = p.max_fee, "the anchor transaction is still pending at the fee ceiling (anchor.max_fee_per_gas_gwei); waiting");
                    p.sent_at = Instant::now();
                    return Ok(());
                }
                return Err(ArchiveError::NonceHeld { nonce: p.nonce, ceiling: config.max_fee_per_gas });
            }
            p.max_fee = (p.max_fee + p.max_fee / 4 + 1).min(config.max_fee_per_gas);
            p.priority_fee = (p.priority_fee + p.priority_fee / 4 + 1).min(p.max_fee);
            p.tx = send(contract, p, config.max_fee_per_gas).await?;
            p.sent_at = Instant::now();
            metrics.anchor_transactions.fetch_add(1, Relaxed);
            metrics.anchor_replacements.fetch_add(1, Relaxed);
            warn!(target: "anchor", tree_size = p.size, tx = ?p.tx, max_fee = p.max_fee, "replaced a stuck anchor transaction");
        }
        return Ok(());
    }
    let size = archive.size().0;
    if size <= chain_size {
        *unanchored_since = None;
        return Ok(());
    }
    let since = *unanchored_since.get_or_insert_with(Instant::now);
    if size - chain_size < config.every_leaves && since.elapsed() < config.every {
        return Ok(());
    }
    let root = archive.root_at(TreeSize(size))?;
    // The first nonce not mined: a transaction an earlier run left in the pool holds it, and the
    // new anchor replaces it (a later nonce would wait behind it for ever).
    let nonce = provider.get_transaction_count(from).await.map_err(chain("reading the nonce"))?;
    let held =
        provider.get_transaction_count(from).pending().await.map_err(chain("reading the pending nonce"))? > nonce;
    let fees = provider.estimate_eip1559_fees().await.map_err(chain("estimating fees"))?;
    let max_fee = fees.max_fee_per_gas.min(config.max_fee_per_gas);
    if max_fee < fees.max_fee_per_gas {
        warn!(target: "anchor", estimate = fees.max_fee_per_gas, ceiling = config.max_fee_per_gas, "fees above the ceiling: anchoring at the ceiling");
    }
    let mut p = Pending {
        size,
        root,
        nonce,
        sent_at: Instant::now(),
        max_fee,
        priority_fee: fees.max_priority_fee_per_gas.min(max_fee),
        tx: None,
    };
    if held {
        warn!(target: "anchor", nonce, "a transaction of an earlier run holds the nonce: replacing it");
    }
    p.tx = send(contract, &p, config.max_fee_per_gas).await?;
    metrics.anchor_transactions.fetch_add(1, Relaxed);
    info!(target: "anchor", tree_size = size, root = %hex::encode(root), tx = ?p.tx, nonce, "anchor sent");
    *pending = Some(p);
    *unanchored_since = None;
    Ok(())
}

/// Sends `p`'s anchor with its nonce and fees. `Ok(None)` when the node refuses it as
/// underpriced (another transaction holds the nonce): the next step raises the fees.
async fn send(
    contract: &DisclosureAnchor::DisclosureAnchorInstance<DynProvider>,
    p: &Pending,
    ceiling: u128,
) -> Result<Option<B256>, ArchiveError> {
    let max_fee = p.max_fee.min(ceiling);
    let call = contract
        .anchor(p.size, B256::from(p.root))
        .nonce(p.nonce)
        .gas(150_000)
        .max_fee_per_gas(max_fee)
        .max_priority_fee_per_gas(p.priority_fee.min(max_fee));
    match call.send().await {
        Ok(pending) => Ok(Some(*pending.tx_hash())),
        Err(e) if e.to_string().to_lowercase().contains("underpriced") => {
            warn!(target: "anchor", nonce = p.nonce, max_fee, "the node refused the anchor as underpriced: another transaction holds its nonce");
            Ok(None)
        }
        Err(e) => Err(chain("sending the anchor transaction")(e)),
    }
}

/// A failed call to the node or the contract, saying what was being done.
fn chain<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> ArchiveError {
    move |e| ArchiveError::Chain { what, reason: e.to_string() }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    const KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    /// A key file others may read is refused; the owner's own is read.
    #[test]
    fn the_key_file_must_be_the_owners_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("anchor.key");
        std::fs::write(&path, KEY).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = AnchorKey::load(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let key = AnchorKey::load(Some(&path)).unwrap();
        assert_eq!(format!("{key:?}"), format!("AnchorKey({})", key.address()), "the key itself is never shown");
    }
}
