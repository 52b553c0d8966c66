//! A holder register committed to: the RFC 6962 Merkle root (BLAKE3) over its canonical CSV data
//! rows, one leaf per row (the line's bytes, without the `\n`), in address order. Submitted to
//! the disclosure archive as a document (kind `holder-register-commitment`), it is anchored on
//! chain with the disclosure log; a holder's [`HolderProof`] then shows their row is in it.

use alloy::primitives::Address;
use registrar_merkle::{Blake3, LeafIndex, Tree, TreeHasher};
use registrar_store::StateDb;

use super::{holders, resolve, AsOf, ReportKind};
use crate::ApiError;

/// The commitment to a holder register.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Commitment {
    pub token: String,
    pub block: u64,
    pub block_hash: Option<String>,
    pub algorithm: &'static str,
    /// The leaves: the register's rows.
    pub size: u64,
    pub root: String,
    /// The holder register report's digest as of the same block (see [`super`]).
    pub digest: String,
}

/// That one row is leaf `index` of the committed register: verify with `registrar verify
/// inclusion --hash blake3 --leaf-hash <BLAKE3(0x00 ‖ row)> --index … --size … --root … --path …`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HolderProof {
    pub commitment: Commitment,
    /// The holder's CSV row, as committed.
    pub row: String,
    pub leaf_hash: String,
    pub index: u64,
    /// Sibling hashes, deepest first.
    pub path: Vec<String>,
}

/// The register's rows and Merkle tree as of `as_of`.
fn register_tree(
    db: &StateDb,
    token: Address,
    as_of: AsOf,
) -> Result<(Commitment, Vec<String>, Tree<Blake3>), ApiError> {
    let at = resolve(db, token, as_of)?;
    let register = db.register(token, at.block)?;
    let rows: Vec<String> = register.rows.iter().map(holders::leaf).collect();
    let mut tree = Tree::<Blake3>::new();
    for row in &rows {
        tree.push(Blake3::leaf(row.as_bytes()));
    }
    let commitment = Commitment {
        token: format!("{token:#x}"),
        block: at.block,
        block_hash: at.hash.map(|h| format!("{h:#x}")),
        algorithm: "blake3",
        size: rows.len() as u64,
        root: hex::encode(tree.root()),
        digest: format!(
            "blake3:{}",
            super::digest(
                &super::binding(holders::TITLE, ReportKind::Holders, token, None, at.block, at.hash),
                &holders::csv_of(rows.iter().map(String::as_str)),
            )
        ),
    };
    Ok((commitment, rows, tree))
}

/// The commitment to the holder register of `token` as of `as_of`.
pub fn commit(db: &StateDb, token: Address, as_of: AsOf) -> Result<Commitment, ApiError> {
    Ok(register_tree(db, token, as_of)?.0)
}

/// The proof that `holder`'s row is in the register committed as of `as_of`.
pub fn holder_proof(db: &StateDb, token: Address, as_of: AsOf, holder: Address) -> Result<HolderProof, ApiError> {
    let (commitment, rows, tree) = register_tree(db, token, as_of)?;
    let prefix = format!("{holder:#x},");
    let index = rows.iter().position(|r| r.starts_with(&prefix)).ok_or_else(|| ApiError::Invalid {
        field: "holder",
        reason: format!("{holder:#x} is not in the register as of block {}", commitment.block),
    })?;
    let path =
        tree.inclusion_proof(LeafIndex(index as u64), tree.size()).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HolderProof {
        row: rows[index].clone(),
        leaf_hash: hex::encode(Blake3::leaf(rows[index].as_bytes())),
        index: index as u64,
        path: path.iter().map(hex::encode).collect(),
        commitment,
    })
}
