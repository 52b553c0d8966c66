//! Capital events: votes, corporate actions, distributions, ERC-3475 bond positions.

use alloy::primitives::{Address, B256, U256};

use crate::codec::{put_bytes, Codec, CodecError, Reader};

/// A Governor vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteValue {
    pub voter: Address,
    pub proposal_id: U256,
    pub support: u8,
    pub weight: U256,
    pub reason: String,
    pub tx_hash: B256,
    pub timestamp: u64,
}

impl Codec for VoteValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.voter.as_slice());
        out.extend_from_slice(&self.proposal_id.to_be_bytes::<32>());
        out.push(self.support);
        out.extend_from_slice(&self.weight.to_be_bytes::<32>());
        put_bytes(out, self.reason.as_bytes());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("vote", bytes);
        let v = VoteValue {
            voter: r.address()?,
            proposal_id: r.u256()?,
            support: r.u8()?,
            weight: r.u256()?,
            reason: String::from_utf8_lossy(r.bytes()?).into_owned(),
            tx_hash: r.b256()?,
            timestamp: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

/// What a corporate action was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorporateActionKind {
    /// A record date: `id` is the snapshot's.
    Snapshot = 1,
    /// `a` / `b` is the ratio.
    StockSplit = 2,
    /// `account` sold `amount` at `a` per share.
    Buyback = 3,
    /// Bond class `a`, nonce `b` matured.
    Matured = 4,
    /// Bond class `a`, nonce `b` defaulted, `text` says why.
    Defaulted = 5,
}

impl CorporateActionKind {
    pub fn name(self) -> &'static str {
        match self {
            CorporateActionKind::Snapshot => "SNAPSHOT",
            CorporateActionKind::StockSplit => "STOCK_SPLIT",
            CorporateActionKind::Buyback => "BUYBACK",
            CorporateActionKind::Matured => "MATURED",
            CorporateActionKind::Defaulted => "DEFAULTED",
        }
    }

    pub(crate) fn from_u8(v: u8) -> Option<Self> {
        use CorporateActionKind::*;
        [Snapshot, StockSplit, Buyback, Matured, Defaulted].into_iter().find(|k| *k as u8 == v)
    }
}

/// What a corporate action was, with what each kind carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorporateActionDetail {
    /// A record date.
    Snapshot,
    /// Balances are multiplied by `numerator / denominator`.
    StockSplit { numerator: U256, denominator: U256 },
    /// The issuer bought `amount` from `seller` at `price` per share.
    Buyback { seller: Address, amount: U256, price: U256 },
    /// A bond tranche matured.
    Matured { class_id: U256, nonce_id: U256 },
    /// A bond tranche defaulted.
    Defaulted { class_id: U256, nonce_id: U256, reason: String },
}

/// A corporate action: its id (the snapshot's, the split's, the buyback's; zero for bonds), what
/// it was, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorporateActionValue {
    pub id: U256,
    pub detail: CorporateActionDetail,
    pub tx_hash: B256,
    pub timestamp: u64,
}

impl CorporateActionValue {
    pub fn kind(&self) -> CorporateActionKind {
        match self.detail {
            CorporateActionDetail::Snapshot => CorporateActionKind::Snapshot,
            CorporateActionDetail::StockSplit { .. } => CorporateActionKind::StockSplit,
            CorporateActionDetail::Buyback { .. } => CorporateActionKind::Buyback,
            CorporateActionDetail::Matured { .. } => CorporateActionKind::Matured,
            CorporateActionDetail::Defaulted { .. } => CorporateActionKind::Defaulted,
        }
    }
}

/// Stored as kind, id, account, amount, a, b, text, tx hash, time: the fields a kind does not
/// use are zero (the layout the table has always had).
impl Codec for CorporateActionValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        use CorporateActionDetail as D;
        let zero = U256::ZERO;
        let (account, amount, a, b, text) = match &self.detail {
            D::Snapshot => (Address::ZERO, zero, zero, zero, ""),
            D::StockSplit { numerator, denominator } => (Address::ZERO, zero, *numerator, *denominator, ""),
            D::Buyback { seller, amount, price } => (*seller, *amount, *price, zero, ""),
            D::Matured { class_id, nonce_id } => (Address::ZERO, zero, *class_id, *nonce_id, ""),
            D::Defaulted { class_id, nonce_id, reason } => (Address::ZERO, zero, *class_id, *nonce_id, reason.as_str()),
        };
        out.push(self.kind() as u8);
        out.extend_from_slice(&self.id.to_be_bytes::<32>());
        out.extend_from_slice(account.as_slice());
        for v in [amount, a, b] {
            out.extend_from_slice(&v.to_be_bytes::<32>());
        }
        put_bytes(out, text.as_bytes());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        use CorporateActionDetail as D;
        let mut r = Reader::new("corporate action", bytes);
        let kind = CorporateActionKind::from_u8(r.u8()?).ok_or(CodecError {
            what: "corporate action kind",
            expected: 1,
            found: 0,
        })?;
        let id = r.u256()?;
        let (account, amount, a, b) = (r.address()?, r.u256()?, r.u256()?, r.u256()?);
        let text = String::from_utf8_lossy(r.bytes()?).into_owned();
        let detail = match kind {
            CorporateActionKind::Snapshot => D::Snapshot,
            CorporateActionKind::StockSplit => D::StockSplit { numerator: a, denominator: b },
            CorporateActionKind::Buyback => D::Buyback { seller: account, amount, price: a },
            CorporateActionKind::Matured => D::Matured { class_id: a, nonce_id: b },
            CorporateActionKind::Defaulted => D::Defaulted { class_id: a, nonce_id: b, reason: text },
        };
        let v = CorporateActionValue { id, detail, tx_hash: r.b256()?, timestamp: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// A distribution or withdrawal (ERC-2222, ERC-1726); `kind` is the event's number in the log
/// schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DistributionValue {
    pub kind: u8,
    pub account: Address,
    pub amount: U256,
    pub tx_hash: B256,
    pub timestamp: u64,
}

impl Codec for DistributionValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(self.kind);
        out.extend_from_slice(self.account.as_slice());
        out.extend_from_slice(&self.amount.to_be_bytes::<32>());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("distribution", bytes);
        let v = DistributionValue {
            kind: r.u8()?,
            account: r.address()?,
            amount: r.u256()?,
            tx_hash: r.b256()?,
            timestamp: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

/// An ERC-3475 position: token, holder, class, nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BondKey {
    pub token: Address,
    pub holder: Address,
    pub class: U256,
    pub nonce: U256,
}

impl Codec for BondKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.token.as_slice());
        out.extend_from_slice(self.holder.as_slice());
        out.extend_from_slice(&self.class.to_be_bytes::<32>());
        out.extend_from_slice(&self.nonce.to_be_bytes::<32>());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("bond key", bytes);
        let v = BondKey { token: r.address()?, holder: r.address()?, class: r.u256()?, nonce: r.u256()? };
        r.finish()?;
        Ok(v)
    }
}

/// An ERC-3475 position after a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BondBlockKey {
    pub token: Address,
    pub holder: Address,
    pub class: U256,
    pub nonce: U256,
    pub block: u64,
}

impl Codec for BondBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        BondKey { token: self.token, holder: self.holder, class: self.class, nonce: self.nonce }.encode_to(out);
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("bond block key", bytes);
        let v = BondBlockKey {
            token: r.address()?,
            holder: r.address()?,
            class: r.u256()?,
            nonce: r.u256()?,
            block: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}
