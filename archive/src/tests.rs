use alloy::primitives::{Address, B256};
use registrar_schemas::{
    BlockNumber, BlockRef, BlocksCommitted, ChainEvent, ChainId, DocumentAction, EventMeta, LogRecord, Reverted,
    TokenEvent,
};

use std::path::Path;

use registrar_merkle::{Blake3, TreeSize};

use super::*;

const TOKEN: Address = Address::repeat_byte(0xaa);

fn open(dir: &Path) -> Archive {
    let options =
        ArchiveOptions { chain_id: 31337, anchor_contract: Some(Address::repeat_byte(0xcc)), ..Default::default() };
    Archive::open(&dir.join("archive"), options).unwrap()
}

fn issuer(_archive: &Archive) -> Submitter {
    Submitter { key_id: "k1".into(), key_name: "acme".into() }
}

fn submission(key: &Submitter, title: &str) -> Submission {
    Submission {
        token: TOKEN,
        kind: "annual-report".into(),
        title: title.into(),
        effective_date: Some("2026-03-31".into()),
        content_type: None,
        submitter: key.clone(),
    }
}

#[test]
fn submissions_survive_a_restart_and_prove_inclusion() {
    let dir = tempfile::tempdir().unwrap();
    let (root, size) = {
        let archive = open(dir.path());
        let key = issuer(&archive);
        for i in 0..5 {
            let text = format!("Annual report {i}: revenue grew, EBITDA margin {i}0 percent");
            archive.submit(submission(&key, &format!("Report {i}")), text.as_bytes()).unwrap();
        }
        (archive.root(), archive.size())
    };
    let archive = open(dir.path());
    assert_eq!((archive.root(), archive.size()), (root, size));
    let proof = archive.proof(3, false).unwrap().unwrap();
    assert_eq!(proof.tree_size, 5);
    assert!(proof.anchor.is_none());
    proof.verify().unwrap();
    assert!(matches!(archive.proof(3, true), Err(ArchiveError::NotAnchored(3))));
    let d = archive.disclosure(3).unwrap().unwrap();
    assert_eq!(archive.disclosure_by_hash(&d.leaf.content_hash).unwrap().unwrap().leaf_index, 3);
    assert!(String::from_utf8(archive.content(&d.leaf.content_hash).unwrap()).unwrap().starts_with("Annual report 3"));
}

#[test]
fn search_filters_and_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let archive = open(dir.path());
    let key = issuer(&archive);
    archive.submit(submission(&key, "Q1 results"), b"Net income rose on bond coupon income").unwrap();
    let mut html = submission(&key, "Prospectus");
    html.kind = "prospectus".into();
    archive.submit(html, b"<html><body><p>The <b>collateral</b> pool holds treasuries</p></body></html>").unwrap();

    let page = |text: Option<&str>, kind: Option<&str>| {
        let q = SearchQuery { text: text.map(Into::into), kind: kind.map(Into::into), limit: 10, ..Default::default() };
        archive.search(&q).unwrap()
    };
    let (hits, total) = page(Some("collateral"), None);
    assert_eq!(total, 1);
    assert_eq!(hits[0].0.title, "Prospectus");
    assert!(hits[0].1.as_deref().unwrap().contains("<b>collateral</b>"), "{:?}", hits[0].1);
    assert_eq!(page(None, Some("prospectus")).1, 1);
    assert_eq!(page(None, None).1, 2);
    assert_eq!(page(None, None).0[0].0.leaf_index, 1, "newest first");
    assert_eq!(page(None, Some("annual-report")).1, 1);
    assert_eq!(page(Some("coupon"), Some("prospectus")).1, 0);
    assert!(matches!(
        archive.search(&SearchQuery { text: Some("title:(".into()), limit: 1, ..Default::default() }),
        Err(ArchiveError::BadSearch(_))
    ));

    // A PDF's text is searchable.
    let pdf = super::text::tests::pdf("Redemption at par on maturity");
    let d = archive.submit(Submission { kind: "prospectus".into(), ..submission(&key, "Terms") }, &pdf).unwrap();
    assert_eq!(d.content_type, "application/pdf");
    assert_eq!(page(Some("redemption"), None).0[0].0.title, "Terms");

    // The index is derived: rebuilt from the archive, it answers the same.
    assert_eq!(archive.reindex().unwrap(), 3);
    assert_eq!(page(Some("treasuries"), None).1, 1);
}

#[test]
fn bad_submissions_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let archive = open(dir.path());
    let key = issuer(&archive);
    let cases: Vec<(Submission, &[u8])> = vec![
        (Submission { kind: "Annual Report".into(), ..submission(&key, "x") }, b"text"),
        (submission(&key, "  "), b"text"),
        (Submission { effective_date: Some("31/03/2026".into()), ..submission(&key, "x") }, b"text"),
        (Submission { content_type: Some("application/pdf".into()), ..submission(&key, "x") }, b"not a pdf"),
        (Submission { content_type: Some("image/png".into()), ..submission(&key, "x") }, b"png"),
        (submission(&key, "x"), &[0xff, 0xfe, 0xfd]),
    ];
    for (s, content) in cases {
        let err = archive.submit(s, content).unwrap_err();
        assert!(err.is_client_error(), "{err}");
    }
    let big = vec![b'a'; (20 << 20) + 1];
    assert!(matches!(archive.submit(submission(&key, "big"), &big), Err(ArchiveError::TooLarge { .. })));
    assert_eq!(archive.size().0, 0);
}

