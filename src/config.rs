//! Settings of a node. Each comes, by precedence, from the command line, an environment
//! variable (`REGISTRAR_*`), a TOML file given with `--config`, or its default.

use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use alloy::primitives::Address;
use anyhow::{bail, Context};
use clap::Args;
use registrar_ingest::{IngestConfig, RpcConfig};
use serde::Deserialize;

/// The settings file, and the result of merging every source.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// JSON-RPC endpoint, http(s):// or ws(s)://; more than one, separated by commas, are
    /// fallbacks of the same chain tried in turn when the one in use keeps failing.
    pub rpc: String,
    /// The chain the nodes must be on (checked at start against every node); unset: whatever
    /// the first node says, and every fallback must agree with it.
    pub chain_id: Option<u64>,
    /// Token contracts to index.
    pub contracts: Vec<String>,
    /// T-REX factories: every suite they deploy (`TREXSuiteDeployed`) is indexed from then on.
    pub factories: Vec<String>,
    /// First block to read when the log is empty.
    pub from_block: u64,
    /// Where the event log and the state live.
    pub data_dir: PathBuf,
    /// Address of the HTTP server.
    pub listen: SocketAddr,
    /// Blocks on top of a block before it is final.
    pub confirmations: u64,
    pub ingest: IngestSettings,
    pub archive: ArchiveSettings,
    pub anchor: AnchorSettings,
    pub kafka: KafkaConfig,
    pub webhooks: WebhookSettings,
}

/// Where to tell that the index moved (after each commit: see `src/webhooks.rs`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSettings {
    /// URLs to POST each delivery to.
    pub urls: Vec<String>,
    /// A file holding the secret deliveries are signed with (HMAC-SHA256; at least 16 bytes).
    pub secret_file: Option<PathBuf>,
}

/// The event log on Kafka. Off (the log is embedded in the data dir) unless `brokers` is set.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct KafkaConfig {
    /// `host:port,host:port`.
    pub brokers: Option<String>,
    pub topic: String,
    /// Partitions of the topic when registrar creates it; an existing topic must have as many.
    pub partitions: usize,
    pub replication: i32,
    /// The consumer group serve replicas commit their positions to (for lag monitoring only;
    /// each replica reads every partition). Default: derived from the data dir.
    pub group: Option<String>,
    /// How long an append waits for the broker before ingest pauses and resumes from the log.
    pub timeout_ms: u64,
    /// The largest record appended; the broker's `message.max.bytes` must allow it.
    pub max_message_bytes: usize,
    /// librdkafka properties for every client: TLS and SASL (`security.protocol = "SASL_SSL"`,
    /// `sasl.mechanisms = "SCRAM-SHA-512"`, `sasl.username`, `sasl.password`,
    /// `ssl.ca.location`, ...).
    pub properties: std::collections::BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        let d = registrar_log::kafka::KafkaSettings::default();
        KafkaConfig {
            brokers: None,
            topic: d.topic,
            partitions: d.partitions,
            replication: d.replication,
            group: None,
            timeout_ms: d.timeout.as_millis() as u64,
            max_message_bytes: d.max_message_bytes,
            properties: d.properties,
        }
    }
}

/// The disclosure archive.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ArchiveSettings {
    /// `blake3` (default) or `sha256`; fixed when the archive is created.
    pub hash: String,
    /// Largest document accepted, in bytes.
    pub max_content_bytes: u64,
}

impl Default for ArchiveSettings {
    fn default() -> Self {
        ArchiveSettings { hash: "blake3".into(), max_content_bytes: 20 << 20 }
    }
}

/// Anchoring the archive's roots on chain. Off unless `contract` is set.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AnchorSettings {
    /// The `DisclosureAnchor` contract.
    pub contract: Option<String>,
    /// A file holding the owner's private key (hex). `REGISTRAR_ANCHOR_KEY` may hold it instead.
    pub key_file: Option<PathBuf>,
    /// Anchor when this many leaves are not anchored yet...
    pub every_leaves: u64,
    /// ...or when the oldest unanchored leaf is this old.
    pub every_seconds: u64,
    /// Replace a transaction still pending after this long, with higher fees.
    pub replace_after_seconds: u64,
    /// The most an anchor transaction pays per gas, in gwei: the ceiling of replacements.
    pub max_fee_per_gas_gwei: u64,
}

