//! The proof file: what the JSON Schema in `schemas/` declares is what the file carries, and a
//! file verifies exactly when its leaf, path and root agree.

use registrar_merkle::{
    AnchorRef, Blake3, HexHash, LeafIndex, LeafRecord, ProofFile, Tree, TreeHasher, TreeSize, PROOF_FILE_VERSION,
};
use serde_json::Value;

fn proof_file() -> ProofFile {
    let mut tree = Tree::<Blake3>::new();
    let leaf = LeafRecord {
        content_hash: [3; 32],
        chain_id: 1,
        token: [0xab; 20],
        kind: "annual-report".into(),
        timestamp: 1_795_392_000,
        salt: [4; 32],
    };
    for i in 0u64..6 {
        tree.push(Blake3::leaf(&i.to_be_bytes()));
    }
    tree.push(Blake3::leaf(&leaf.encode().unwrap()));
    let size = tree.size();
    ProofFile {
        version: PROOF_FILE_VERSION,
        hash_algorithm: registrar_merkle::Algorithm::Blake3,
        leaf,
        leaf_index: 6,
        tree_size: size.0,
        path: tree.inclusion_proof(LeafIndex(6), size).unwrap().into_iter().map(HexHash).collect(),
        root: HexHash(tree.root_at(TreeSize(size.0)).unwrap()),
        anchor: Some(AnchorRef {
            chain_id: 1,
            contract: format!("0x{}", "cd".repeat(20)),
            tx_hash: format!("0x{}", "ef".repeat(32)),
            block_number: 9,
            block_hash: format!("0x{}", "12".repeat(32)),
        }),
    }
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn required(v: &Value) -> Vec<String> {
    let mut k: Vec<String> =
        v["required"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
    k.sort();
    k
}

#[test]
fn schema_matches_the_file() {
    let schema: Value =
        serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/proof.schema.json")))
            .unwrap();
    let file: Value = serde_json::from_str(&proof_file().to_json()).unwrap();
    assert_eq!(keys(&file), required(&schema));
    assert_eq!(keys(&file["leaf"]), required(&schema["properties"]["leaf"]));
    assert_eq!(keys(&file["anchor"]), required(&schema["properties"]["anchor"]["oneOf"][1]));
}

#[test]
fn verifies_and_rejects() {
    let good = proof_file();
    let back = ProofFile::from_json(&good.to_json()).unwrap();
    assert_eq!(back, good);
    back.verify().unwrap();

    let mut bad = good.clone();
    bad.leaf.timestamp += 1;
    assert!(!bad.verify().unwrap_err().is_malformed());
    let mut bad = good.clone();
    bad.leaf_index = 5;
    assert!(bad.verify().is_err());
    let mut bad = good.clone();
    bad.path.pop();
    assert!(bad.verify().is_err());
    let mut bad = good.clone();
    bad.hash_algorithm = registrar_merkle::Algorithm::Sha256;
    assert!(bad.verify().is_err());

    let text = good.to_json();
    assert!(ProofFile::from_json(&text.replace("\"version\": 1", "\"version\": 2")).unwrap_err().is_malformed());
    assert!(ProofFile::from_json(&text.replace("\"leaf_index\"", "\"leaf_idx\"")).unwrap_err().is_malformed());
    assert!(ProofFile::from_json("[]").unwrap_err().is_malformed());
}
