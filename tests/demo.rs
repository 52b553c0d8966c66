//! `registrar demo`, the README's first command, runs to its banner: every demo token is listed
//! (the anchor contract is not), a query answers over GET and by date, and SIGTERM stops it and
//! the anvil it started.

mod common;

use common::Demo;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_to_its_banner_and_stops() {
    let mut demo = Demo::start();
    let url = demo.url.clone();
    let query = |q: &str| {
        let url = reqwest::Url::parse_with_params(&format!("{url}/graphql"), &[("query", q)]).unwrap();
        async move { reqwest::get(url).await.unwrap().json::<Value>().await.unwrap() }
    };
    let tokens = query("{ tokens(first: 50) { nodes { address name symbol } } }").await;
    let nodes = tokens["data"]["tokens"]["nodes"].as_array().unwrap();
    let symbols: Vec<&str> = nodes.iter().map(|t| t["symbol"].as_str().unwrap()).collect();
    for wanted in ["ACME-A", "ACME30", "ACME-B", "ACME-C", "ACME-N", "ACP", "ACME-F", "ACME-V"] {
        assert!(symbols.contains(&wanted), "{wanted} in {symbols:?}");
    }
    assert!(nodes.iter().all(|t| !t["name"].as_str().unwrap().is_empty()), "a contract without a name: {nodes:?}");
    // The scenario's chain started a week ago: six days ago is inside it.
    let six_days_ago =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() - 6 * 86_400;
    let shares = nodes.iter().find(|t| t["symbol"] == "ACME-A").unwrap()["address"].as_str().unwrap().to_string();
    let past = query(&format!(
        r#"{{ token(address: "{shares}", block: {{ timestamp: {six_days_ago} }}) {{ block holderCount }} }}"#
    ))
    .await;
    assert!(past["errors"].is_null(), "{past}");
    assert!(past["data"]["token"]["block"].as_u64().unwrap() > 0, "{past}");

    demo.stop();
}
