//! What `deploy/` ships must match the code: every series the Grafana dashboard queries is one
//! the process exports at `/metrics`.

use registrar_log::Metrics;

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

fn yaml_documents(path: &str) -> Vec<serde_yaml::Value> {
    use serde::Deserialize;
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    serde_yaml::Deserializer::from_str(&text)
        .map(|d| serde_yaml::Value::deserialize(d).unwrap_or_else(|e| panic!("{path} is not YAML: {e}")))
        .collect()
}

fn config_loads(text: &str, what: &str) -> registrar::config::Config {
    let c = registrar::config::Config::from_toml(text).unwrap_or_else(|e| panic!("{what}: {e:#}"));
    assert!(c.kafka_settings().unwrap().is_some(), "{what} runs on kafka");
    assert!(!c.contract_addresses().unwrap().is_empty(), "{what} names contracts for ingest");
    c
}

/// The compose file: Kafka in KRaft mode, anvil, one ingest, two serve replicas with their own
/// volumes; the config they mount loads through the real loader.
#[test]
fn compose_file_runs_ingest_and_two_serve_replicas_on_kraft() {
    let docs = yaml_documents("deploy/compose/docker-compose.yml");
    let services = &docs[0]["services"];
    let kafka = &services["kafka"];
    assert!(kafka["image"].as_str().unwrap().starts_with("apache/kafka"));
    assert_eq!(kafka["environment"]["KAFKA_PROCESS_ROLES"].as_str(), Some("broker,controller"), "KRaft");
    assert!(services["anvil"]["entrypoint"][0] == "anvil");
    let role = |name: &str| services[name]["command"][0].as_str().unwrap_or_default().to_string();
    assert_eq!(role("ingest"), "ingest");
    assert_eq!((role("serve-1"), role("serve-2")), ("serve".into(), "serve".into()));
    let volume = |name: &str| {
        services[name]["volumes"]
            .as_sequence()
            .unwrap()
            .iter()
            .find_map(|v| v.as_str().and_then(|v| v.strip_suffix(":/var/lib/registrar")).map(str::to_string))
    };
    assert!(volume("serve-1").is_some() && volume("serve-1") != volume("serve-2"), "each replica has its own state");
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/cluster.example.toml")).unwrap();
    let c = config_loads(&text, "deploy/cluster.example.toml");
    assert_eq!(c.kafka_settings().unwrap().unwrap().brokers, "kafka:9092", "the compose service name");
}

/// The Kubernetes manifests: ingest a single-writer Deployment, serve a StatefulSet with a
/// volume per replica; the ConfigMap's settings load through the real loader.
#[test]
fn kubernetes_manifests_parse_and_their_config_loads() {
    let mut kinds = std::collections::BTreeMap::new();
    let kustomization = &yaml_documents("deploy/k8s/kustomization.yaml")[0];
    for file in kustomization["resources"].as_sequence().unwrap() {
        for doc in yaml_documents(&format!("deploy/k8s/{}", file.as_str().unwrap())) {
            assert!(doc["apiVersion"].is_string(), "{file:?}: apiVersion");
            let name = doc["metadata"]["name"].as_str().unwrap().to_string();
            kinds.insert(name, doc);
        }
    }
    let ingest = &kinds["registrar-ingest"];
    assert_eq!(ingest["kind"], "Deployment");
    assert_eq!(ingest["spec"]["replicas"].as_u64(), Some(1), "one writer");
    assert_eq!(ingest["spec"]["strategy"]["type"], "Recreate", "never two writers during a rollout");
    assert_eq!(ingest["spec"]["template"]["spec"]["containers"][0]["args"][0], "ingest");
    let serve = &kinds["registrar-serve"];
    assert_eq!(serve["kind"], "StatefulSet");
    assert!(serve["spec"]["replicas"].as_u64().unwrap() >= 2);
    assert_eq!(serve["spec"]["volumeClaimTemplates"][0]["metadata"]["name"], "data");
    let container = &serve["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["args"][0], "serve");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/ready");
    let config = kinds["registrar-config"]["data"]["registrar.toml"].as_str().unwrap();
    config_loads(config, "deploy/k8s/configmap.yaml");
}
