//! The exported SDL matches the schema, and bad queries are GraphQL errors, never panics.

use std::sync::Arc;

use registrar_api::{build_schema, sdl, ApiState};
use registrar_log::Metrics;
use registrar_store::StateDb;

const SDL_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/registrar.graphql");

#[test]
fn exported_sdl_matches_the_schema() {
    let exported = std::fs::read_to_string(SDL_PATH).unwrap_or_default();
    if exported != sdl() {
        if std::env::var_os("REGISTRAR_UPDATE_SDL").is_some() {
            std::fs::write(SDL_PATH, sdl()).unwrap();
            return;
        }
        panic!("schemas/registrar.graphql is out of date: run `make schema` and commit the change");
    }
}

fn state() -> (tempfile::TempDir, ApiState) {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(StateDb::open(dir.path()).unwrap());
    let keys = Arc::new(registrar_api::auth::KeyStore::new(dir.path()));
    let labels = Arc::new(registrar_api::auth::LabelStore::open(dir.path()).unwrap());
    let metrics = Arc::new(Metrics::default());
    (
        dir,
        ApiState {
            db,
            metrics,
            log: None,
            confirmations: 0,
            archive: None,
            keys,
            labels,
            reads: Default::default(),
            live: Default::default(),
        },
    )
}

async fn errors_of(query: &str) -> Vec<String> {
    let (_dir, state) = state();
    let schema = build_schema(Some(state));
    let response = schema.execute(query).await;
    response.errors.into_iter().map(|e| e.message).collect()
}

#[tokio::test]
async fn bad_queries_are_errors() {
    let cases = [
        ("{ nope }", "Unknown field"),
        ("{ status { chainId ", "expected selection_set"),
        (r#"{ token(address: "0x12") { name } }"#, "invalid address"),
        (r#"{ tokens(first: -1) { nodes { address } } }"#, "`first` must be between 0 and 1000"),
        (r#"{ tokens(first: 5000) { nodes { address } } }"#, "`first` must be between 0 and 1000"),
        (r#"{ tokens(after: "zz") { nodes { address } } }"#, "cursor"),
        (r#"{ disclosure(hash: "0x12") { title } }"#, "a hash is 32 bytes"),
        (r#"{ disclosures(from: "yesterday") { totalCount } }"#, "is not a date"),
        (r#"{ disclosures(token: "0x12") { totalCount } }"#, "invalid address"),
        (r#"{ disclosures { totalCount } }"#, "archive is not enabled"),
        (
            r#"mutation { submitDisclosure(token: "0x5fbdb2315678afecb367f032d93f642f64180aa3", kind: "x", title: "t", text: "x") { leafIndex } }"#,
            "needs an API key",
        ),
    ];
    for (query, expected) in cases {
        let errors = errors_of(query).await;
        assert!(errors.iter().any(|e| e.contains(expected)), "{query}: {errors:?}");
    }
}

#[tokio::test]
async fn complexity_and_depth_are_limited() {
    // 1000 holders × 1000 transfers each is far over the limit.
    let q = r#"{ token(address: "0x5fbdb2315678afecb367f032d93f642f64180aa3") {
        holders(first: 1000) { nodes { address balance frozen isFrozen } }
        transfers(first: 1000) { nodes { from to value blockNumber txHash logIndex } }
        a: transfers(first: 1000) { nodes { from to value blockNumber txHash logIndex } }
        b: transfers(first: 1000) { nodes { from to value blockNumber txHash logIndex } }
        c: transfers(first: 1000) { nodes { from to value blockNumber txHash logIndex } }
        d: transfers(first: 1000) { nodes { from to value blockNumber txHash logIndex } }
        e: transfers(first: 1000) { nodes { from to value blockNumber txHash logIndex } }
        f: transfers(first: 1000) { nodes { from to value blockNumber txHash logIndex } }
        g: transfers(first: 1000) { nodes { from to value blockNumber txHash logIndex } }
    } }"#;
    let errors = errors_of(q).await;
    assert!(errors.iter().any(|e| e.contains("too complex")), "{errors:?}");
}

#[tokio::test]
async fn an_empty_index_answers() {
    let (_dir, state) = state();
    let schema = build_schema(Some(state));
    let r = schema.execute("{ status { chainId headBlock indexedBlock finalizedBlock } tokens { nodes { address } pageInfo { hasNextPage } } }").await;
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let r = schema.execute(r#"{ token(address: "0x5FBDB2315678afecb367f032d93F642f64180aa3") { name } }"#).await;
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.data.into_json().unwrap()["token"], serde_json::Value::Null);
}