impl Default for AnchorSettings {
    fn default() -> Self {
        AnchorSettings {
            contract: None,
            key_file: None,
            every_leaves: 100,
            every_seconds: 60,
            replace_after_seconds: 60,
            max_fee_per_gas_gwei: 500,
        }
    }
}

/// Tuning of the chain reader.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct IngestSettings {
    pub initial_range: u64,
    pub max_range: u64,
    pub concurrency: usize,
    pub poll_interval_ms: u64,
    pub rpc_timeout_ms: u64,
    pub max_attempts: u32,
    pub reorg_window: usize,
    /// How long a node without the last appended block is taken for behind (ms).
    pub behind_grace_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rpc: "http://127.0.0.1:8545".into(),
            chain_id: None,
            contracts: Vec::new(),
            factories: Vec::new(),
            from_block: 0,
            data_dir: PathBuf::from(".data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            confirmations: 12,
            ingest: IngestSettings::default(),
            archive: ArchiveSettings::default(),
            anchor: AnchorSettings::default(),
            kafka: KafkaConfig::default(),
            webhooks: WebhookSettings::default(),
        }
    }
}

impl Default for IngestSettings {
    fn default() -> Self {
        let ingest = IngestConfig::default();
        let rpc = RpcConfig::default();
        IngestSettings {
            initial_range: ingest.initial_range,
            max_range: ingest.max_range,
            concurrency: ingest.concurrency,
            poll_interval_ms: ingest.poll_interval.as_millis() as u64,
            rpc_timeout_ms: rpc.timeout.as_millis() as u64,
            max_attempts: rpc.max_attempts,
            reorg_window: ingest.reorg_window,
            behind_grace_ms: ingest.behind_grace.as_millis() as u64,
        }
    }
}