fn event(block: u64, log_index: u32, event: TokenEvent, contract: Address) -> LogRecord {
    LogRecord::Event(ChainEvent {
        meta: EventMeta {
            chain_id: ChainId(31337),
            block: BlockRef {
                number: BlockNumber(block),
                hash: B256::repeat_byte(block as u8),
                parent_hash: B256::ZERO,
                timestamp: 1_790_000_000 + block,
            },
            tx_hash: B256::repeat_byte(0x11),
            tx_index: 0,
            log_index,
            contract,
        },
        event,
    })
}

fn committed(block: u64, finalized: u64) -> LogRecord {
    LogRecord::Committed(BlocksCommitted {
        chain_id: ChainId(31337),
        block: BlockNumber(block),
        block_hash: B256::repeat_byte(block as u8),
        head: BlockNumber(block),
        finalized: BlockNumber(finalized),
    })
}

fn doc(action: DocumentAction, name: &str) -> TokenEvent {
    let mut n = [0u8; 32];
    n[..name.len()].copy_from_slice(name.as_bytes());
    TokenEvent::Document {
        action,
        name: B256::from(n),
        uri: format!("ipfs://{name}"),
        document_hash: B256::repeat_byte(7),
    }
}

#[test]
fn chain_documents_wait_for_finality_and_reorgs_drop_them() {
    let dir = tempfile::tempdir().unwrap();
    let archive = open(dir.path());
    let records = vec![
        (0, event(5, 0, doc(DocumentAction::Updated, "prospectus"), TOKEN)),
        (1, committed(5, 2)),
        (2, event(6, 0, doc(DocumentAction::Removed, "prospectus"), TOKEN)),
        (3, committed(6, 3)),
    ];
    archive.apply_log(&records).unwrap();
    assert_eq!(archive.size().0, 0, "nothing is final yet");
    assert_eq!(archive.chain_resume_from().unwrap(), 0);
    // A reorg voids block 6; block 5 then becomes final.
    let reorg = vec![
        (
            4,
            LogRecord::Reverted(Reverted {
                chain_id: ChainId(31337),
                common_ancestor: BlockNumber(5),
                common_ancestor_hash: B256::ZERO,
                abandoned_tip: BlockNumber(6),
            }),
        ),
        (5, committed(9, 6)),
    ];
    archive.apply_log(&reorg).unwrap();
    assert_eq!(archive.size().0, 1);
    let d = archive.disclosure(0).unwrap().unwrap();
    assert_eq!(d.leaf.kind, "erc1643-updated");
    assert_eq!(d.title, "DocumentUpdated prospectus");
    assert!(matches!(&d.source, Source::Chain(c) if c.uri == "ipfs://prospectus" && c.block_number == 5));
    assert_eq!(archive.chain_resume_from().unwrap(), 6);

    // Replaying the same records after a restart archives nothing twice.
    drop(archive);
    let archive = open(dir.path());
    archive.apply_log(&records).unwrap();
    archive.apply_log(&reorg).unwrap();
    assert_eq!(archive.size().0, 1);

    // An anchor of the archive's contract, once final, makes the proof anchored.
    let root = archive.root();
    let anchored = TokenEvent::RootAnchored { sequence: 0, tree_size: 1, root: B256::from(root) };
    let stranger = TokenEvent::RootAnchored { sequence: 0, tree_size: 1, root: B256::ZERO };
    archive
        .apply_log(&[
            (6, event(10, 0, anchored, Address::repeat_byte(0xcc))),
            (7, event(10, 1, stranger, Address::repeat_byte(0xdd))),
            (8, committed(12, 10)),
        ])
        .unwrap();
    let anchors = archive.anchors(None, 10).unwrap();
    assert_eq!(anchors.len(), 1);
    assert!(anchors[0].matches);
    let proof = archive.proof(0, true).unwrap().unwrap();
    assert_eq!(proof.anchor.as_ref().unwrap().block_number, 10);
    proof.verify().unwrap();

    // A removal is one more fact, never a deletion; ERC-1400's `Document` is archived too.
    archive
        .apply_log(&[
            (9, event(13, 0, doc(DocumentAction::Removed, "prospectus"), TOKEN)),
            (10, event(13, 1, doc(DocumentAction::Set, "terms"), TOKEN)),
            (11, committed(15, 13)),
        ])
        .unwrap();
    assert_eq!(archive.size().0, 3);
    assert_eq!(archive.disclosure(0).unwrap().unwrap().leaf.kind, "erc1643-updated");
    assert_eq!(archive.disclosure(1).unwrap().unwrap().leaf.kind, "erc1643-removed");
    assert_eq!(archive.disclosure(2).unwrap().unwrap().leaf.kind, "erc1400-document");
    // The first anchor still proves leaf 0 at its size, consistent with the grown log.
    let (r1, r3, path) = archive.consistency(TreeSize(1), TreeSize(3)).unwrap();
    assert_eq!(r1, root);
    registrar_merkle::verify_consistency::<Blake3>(TreeSize(1), TreeSize(3), &r1, &r3, &path).unwrap();
}
