//! Logs to domain events. One arm per event signature; adding an event is one arm here, one
//! variant in `schemas`, one projection arm in `store`.

use alloy::{primitives::B256, sol_types::SolEvent};
use registrar_schemas::{abi, DocumentAction, TokenEvent};

/// What a log turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    Event(TokenEvent),
    /// No decoder accepted it; the reason says why.
    Undecodable(String),
}

/// Decodes a log of a watched contract by its first topic.
pub fn decode_log(topics: &[B256], data: &[u8]) -> Decoded {
    let Some(topic0) = topics.first() else {
        return Decoded::Undecodable("anonymous log: no topics".into());
    };
    let result = match *topic0 {
        abi::Transfer::SIGNATURE_HASH => abi::Transfer::decode_raw_log(topics.iter().copied(), data)
            .map(|e| TokenEvent::Transfer { from: e.from, to: e.to, value: e.value }),
        abi::TokensFrozen::SIGNATURE_HASH => abi::TokensFrozen::decode_raw_log(topics.iter().copied(), data)
            .map(|e| TokenEvent::TokensFrozen { holder: e._userAddress, amount: e._amount }),
        abi::TokensUnfrozen::SIGNATURE_HASH => abi::TokensUnfrozen::decode_raw_log(topics.iter().copied(), data)
            .map(|e| TokenEvent::TokensUnfrozen { holder: e._userAddress, amount: e._amount }),
        abi::AddressFrozen::SIGNATURE_HASH => abi::AddressFrozen::decode_raw_log(topics.iter().copied(), data)
            .map(|e| TokenEvent::AddressFrozen { holder: e._userAddress, frozen: e._isFrozen, agent: e._owner }),
        abi::Paused::SIGNATURE_HASH => abi::Paused::decode_raw_log(topics.iter().copied(), data)
            .map(|e| TokenEvent::Paused { agent: e._userAddress }),
        abi::Unpaused::SIGNATURE_HASH => abi::Unpaused::decode_raw_log(topics.iter().copied(), data)
            .map(|e| TokenEvent::Unpaused { agent: e._userAddress }),
        abi::RecoverySuccess::SIGNATURE_HASH => {
            abi::RecoverySuccess::decode_raw_log(topics.iter().copied(), data).map(|e| TokenEvent::RecoverySuccess {
                lost_wallet: e._lostWallet,
                new_wallet: e._newWallet,
                investor_onchain_id: e._investorOnchainID,
            })
        }
        abi::DocumentUpdated::SIGNATURE_HASH => abi::DocumentUpdated::decode_raw_log(topics.iter().copied(), data)
            .map(|e| document(DocumentAction::Updated, e._name, e._uri, e._documentHash)),
        abi::DocumentRemoved::SIGNATURE_HASH => abi::DocumentRemoved::decode_raw_log(topics.iter().copied(), data)
            .map(|e| document(DocumentAction::Removed, e._name, e._uri, e._documentHash)),
        abi::Document::SIGNATURE_HASH => abi::Document::decode_raw_log(topics.iter().copied(), data)
            .map(|e| document(DocumentAction::Set, e._name, e._uri, e._documentHash)),
        abi::RootAnchored::SIGNATURE_HASH => match abi::RootAnchored::decode_raw_log(topics.iter().copied(), data) {
            Ok(e) => match u64::try_from(e.sequence) {
                Ok(sequence) => Ok(TokenEvent::RootAnchored { sequence, tree_size: e.treeSize, root: e.root }),
                Err(_) => return Decoded::Undecodable(format!("RootAnchored: sequence {} overflows", e.sequence)),
            },
            Err(e) => Err(e),
        },
        other => return Decoded::Undecodable(format!("unknown event signature {other}")),
    };
    match result {
        Ok(event) => Decoded::Event(event),
        Err(e) => Decoded::Undecodable(format!("{}: {e}", signature_name(topic0))),
    }
}

fn document(action: DocumentAction, name: B256, uri: String, document_hash: B256) -> TokenEvent {
    TokenEvent::Document { action, name, uri, document_hash }
}

