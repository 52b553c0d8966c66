//! Live answers: GraphQL subscriptions (over `graphql-transport-ws` and Server-Sent Events) to
//! the blocks the index commits, a token's transfers and holder changes, disclosures and anchors.
//!
//! Each subscription follows the state as the projector commits it ([`registrar_store::Tip`]):
//! it reads what the new blocks changed, says of each message whether its block is final, and
//! after a reorg first retracts what it sent of the abandoned blocks, newest first, then sends
//! the new branch. A dashboard that applies the messages in order ends where a fresh query is.
//! Nothing is buffered per subscriber beyond one page of reads: a subscriber is fed as fast as
//! its connection takes messages, and one that stops taking them is dropped (`transport`).
//!
//! # Layout
//! - `follow`: the follower every chain feed shares: pages, finality, retractions.
//! - `feeds`: the subscription root and each feed's reads.
//! - `transport`: the WebSocket and SSE endpoints, their limits and the slow-subscriber rule.

mod feeds;
mod follow;
mod transport;

use std::sync::Arc;

pub use feeds::Subscription;
pub(crate) use transport::{sse, websocket};

/// Connections with live subscriptions at once (WebSocket and SSE together). Past it a new one
/// is refused (503) rather than queued: subscriptions last.
pub const MAX_SUBSCRIBERS: usize = 256;
/// Subscriptions one WebSocket connection may hold at once.
pub const MAX_SUBSCRIPTIONS_PER_CONNECTION: usize = 16;
/// A message the subscriber has not taken within this long makes it a slow subscriber: it is
/// closed with [`SLOW_CLOSE_CODE`] (WebSocket) or cut (SSE) rather than buffered for.
pub const SLOW_SUBSCRIBER: std::time::Duration = std::time::Duration::from_secs(10);
/// The WebSocket close code for a slow subscriber (policy violation).
pub const SLOW_CLOSE_CODE: u16 = 1008;

/// What live subscriptions share: the slots of [`MAX_SUBSCRIBERS`] and the server's shutdown.
#[derive(Clone)]
pub struct Live {
    slots: Arc<tokio::sync::Semaphore>,
    closing: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            slots: Arc::new(tokio::sync::Semaphore::new(MAX_SUBSCRIBERS)),
            closing: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }
}

impl Live {
    /// Ends every subscription (the server is shutting down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`Live::close`] was called.
    pub(crate) async fn closed(&self) {
        let mut rx = self.closing.subscribe();
        let _ = rx.wait_for(|closing| *closing).await;
    }

    /// A slot for one more subscriber connection, if any is free.
    pub(crate) fn slot(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().ok()
    }
}