/// The command-line (and environment) form of [`Config`]; what is given overrides the file.
#[derive(Args, Clone, Debug, Default)]
pub struct ConfigArgs {
    /// TOML settings file.
    #[arg(long, env = "REGISTRAR_CONFIG")]
    pub config: Option<PathBuf>,
    /// JSON-RPC endpoint, http(s):// or ws(s)://; fallbacks of the same chain after commas.
    #[arg(long, env = "REGISTRAR_RPC")]
    pub rpc: Option<String>,
    /// The chain id every node must report.
    #[arg(long, env = "REGISTRAR_CHAIN_ID")]
    pub chain_id: Option<u64>,
    /// Token contracts to index, comma separated.
    #[arg(long, env = "REGISTRAR_CONTRACTS", value_delimiter = ',')]
    pub contracts: Option<Vec<String>>,
    /// T-REX factories whose new suites are indexed as they are deployed, comma separated.
    #[arg(long, env = "REGISTRAR_FACTORIES", value_delimiter = ',')]
    pub factories: Option<Vec<String>>,
    /// First block to read when the log is empty.
    #[arg(long, env = "REGISTRAR_FROM_BLOCK")]
    pub from_block: Option<u64>,
    /// Where the event log and the state live.
    #[arg(long, env = "REGISTRAR_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address of the HTTP server.
    #[arg(long, env = "REGISTRAR_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Blocks on top of a block before it is final.
    #[arg(long, env = "REGISTRAR_CONFIRMATIONS")]
    pub confirmations: Option<u64>,
    /// How often to poll for a new head over http, in milliseconds.
    #[arg(long, env = "REGISTRAR_POLL_INTERVAL_MS")]
    pub poll_interval_ms: Option<u64>,
    /// The `DisclosureAnchor` contract to anchor the archive's roots in.
    #[arg(long, env = "REGISTRAR_ANCHOR_CONTRACT")]
    pub anchor_contract: Option<String>,
    /// File with the anchor contract owner's private key (or set `REGISTRAR_ANCHOR_KEY`).
    #[arg(long, env = "REGISTRAR_ANCHOR_KEY_FILE")]
    pub anchor_key_file: Option<PathBuf>,
    /// Anchor when this many leaves are unanchored.
    #[arg(long, env = "REGISTRAR_ANCHOR_EVERY_LEAVES")]
    pub anchor_every_leaves: Option<u64>,
    /// Anchor when the oldest unanchored leaf is this many seconds old.
    #[arg(long, env = "REGISTRAR_ANCHOR_EVERY_SECONDS")]
    pub anchor_every_seconds: Option<u64>,
    /// Replace an anchor transaction still pending after this many seconds, with higher fees.
    #[arg(long, env = "REGISTRAR_ANCHOR_REPLACE_AFTER_SECONDS")]
    pub anchor_replace_after_seconds: Option<u64>,
    /// Keep the event log on Kafka at these brokers (`host:port,…`) instead of the data dir.
    #[arg(long, env = "REGISTRAR_KAFKA_BROKERS")]
    pub kafka_brokers: Option<String>,
    /// The Kafka topic of the event log.
    #[arg(long, env = "REGISTRAR_TOPIC")]
    pub topic: Option<String>,
    /// Partitions of the topic (when registrar creates it).
    #[arg(long, env = "REGISTRAR_PARTITIONS")]
    pub partitions: Option<usize>,
    /// The consumer group to report positions to (default: derived from the data dir).
    #[arg(long, env = "REGISTRAR_GROUP")]
    pub group: Option<String>,
    /// POST where the index stands to this URL after each commit (repeat or separate by commas).
    #[arg(long = "webhook", env = "REGISTRAR_WEBHOOKS", value_delimiter = ',')]
    pub webhooks: Option<Vec<String>>,
    /// A file with the secret webhook deliveries are signed with (required with --webhook).
    #[arg(long, env = "REGISTRAR_WEBHOOK_SECRET_FILE")]
    pub webhook_secret_file: Option<PathBuf>,
}

impl Config {
    pub fn from_toml(text: &str) -> anyhow::Result<Config> {
        toml::from_str(text).context("invalid settings file")
    }

