//! A state another process has open is named as such, not as RocksDB's lock error.

#[test]
fn a_state_in_use_is_said_to_be_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let _held = registrar_store::StateDb::open(dir.path()).unwrap();
    let err = registrar_store::StateDb::open(dir.path()).err().expect("a second open fails");
    assert!(matches!(err, registrar_store::StoreError::InUse { .. }), "{err}");
    assert!(err.to_string().contains("in use by another process"), "{err}");
}
