//! T-REX registries and links: set memberships (agents, modules, topics, trusted issuers), a
//! contract's links to its registries, investors' identities.

use alloy::primitives::{Address, B256, U256};

use crate::codec::{Codec, CodecError, Reader};

/// Which set of a contract a member is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
    /// An agent of a token or an identity registry (`AgentAdded`/`AgentRemoved`).
    Agent = 1,
    /// A module of a modular compliance (`ModuleAdded`/`ModuleRemoved`).
    Module = 2,
    /// A required claim topic of a claim topics registry (`ClaimTopicAdded`/`Removed`).
    ClaimTopic = 3,
    /// A trusted claim issuer of a trusted issuers registry, with the topics it may issue.
    TrustedIssuer = 4,
    /// A DS trust service's role holder, with the role (1 master, 2 issuer, 4 exchange, 8
    /// transfer agent).
    Role = 5,
    /// A DS wallet manager's special wallet, with its type.
    SpecialWallet = 6,
    /// An ST-20 token's controller.
    Controller = 7,
}

impl MemberKind {
    pub(crate) fn from_u8(v: u8) -> Result<Self, CodecError> {
        use MemberKind::*;
        [Agent, Module, ClaimTopic, TrustedIssuer, Role, SpecialWallet, Controller]
            .into_iter()
            .find(|k| *k as u8 == v)
            .ok_or(CodecError { what: "member kind", expected: 1, found: 0 })
    }
}

/// A member of a contract's set after a block: contract, set, member (an address or a topic, as
/// a word), block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MemberBlockKey {
    pub contract: Address,
    pub kind: MemberKind,
    pub member: B256,
    pub block: u64,
}

impl Codec for MemberBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.contract.as_slice());
        out.push(self.kind as u8);
        out.extend_from_slice(self.member.as_slice());
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("member block key", bytes);
        let v = MemberBlockKey {
            contract: r.address()?,
            kind: MemberKind::from_u8(r.u8()?)?,
            member: r.b256()?,
            block: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

/// Whether a member is in the set after the block, and what it carries (a trusted issuer's
/// claim topics).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Membership {
    pub present: bool,
    pub topics: Vec<U256>,
}

impl Codec for Membership {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(u8::from(self.present));
        out.extend_from_slice(&(self.topics.len() as u32).to_be_bytes());
        for t in &self.topics {
            out.extend_from_slice(&t.to_be_bytes::<32>());
        }
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("membership", bytes);
        let present = r.u8()? != 0;
        let n = r.u32()?;
        let topics = (0..n).map(|_| r.u256()).collect::<Result<Vec<_>, _>>()?;
        r.finish()?;
        Ok(Membership { present, topics })
    }
}

/// What a contract links to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A token's identity registry.
    IdentityRegistry = 1,
    /// A token's compliance contract.
    Compliance = 2,
    /// An identity registry's storage.
    IdentityStorage = 3,
    /// An identity registry's claim topics registry.
    ClaimTopics = 4,
    /// An identity registry's trusted issuers registry.
    TrustedIssuers = 5,
    /// A DS contract's services.
    DsTrustService = 6,
    DsToken = 7,
    DsRegistry = 8,
    DsCompliance = 9,
    DsWalletManager = 10,
    DsLockManager = 11,
    DsComplianceConfiguration = 12,
    /// An ST-20 token's transfer manager.
    TransferManager = 13,
}

/// A link: contract, kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LinkKey {
    pub contract: Address,
    pub kind: LinkKind,
}

impl From<registrar_schemas::SuiteLink> for LinkKind {
    fn from(link: registrar_schemas::SuiteLink) -> Self {
        use registrar_schemas::SuiteLink as L;
        match link {
            L::IdentityRegistry => LinkKind::IdentityRegistry,
            L::Compliance => LinkKind::Compliance,
            L::IdentityStorage => LinkKind::IdentityStorage,
            L::ClaimTopics => LinkKind::ClaimTopics,
            L::TrustedIssuers => LinkKind::TrustedIssuers,
            L::DsTrustService => LinkKind::DsTrustService,
            L::DsToken => LinkKind::DsToken,
            L::DsRegistry => LinkKind::DsRegistry,
            L::DsCompliance => LinkKind::DsCompliance,
            L::DsWalletManager => LinkKind::DsWalletManager,
            L::DsLockManager => LinkKind::DsLockManager,
            L::DsComplianceConfiguration => LinkKind::DsComplianceConfiguration,
            L::TransferManager => LinkKind::TransferManager,
        }
    }
}

impl LinkKind {
    pub(crate) fn from_u8(v: u8) -> Result<Self, CodecError> {
        use LinkKind::*;
        [
            IdentityRegistry,
            Compliance,
            IdentityStorage,
            ClaimTopics,
            TrustedIssuers,
            DsTrustService,
            DsToken,
            DsRegistry,
            DsCompliance,
            DsWalletManager,
            DsLockManager,
            DsComplianceConfiguration,
            TransferManager,
        ]
        .into_iter()
        .find(|k| *k as u8 == v)
        .ok_or(CodecError { what: "link kind", expected: 1, found: 0 })
    }
}

impl Codec for LinkKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.contract.as_slice());
        out.push(self.kind as u8);
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("link key", bytes);
        let v = LinkKey { contract: r.address()?, kind: LinkKind::from_u8(r.u8()?)? };
        r.finish()?;
        Ok(v)
    }
}

/// A link after a block: contract, kind, block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LinkBlockKey {
    pub contract: Address,
    pub kind: LinkKind,
    pub block: u64,
}

impl Codec for LinkBlockKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.contract.as_slice());
        out.push(self.kind as u8);
        out.extend_from_slice(&self.block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("link block key", bytes);
        let v = LinkBlockKey { contract: r.address()?, kind: LinkKind::from_u8(r.u8()?)?, block: r.u64()? };
        r.finish()?;
        Ok(v)
    }
}

/// An investor's identity contract (ONCHAINID) and country (ISO 3166-1 numeric).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdentityRecord {
    pub identity: Address,
    pub country: u16,
}

impl Codec for IdentityRecord {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.identity.as_slice());
        out.extend_from_slice(&self.country.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("identity record", bytes);
        let identity = r.address()?;
        let country = u16::from_be_bytes(r.take::<2>()?);
        r.finish()?;
        Ok(IdentityRecord { identity, country })
    }
}