    /// Merges the file named by `args` (if any) and `args`.
    pub fn load(args: &ConfigArgs) -> anyhow::Result<Config> {
        let mut config = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
                Config::from_toml(&text).with_context(|| format!("in {}", path.display()))?
            }
            None => Config::default(),
        };
        if let Some(v) = &args.rpc {
            config.rpc = v.clone();
        }
        if let Some(v) = args.chain_id {
            config.chain_id = Some(v);
        }
        if let Some(v) = &args.contracts {
            config.contracts = v.clone();
        }
        if let Some(v) = &args.factories {
            config.factories = v.clone();
        }
        if let Some(v) = args.from_block {
            config.from_block = v;
        }
        if let Some(v) = &args.data_dir {
            config.data_dir = v.clone();
        }
        if let Some(v) = args.listen {
            config.listen = v;
        }
        if let Some(v) = args.confirmations {
            config.confirmations = v;
        }
        if let Some(v) = args.poll_interval_ms {
            config.ingest.poll_interval_ms = v;
        }
        if let Some(v) = &args.anchor_contract {
            config.anchor.contract = Some(v.clone());
        }
        if let Some(v) = &args.anchor_key_file {
            config.anchor.key_file = Some(v.clone());
        }
        if let Some(v) = args.anchor_every_leaves {
            config.anchor.every_leaves = v;
        }
        if let Some(v) = args.anchor_every_seconds {
            config.anchor.every_seconds = v;
        }
        if let Some(v) = args.anchor_replace_after_seconds {
            config.anchor.replace_after_seconds = v;
        }
        if let Some(v) = &args.kafka_brokers {
            config.kafka.brokers = Some(v.clone());
        }
        if let Some(v) = &args.topic {
            config.kafka.topic = v.clone();
        }
        if let Some(v) = args.partitions {
            config.kafka.partitions = v;
        }
        if let Some(v) = &args.group {
            config.kafka.group = Some(v.clone());
        }
        if let Some(v) = &args.webhooks {
            config.webhooks.urls = v.clone();
        }
        if let Some(v) = &args.webhook_secret_file {
            config.webhooks.secret_file = Some(v.clone());
        }
        Ok(config)
    }

    /// The Kafka log's settings, `None` when the log is embedded.
    pub fn kafka_settings(&self) -> anyhow::Result<Option<registrar_log::kafka::KafkaSettings>> {
        let Some(brokers) = self.kafka.brokers.clone().filter(|b| !b.trim().is_empty()) else { return Ok(None) };
        if self.kafka.partitions == 0 {
            bail!("kafka.partitions must be at least 1");
        }
        let group = match &self.kafka.group {
            Some(g) => g.clone(),
            None => default_group(&self.data_dir),
        };
        Ok(Some(registrar_log::kafka::KafkaSettings {
            brokers,
            topic: self.kafka.topic.clone(),
            partitions: self.kafka.partitions,
            replication: self.kafka.replication,
            group,
            timeout: Duration::from_millis(self.kafka.timeout_ms),
            max_message_bytes: self.kafka.max_message_bytes,
            properties: self.kafka.properties.clone(),
        }))
    }

    /// The contract addresses, checked.
    pub fn contract_addresses(&self) -> anyhow::Result<Vec<Address>> {
        let given = |list: &[String]| list.iter().any(|c| !c.trim().is_empty());
        if !given(&self.contracts) && !given(&self.factories) {
            bail!(
                "no contracts to index: give --contracts 0x…,0x… (or --factories) or `contracts` in the settings file"
            );
        }
        parse_addresses(&self.contracts, "contract")
    }

    /// The T-REX factory addresses, checked.
    pub fn factory_addresses(&self) -> anyhow::Result<Vec<Address>> {
        parse_addresses(&self.factories, "factory")
    }

    /// The anchor contract, checked; `None` when anchoring is off.
    pub fn anchor_contract(&self) -> anyhow::Result<Option<Address>> {
        self.anchor
            .contract
            .as_deref()
            .map(|c| Address::from_str(c.trim()).with_context(|| format!("invalid anchor contract {c:?}")))
            .transpose()
    }

    pub fn hash_algorithm(&self) -> anyhow::Result<registrar_merkle::Algorithm> {
        self.archive.hash.parse().map_err(|e: String| anyhow::anyhow!(e))
    }

    /// The nodes `rpc` names, the first one first.
    pub fn rpc_urls(&self) -> Vec<String> {
        self.rpc.split(',').map(str::trim).filter(|u| !u.is_empty()).map(String::from).collect()
    }

    pub fn rpc_config(&self) -> RpcConfig {
        let mut urls = self.rpc_urls();
        let url = if urls.is_empty() { String::new() } else { urls.remove(0) };
        RpcConfig {
            url,
            fallbacks: urls,
            timeout: Duration::from_millis(self.ingest.rpc_timeout_ms),
            max_attempts: self.ingest.max_attempts,
            ..RpcConfig::default()
        }
    }

    pub fn ingest_config(&self) -> anyhow::Result<IngestConfig> {
        let contracts = self.contract_addresses()?;
        // The anchor contract's events tell the archive which roots are anchored and final; it is
        // not a token (no `tokens` entry).
        let watch_only = self.anchor_contract()?.into_iter().filter(|a| !contracts.contains(a)).collect();
        Ok(IngestConfig {
            contracts,
            watch_only,
            factories: self.factory_addresses()?,
            from_block: self.from_block,
            confirmations: self.confirmations,
            initial_range: self.ingest.initial_range,
            max_range: self.ingest.max_range,
            concurrency: self.ingest.concurrency,
            reorg_window: self.ingest.reorg_window,
            poll_interval: Duration::from_millis(self.ingest.poll_interval_ms),
            progress: true,
            stop_at: None,
            behind_grace: Duration::from_millis(self.ingest.behind_grace_ms),
        })
    }
}

