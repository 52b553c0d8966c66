//! What `deploy/` ships must match the code: every series the Grafana dashboard queries is one
//! the process exports at `/metrics`.

use registrar_store::Metrics;

#[test]
fn dashboard_queries_only_exported_series() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/grafana/registrar.json")).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    let metrics = Metrics::default();
    metrics.rpc_error("timeout");
    let exported = metrics.render();
    let mut checked = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            let mut rest = expr;
            while let Some(at) = rest.find("registrar_") {
                let name: String = rest[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                assert!(
                    exported.lines().any(|l| l.starts_with(&format!("# TYPE {name} "))),
                    "panel {:?} queries {name}, which /metrics does not export",
                    panel["title"]
                );
                checked += 1;
                rest = &rest[at + name.len()..];
            }
        }
    }
    assert!(checked >= 15, "the dashboard queries {checked} series");
}
