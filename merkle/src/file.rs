//! The proof file an auditor keeps: one disclosure's leaf record, its place in the log, the path
//! to a root, and the anchor of that root on chain. Its JSON Schema is
//! `schemas/proof.schema.json`; [`ProofFile::verify`] checks everything but the anchor, which
//! needs a node (`registrar verify proof.json --rpc URL`).

use serde::{Deserialize, Serialize};

use crate::{
    hasher::{Algorithm, Hash, TreeHasher},
    leaf::{hex32, LeafError, LeafRecord},
    proof::{verify_inclusion, ProofError},
    with_hasher, LeafIndex, TreeSize,
};

pub const PROOF_FILE_VERSION: u32 = 1;

/// A hash in a proof file: lowercase hex without `0x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HexHash(#[serde(with = "hex32")] pub Hash);

/// Where a root was anchored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchorRef {
    pub chain_id: u64,
    /// The `DisclosureAnchor` contract, `0x`-prefixed hex.
    pub contract: String,
    pub tx_hash: String,
    pub block_number: u64,
    pub block_hash: String,
}

/// An inclusion proof of one disclosure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofFile {
    pub version: u32,
    pub hash_algorithm: Algorithm,
    pub leaf: LeafRecord,
    pub leaf_index: u64,
    pub tree_size: u64,
    pub path: Vec<HexHash>,
    pub root: HexHash,
    /// The anchor of `root` at `tree_size`; absent when the size is not anchored yet.
    pub anchor: Option<AnchorRef>,
}

/// Why a proof file does not verify.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("malformed proof file: {0}")]
    Malformed(String),
    #[error("bad leaf record: {0}")]
    Leaf(#[from] LeafError),
    #[error(transparent)]
    Proof(#[from] ProofError),
}

impl FileError {
    /// A malformed file (exit code 2) rather than a proof that fails (exit code 1).
    pub fn is_malformed(&self) -> bool {
        match self {
            FileError::Malformed(_) => true,
            FileError::Leaf(_) | FileError::Proof(_) => false,
        }
    }
}

impl ProofFile {
    pub fn from_json(text: &str) -> Result<ProofFile, FileError> {
        let file: ProofFile = serde_json::from_str(text).map_err(|e| FileError::Malformed(e.to_string()))?;
        if file.version != PROOF_FILE_VERSION {
            return Err(FileError::Malformed(format!("unsupported version {}", file.version)));
        }
        Ok(file)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a proof file serializes")
    }

    /// The leaf hash of the record under the file's algorithm.
    pub fn leaf_hash(&self) -> Result<Hash, FileError> {
        let bytes = self.leaf.encode()?;
        Ok(with_hasher!(self.hash_algorithm, H => H::leaf(&bytes)))
    }

    /// Checks the path from the leaf record to `root` at `tree_size`.
    pub fn verify(&self) -> Result<(), FileError> {
        let leaf = self.leaf_hash()?;
        let path: Vec<Hash> = self.path.iter().map(|h| h.0).collect();
        let (index, size) = (LeafIndex(self.leaf_index), TreeSize(self.tree_size));
        with_hasher!(self.hash_algorithm, H => verify_inclusion::<H>(&leaf, index, size, &path, &self.root.0))?;
        Ok(())
    }
}

/// What a verifier without a node can say of a proof file and the document it is about: the
/// verdict of `registrar verify FILE --content DOC` without `--rpc`, as data (the browser's
/// verifier shows it; the anchor is then checked against a node the user names).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// The proof holds and, when a document was given, the leaf commits to it.
    pub valid: bool,
    /// The file is not a proof file at all (rather than a proof that fails).
    pub malformed: bool,
    pub message: String,
    pub leaf_index: Option<u64>,
    pub tree_size: Option<u64>,
    pub root: Option<String>,
    /// BLAKE3 of the content, as the leaf commits to it.
    pub content_hash: Option<String>,
    /// BLAKE3 of the document given.
    pub document_hash: Option<String>,
    pub anchor: Option<AnchorRef>,
}

/// Checks the proof file `text` and, when given, that `document` is the content its leaf
/// commits to.
pub fn check(text: &str, document: Option<&[u8]>) -> Verdict {
    let mut verdict = Verdict {
        valid: false,
        malformed: false,
        message: String::new(),
        leaf_index: None,
        tree_size: None,
        root: None,
        content_hash: None,
        document_hash: document.map(|d| hex::encode(blake3::hash(d).as_bytes())),
        anchor: None,
    };
    let proof = match ProofFile::from_json(text) {
        Ok(p) => p,
        Err(e) => {
            verdict.malformed = true;
            verdict.message = e.to_string();
            return verdict;
        }
    };
    verdict.leaf_index = Some(proof.leaf_index);
    verdict.tree_size = Some(proof.tree_size);
    verdict.root = Some(hex::encode(proof.root.0));
    verdict.content_hash = Some(hex::encode(proof.leaf.content_hash));
    verdict.anchor = proof.anchor.clone();
    if let Err(e) = proof.verify() {
        verdict.malformed = e.is_malformed();
        verdict.message = e.to_string();
        return verdict;
    }
    if verdict.document_hash.as_ref().is_some_and(|d| Some(d) != verdict.content_hash.as_ref()) {
        verdict.message = format!(
            "the document hashes to {}, the leaf commits to {}",
            verdict.document_hash.as_deref().unwrap_or_default(),
            hex::encode(proof.leaf.content_hash)
        );
        return verdict;
    }
    verdict.valid = true;
    verdict.message = format!(
        "leaf {} is in the tree of {} leaves with root {}{}",
        proof.leaf_index,
        proof.tree_size,
        hex::encode(proof.root.0),
        if document.is_some() { ", and the document is its content" } else { "" }
    );
    verdict
}

/// The leaf hash of `data` under `algorithm`.
pub fn leaf_hash(algorithm: Algorithm, data: &[u8]) -> Hash {
    with_hasher!(algorithm, H => H::leaf(data))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Any text, JSON-shaped or not, is a malformed file or a verdict: never a panic.
        #[test]
        fn any_text_is_answered(text in "[{}\\[\\]\":,a-zA-Z0-9_ -]{0,400}") {
            if let Ok(file) = ProofFile::from_json(&text) {
                let _ = file.verify();
            }
            let verdict = check(&text, Some(text.as_bytes()));
            prop_assert!(!verdict.valid || ProofFile::from_json(&text).is_ok());
        }
    }
}
