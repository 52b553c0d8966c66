//! Webhooks: after each commit of the state, every configured URL is sent where the index stands
//! (indexed, final and head blocks) and, after a reorg, the block it went back to, so a report's
//! consumer pulls reports when they are new rather than polling. Signed, retried, in order.
//!
//! A delivery is the state's position, not a diff: when a receiver is down, later commits fold
//! into one pending delivery (the latest position, the lowest revert since the last delivered
//! one), so a slow receiver costs one pending delivery, never a queue. Each body is signed with
//! HMAC-SHA256 under the configured secret: `X-Registrar-Signature: sha256=<hex>` over the raw
//! body, which carries its delivery number and time (a receiver refuses replays by them).

use std::{path::Path, time::Duration};

use anyhow::Context;
use hmac::{Hmac, Mac};
use registrar_store::{StateDb, Tip};
use serde_json::json;
use sha2::Sha256;
use tokio::sync::watch;
use tracing::{debug, warn};

/// Longest one delivery attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// The first wait after a failed attempt; it doubles with each failure.
const INITIAL_BACKOFF: Duration = Duration::from_millis(250);
/// Longest wait between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The secret deliveries are signed with, from `path` (trimmed; at least 16 bytes).
pub fn load_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the webhook secret {}", path.display()))?;
    let secret = text.trim().as_bytes().to_vec();
    anyhow::ensure!(secret.len() >= 16, "the webhook secret in {} is shorter than 16 bytes", path.display());
    Ok(secret)
}

/// `sha256=<hex>` of `body` under `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Delivers the state's position to `url` after every commit until `shutdown`.
pub async fn run(
    url: String,
    secret: Vec<u8>,
    db: std::sync::Arc<StateDb>,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().timeout(ATTEMPT_TIMEOUT).build()?;
    let mut tip = db.tip();
    let (mut seen, mut delivered) = {
        let now = tip.borrow();
        (now.reverts, now.status.map(|s| (s.indexed_block, s.indexed_hash, s.finalized_block)))
    };
    let mut delivery = 0u64;
    // A delivery superseded while being retried: build the next one without waiting.
    let mut superseded = false;
    // Kept across superseded deliveries: a receiver that is down is not hammered by each commit.
    let mut backoff = INITIAL_BACKOFF;
    loop {
        if !superseded {
            tokio::select! {
                changed = tip.changed() => if changed.is_err() { return Ok(()) },
                _ = shutdown.wait_for(|s| *s) => return Ok(()),
            }
        }
        superseded = false;
        let now: Tip = tip.borrow_and_update().clone();
        // Reverts since the last delivery that succeeded: a revert is named until one does.
        let reverted_to = now.reverted_since(seen);
        let Some(status) = now.status else { continue };
        let position = Some((status.indexed_block, status.indexed_hash, status.finalized_block));
        if reverted_to.is_none() && position == delivered {
            continue;
        }
        delivery += 1;
        let sent_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let body = json!({
            "delivery": delivery,
            "sentAt": sent_at,
            "chainId": status.chain_id.0,
            "indexedBlock": status.indexed_block.0,
            "indexedBlockHash": format!("{:#x}", status.indexed_hash),
            "finalizedBlock": status.finalized_block.0,
            "headBlock": status.head_block.0,
            "revertedTo": reverted_to,
        })
        .to_string();
        let signed = signature(&secret, body.as_bytes());
        loop {
            let attempt = client
                .post(&url)
                .header("content-type", "application/json")
                .header("x-registrar-signature", &signed)
                .header("x-registrar-delivery", delivery.to_string())
                .body(body.clone())
                .send()
                .await;
            match attempt {
                Ok(r) if r.status().is_success() => {
                    debug!(target: "webhooks", %url, delivery, "delivered");
                    seen = now.reverts;
                    delivered = position;
                    backoff = INITIAL_BACKOFF;
                    break;
                }
                Ok(r) => {
                    warn!(target: "webhooks", %url, delivery, status = %r.status(), ?backoff, "webhook refused, retrying")
                }
                Err(e) => warn!(target: "webhooks", %url, delivery, error = %e, ?backoff, "webhook failed, retrying"),
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                _ = shutdown.wait_for(|s| *s) => return Ok(()),
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
            // A later commit supersedes this delivery: the next one says where the state is now.
            if tip.has_changed().unwrap_or(false) {
                superseded = true;
                break;
            }
        }
    }
}