/// A consumer group per data dir: `registrar-<dir name>-<hash of its absolute path>`, so two
/// replicas on one machine report their lag apart and a restarted one keeps its group.
fn default_group(data_dir: &std::path::Path) -> String {
    let absolute = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let hash = blake3::hash(absolute.to_string_lossy().as_bytes()).to_hex();
    let name: String = absolute
        .file_name()
        .map(|n| n.to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect())
        .unwrap_or_default();
    format!("registrar-{name}-{}", &hash[..8])
}

fn parse_addresses(list: &[String], what: &str) -> anyhow::Result<Vec<Address>> {
    list.iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| Address::from_str(c.trim()).with_context(|| format!("invalid {what} address {c:?}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_arguments() {
        let file = r#"
            rpc = "ws://node:8546"
            contracts = ["0x5fbdb2315678afecb367f032d93f642f64180aa3"]
            confirmations = 3
            [ingest]
            concurrency = 8
        "#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registrar.toml");
        std::fs::write(&path, file).unwrap();
        let args = ConfigArgs { config: Some(path), confirmations: Some(5), ..Default::default() };
        let c = Config::load(&args).unwrap();
        assert_eq!(c.rpc, "ws://node:8546");
        assert_eq!(c.confirmations, 5);
        assert_eq!(c.ingest.concurrency, 8);
        assert_eq!(c.ingest.max_range, IngestSettings::default().max_range);
        assert_eq!(c.contract_addresses().unwrap().len(), 1);
    }

    #[test]
    fn unknown_keys_and_bad_addresses_are_errors() {
        assert!(Config::from_toml("rpcc = \"x\"").is_err());
        assert!(Config::from_toml("[anchor]\nevery = 3").is_err());
        let c = Config::from_toml("[archive]\nhash = \"md5\"").unwrap();
        assert!(c.hash_algorithm().is_err());
        let c = Config { contracts: vec!["0x12".into()], ..Config::default() };
        assert!(c.contract_addresses().unwrap_err().to_string().contains("invalid contract address"));
        assert!(Config::default().contract_addresses().is_err());
    }

    #[test]
    fn kafka_settings_from_arguments() {
        let args = ConfigArgs {
            kafka_brokers: Some("127.0.0.1:9092".into()),
            partitions: Some(4),
            data_dir: Some("/var/lib/registrar/replica-0".into()),
            ..Default::default()
        };
        let k = Config::load(&args).unwrap().kafka_settings().unwrap().unwrap();
        assert_eq!((k.brokers.as_str(), k.topic.as_str(), k.partitions), ("127.0.0.1:9092", "registrar.events", 4));
        assert!(k.group.starts_with("registrar-replica-0-"), "{}", k.group);
        let other = ConfigArgs { data_dir: Some("/var/lib/registrar/replica-1".into()), ..args.clone() };
        assert_ne!(Config::load(&other).unwrap().kafka_settings().unwrap().unwrap().group, k.group);
        let named = ConfigArgs { group: Some("ops".into()), ..args };
        assert_eq!(Config::load(&named).unwrap().kafka_settings().unwrap().unwrap().group, "ops");
        assert!(Config::default().kafka_settings().unwrap().is_none());
    }

    #[test]
    fn example_config_loads() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/registrar.example.toml")).unwrap();
        let c = Config::from_toml(&text).unwrap();
        assert!(!c.contract_addresses().unwrap().is_empty());
        assert!(c.anchor_contract().unwrap().is_some());
        assert_eq!(c.hash_algorithm().unwrap(), registrar_merkle::Algorithm::Blake3);
        // The anchor contract is watched too: its events tell the archive what is anchored.
        let ingest = c.ingest_config().unwrap();
        let anchor = c.anchor_contract().unwrap().unwrap();
        assert!(ingest.watch_only.contains(&anchor) && !ingest.contracts.contains(&anchor));
    }
}
