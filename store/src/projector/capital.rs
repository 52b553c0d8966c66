//! Corporate actions and ERC-3475 bond positions.

use alloy::primitives::{Address, U256};
use registrar_log::Metrics;
use registrar_schemas::ChainEvent;
use tracing::warn;

use super::*;
use crate::{tables::*, StoreError};

impl Tx<'_> {
    /// Adds a corporate action of the event's token.
    pub(super) fn corporate_action(
        &mut self,
        e: &ChainEvent,
        id: U256,
        detail: CorporateActionDetail,
    ) -> Result<(), StoreError> {
        let action = CorporateActionValue { id, detail, tx_hash: e.meta.tx_hash, timestamp: e.meta.block.timestamp };
        let key = EventKey { token: e.meta.contract, block: e.meta.block.number.0, log_index: e.meta.log_index };
        self.put::<CorporateActions>(&key, &action)
    }

    /// Changes `holder`'s ERC-3475 balance of (`class`, `nonce`) (the zero address: the supply).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn change_bond(
        &mut self,
        token: Address,
        holder: Address,
        class: U256,
        nonce: U256,
        block: u64,
        metrics: &Metrics,
        change: Change,
    ) -> Result<(), StoreError> {
        let key = BondKey { token, holder, class, nonce };
        let history = BondBlockKey { token, holder, class, nonce, block };
        self.change_amount::<BondBalances, BondHistory>(&key, &history, metrics, change, || {
            warn!(target: "projector", %token, %holder, %class, %nonce, block, "bond event takes more than held, clamped")
        })
    }
}
