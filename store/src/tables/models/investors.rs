//! Investor registers: DS registries' investors and wallets, DS lock managers' locks, ST-20
//! transfer managers' whitelists, DS compliance rules. Each is a latest row and a history row per
//! block that changed it; a row equal to its type's default is absent.

use alloy::primitives::{keccak256, Address, B256, U256};

use crate::codec::{put_bytes, Codec, CodecError, Reader};

/// A subject of a contract named by a word: an investor (the keccak-256 of its id), a wallet's
/// locks (the wallet as a word), a rule (the keccak-256 of its name and key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SubjectKey {
    pub contract: Address,
    pub subject: B256,
}

impl Codec for SubjectKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.contract.as_slice());
        out.extend_from_slice(self.subject.as_slice());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("subject key", bytes);
        let v = SubjectKey { contract: r.address()?, subject: r.b256()? };
        r.finish()?;
        Ok(v)
    }
}

/// A subject after a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SubjectBlockKey {
    pub contract: Address,
    pub subject: B256,
    pub block: u64,
}

impl Codec for SubjectBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.contract.as_slice());
        out.extend_from_slice(self.subject.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("subject block key", bytes);
        let v = SubjectBlockKey { contract: r.address()?, subject: r.b256()?, block: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// The word a DS investor id is kept under.
pub fn investor_word(id: &str) -> B256 {
    keccak256(id.as_bytes())
}

/// The word a compliance rule is kept under: its name and map key.
pub(crate) fn rule_word(rule: &str, key: &str) -> B256 {
    let mut bytes = Vec::with_capacity(rule.len() + key.len() + 1);
    bytes.extend_from_slice(rule.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(key.as_bytes());
    keccak256(bytes)
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

fn read_str(r: &mut Reader<'_>) -> Result<String, CodecError> {
    let what = "utf-8 string";
    let b = r.bytes()?;
    String::from_utf8(b.to_vec()).map_err(|_| CodecError { what, expected: 0, found: b.len() })
}

/// An attribute of a DS investor: `attribute` (1 KYC, 2 accredited, 4 qualified, 8
/// professional) is `value` (0 pending, 1 approved, 2 rejected) until `expiry`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvestorAttribute {
    pub attribute: U256,
    pub value: U256,
    pub expiry: U256,
    pub proof_hash: String,
}

/// A DS investor's flags set by a lock manager.
pub const INVESTOR_FULLY_LOCKED: u8 = 1;
pub const INVESTOR_PAUSED: u8 = 2;
pub const INVESTOR_LIQUIDATE_ONLY: u8 = 4;

/// A DS investor in a registry. Removed investors keep their id (`present` false) so history
/// and wallets can name them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvestorRecord {
    pub present: bool,
    pub id: String,
    /// As the registry keeps it (ISO 3166-1 alpha-2 in Securitize's deployments).
    pub country: String,
    pub flags: u8,
    /// By attribute id, ascending.
    pub attributes: Vec<InvestorAttribute>,
}

impl Codec for InvestorRecord {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(u8::from(self.present));
        put_str(out, &self.id);
        put_str(out, &self.country);
        out.push(self.flags);
        out.extend_from_slice(&(self.attributes.len() as u32).to_be_bytes());
        for a in &self.attributes {
            a.attribute.encode_to(out);
            a.value.encode_to(out);
            a.expiry.encode_to(out);
            put_str(out, &a.proof_hash);
        }
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("investor record", bytes);
        let present = r.u8()? != 0;
        let id = read_str(&mut r)?;
        let country = read_str(&mut r)?;
        let flags = r.u8()?;
        let n = r.u32()?;
        let mut attributes = Vec::new();
        for _ in 0..n {
            attributes.push(InvestorAttribute {
                attribute: r.u256()?,
                value: r.u256()?,
                expiry: r.u256()?,
                proof_hash: read_str(&mut r)?,
            });
        }
        r.finish()?;
        Ok(InvestorRecord { present, id, country, flags, attributes })
    }
}

/// The investor a wallet belongs to in a DS registry ([`investor_word`] of its id; zero: none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WalletRecord {
    pub investor: B256,
    pub omnibus: bool,
}

impl Codec for WalletRecord {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.investor.as_slice());
        out.push(u8::from(self.omnibus));
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("wallet record", bytes);
        let v = WalletRecord { investor: r.b256()?, omnibus: r.u8()? != 0 };
        r.finish()?;
        Ok(v)
    }
}

/// A DS lock: `value` locked for `reason` until `release_time` (0: until removed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockRecord {
    pub value: U256,
    pub reason: U256,
    pub reason_text: String,
    pub release_time: U256,
    /// Zero outside the partitioned lock managers.
    pub partition: B256,
}

impl LockRecord {
    /// Whether the lock still holds at `time` (seconds).
    pub fn holds_at(&self, time: u64) -> bool {
        self.release_time.is_zero() || self.release_time > U256::from(time)
    }
}

/// The locks of a wallet or an investor, in the order they were made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockList(pub Vec<LockRecord>);

impl Codec for LockList {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.0.len() as u32).to_be_bytes());
        for l in &self.0 {
            l.value.encode_to(out);
            l.reason.encode_to(out);
            put_str(out, &l.reason_text);
            l.release_time.encode_to(out);
            out.extend_from_slice(l.partition.as_slice());
        }
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("lock list", bytes);
        let n = r.u32()?;
        let mut locks = Vec::new();
        for _ in 0..n {
            locks.push(LockRecord {
                value: r.u256()?,
                reason: r.u256()?,
                reason_text: read_str(&mut r)?,
                release_time: r.u256()?,
                partition: r.b256()?,
            });
        }
        r.finish()?;
        Ok(LockList(locks))
    }
}

/// An ST-20 whitelist entry (times in seconds; all zero: not whitelisted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WhitelistRecord {
    pub can_send_after: U256,
    pub can_receive_after: U256,
    pub expiry: U256,
    pub can_buy: bool,
    pub added_by: Address,
    pub added_at: U256,
}

impl Codec for WhitelistRecord {
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.can_send_after.encode_to(out);
        self.can_receive_after.encode_to(out);
        self.expiry.encode_to(out);
        out.push(u8::from(self.can_buy));
        out.extend_from_slice(self.added_by.as_slice());
        self.added_at.encode_to(out);
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("whitelist record", bytes);
        let v = WhitelistRecord {
            can_send_after: r.u256()?,
            can_receive_after: r.u256()?,
            expiry: r.u256()?,
            can_buy: r.u8()? != 0,
            added_by: r.address()?,
            added_at: r.u256()?,
        };
        r.finish()?;
        Ok(v)
    }
}

impl WhitelistRecord {
    /// Listed at all: an entry whose times are all zero is a removal.
    pub fn is_listed(&self) -> bool {
        !(self.can_send_after.is_zero() && self.can_receive_after.is_zero() && self.expiry.is_zero())
    }
}

/// A compliance rule's value; `form` is a [`registrar_schemas::RuleForm`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleRecord {
    pub form: u8,
    pub rule: String,
    pub key: String,
    pub value: U256,
}

impl Codec for RuleRecord {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(self.form);
        put_str(out, &self.rule);
        put_str(out, &self.key);
        self.value.encode_to(out);
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("rule record", bytes);
        let v = RuleRecord { form: r.u8()?, rule: read_str(&mut r)?, key: read_str(&mut r)?, value: r.u256()? };
        r.finish()?;
        Ok(v)
    }
}