fn signature_name(topic0: &B256) -> &'static str {
    match *topic0 {
        abi::Transfer::SIGNATURE_HASH => abi::Transfer::SIGNATURE,
        abi::TokensFrozen::SIGNATURE_HASH => abi::TokensFrozen::SIGNATURE,
        abi::TokensUnfrozen::SIGNATURE_HASH => abi::TokensUnfrozen::SIGNATURE,
        abi::AddressFrozen::SIGNATURE_HASH => abi::AddressFrozen::SIGNATURE,
        abi::Paused::SIGNATURE_HASH => abi::Paused::SIGNATURE,
        abi::Unpaused::SIGNATURE_HASH => abi::Unpaused::SIGNATURE,
        abi::RecoverySuccess::SIGNATURE_HASH => abi::RecoverySuccess::SIGNATURE,
        abi::DocumentUpdated::SIGNATURE_HASH => abi::DocumentUpdated::SIGNATURE,
        abi::DocumentRemoved::SIGNATURE_HASH => abi::DocumentRemoved::SIGNATURE,
        abi::Document::SIGNATURE_HASH => abi::Document::SIGNATURE,
        abi::RootAnchored::SIGNATURE_HASH => abi::RootAnchored::SIGNATURE,
        _ => "unknown event",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::{Address, U256};

    fn encode<E: SolEvent>(e: &E) -> (Vec<B256>, Vec<u8>) {
        let data = e.encode_log_data();
        (data.topics().to_vec(), data.data.to_vec())
    }

    #[test]
    fn decodes_every_event() {
        let a = Address::repeat_byte(1);
        let b = Address::repeat_byte(2);
        let v = U256::from(12345u64);
        let (n, h) = (B256::repeat_byte(3), B256::repeat_byte(4));
        type Case = ((Vec<B256>, Vec<u8>), TokenEvent);
        let cases: Vec<Case> = vec![
            (encode(&abi::Transfer { from: a, to: b, value: v }), TokenEvent::Transfer { from: a, to: b, value: v }),
            (
                encode(&abi::TokensFrozen { _userAddress: a, _amount: v }),
                TokenEvent::TokensFrozen { holder: a, amount: v },
            ),
            (
                encode(&abi::TokensUnfrozen { _userAddress: a, _amount: v }),
                TokenEvent::TokensUnfrozen { holder: a, amount: v },
            ),
            (
                encode(&abi::AddressFrozen { _userAddress: a, _isFrozen: true, _owner: b }),
                TokenEvent::AddressFrozen { holder: a, frozen: true, agent: b },
            ),
            (encode(&abi::Paused { _userAddress: a }), TokenEvent::Paused { agent: a }),
            (encode(&abi::Unpaused { _userAddress: a }), TokenEvent::Unpaused { agent: a }),
            (
                encode(&abi::RecoverySuccess { _lostWallet: a, _newWallet: b, _investorOnchainID: a }),
                TokenEvent::RecoverySuccess { lost_wallet: a, new_wallet: b, investor_onchain_id: a },
            ),
            (
                encode(&abi::DocumentUpdated { _name: n, _uri: "ipfs://x".into(), _documentHash: h }),
                document(DocumentAction::Updated, n, "ipfs://x".into(), h),
            ),
            (
                encode(&abi::DocumentRemoved { _name: n, _uri: "ipfs://x".into(), _documentHash: h }),
                document(DocumentAction::Removed, n, "ipfs://x".into(), h),
            ),
            (
                encode(&abi::Document { _name: n, _uri: "https://x".into(), _documentHash: h }),
                document(DocumentAction::Set, n, "https://x".into(), h),
            ),
            (
                encode(&abi::RootAnchored { sequence: U256::from(3), treeSize: 17, root: h }),
                TokenEvent::RootAnchored { sequence: 3, tree_size: 17, root: h },
            ),
        ];
        for ((topics, data), expected) in cases {
            assert_eq!(decode_log(&topics, &data), Decoded::Event(expected));
        }
    }

    #[test]
    fn unknown_and_malformed_logs_are_reported_not_dropped() {
        assert_eq!(decode_log(&[], &[]), Decoded::Undecodable("anonymous log: no topics".into()));
        let unknown = B256::repeat_byte(9);
        assert!(
            matches!(decode_log(&[unknown], &[]), Decoded::Undecodable(r) if r.contains("unknown event signature"))
        );
        // A Transfer whose value is missing from the data.
        let (topics, _) = encode(&abi::Transfer { from: Address::ZERO, to: Address::ZERO, value: U256::ZERO });
        match decode_log(&topics, &[1, 2, 3]) {
            Decoded::Undecodable(reason) => {
                assert!(reason.starts_with("Transfer(address,address,uint256)"), "{reason}")
            }
            other => panic!("decoded a truncated log: {other:?}"),
        }
        // A Transfer with `value` indexed too (as some old tokens declare it) has four topics.
        let mut four = topics.clone();
        four.push(B256::ZERO);
        assert!(matches!(decode_log(&four, &[]), Decoded::Undecodable(_)));
    }
}
