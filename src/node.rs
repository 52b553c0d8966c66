//! A node: ingest appends to the event log, the projector applies it to the state, the API
//! serves the state. Each runs as a named critical task. On one machine (`registrar run`) the
//! log is embedded in the data dir; with Kafka the same roles run together or apart
//! (`registrar ingest`, `registrar serve`).

use std::{net::SocketAddr, path::Path, sync::Arc, time::Duration};

use anyhow::Context;
use registrar_api::ApiState;
use registrar_archive::{run_archiver, Archive, ArchiveOptions};
use registrar_ingest::{IngestConfig, Ingestor, Rpc};
use registrar_log::{kafka::KafkaLog, EmbeddedLog, EventLog, Metrics};
use registrar_store::{run_projector, Projector, StateDb};
use tokio::net::TcpListener;
use tracing::{info, warn};

use registrar_archive::anchor::{self, AnchorConfig, AnchorKey};

use crate::{config::Config, tasks::Tasks};

/// Records the projector applies per write batch.
pub const PROJECTOR_BATCH: usize = 4096;

/// The stores of a data directory: `log/` and `state/`.
pub struct Stores {
    pub log: Arc<EmbeddedLog>,
    pub db: Arc<StateDb>,
}

impl Stores {
    pub fn open(data_dir: &Path) -> anyhow::Result<Stores> {
        Ok(Stores { log: open_embedded_log(data_dir)?, db: open_state(data_dir)? })
    }
}

/// `data_dir/log`, created if missing.
fn open_embedded_log(data_dir: &Path) -> anyhow::Result<Arc<EmbeddedLog>> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    Ok(Arc::new(EmbeddedLog::open(&data_dir.join("log")).context("cannot open the event log")?))
}

/// `data_dir/state`, created if missing.
fn open_state(data_dir: &Path) -> anyhow::Result<Arc<StateDb>> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    Ok(Arc::new(StateDb::open(&data_dir.join("state")).context("cannot open the state database")?))
}

/// What a started node exposes.
pub struct NodeHandle {
    pub addr: SocketAddr,
    pub db: Arc<StateDb>,
    pub log: Arc<dyn EventLog>,
    pub metrics: Arc<Metrics>,
    /// The disclosure archive; it follows the embedded log only.
    pub archive: Option<Arc<Archive>>,
}

/// The event log the settings name: Kafka when brokers are given, else `data_dir/log`.
pub async fn open_log(config: &Config) -> anyhow::Result<Arc<dyn EventLog>> {
    match config.kafka_settings()? {
        Some(settings) => {
            info!(
                brokers = settings.brokers,
                topic = settings.topic,
                partitions = settings.partitions,
                group = settings.group,
                "event log on kafka"
            );
            let log = KafkaLog::connect(settings).await.context("cannot open the event log on kafka")?;
            Ok(Arc::new(log))
        }
        None => Ok(open_embedded_log(&config.data_dir)?),
    }
}

/// Which roles a process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Roles {
    /// Ingest, projector and API (`registrar run`).
    All,
    /// Ingest only (`registrar ingest`).
    Ingest,
    /// Projector and API (`registrar serve`).
    Serve,
}

/// Opens the disclosure archive of a data directory (`archive/`; keys in `api-keys.json`).
pub fn open_archive(config: &Config, chain_id: u64, metrics: Arc<Metrics>) -> anyhow::Result<Archive> {
    let options = ArchiveOptions {
        algorithm: config.hash_algorithm()?,
        chain_id,
        max_content_bytes: config.archive.max_content_bytes,
        anchor_contract: config.anchor_contract()?,
        metrics,
        // PDFs are read by `registrar extract-text` in a child process with limits.
        extractor: registrar_archive::Extractor::Child {
            program: std::env::current_exe().context("cannot find the registrar binary for text extraction")?,
            args: vec!["extract-text".into()],
            limits: registrar_archive::ExtractLimits::default(),
        },
    };
    Archive::open(&config.data_dir.join("archive"), options).context("cannot open the disclosure archive")
}

/// Opens the stores and starts ingest, the projector and the API on `tasks`.
pub async fn start(config: &Config, ingest: IngestConfig, tasks: &mut Tasks) -> anyhow::Result<NodeHandle> {
    start_roles(config, Some(ingest), Roles::All, tasks).await
}

/// Starts ingest alone: it needs the Kafka log (an embedded log has no other reader). Serves
/// `/metrics` and `/health` on the listen address.
pub async fn start_ingest(config: &Config, ingest: IngestConfig, tasks: &mut Tasks) -> anyhow::Result<SocketAddr> {
    anyhow::ensure!(
        config.kafka_settings()?.is_some(),
        "`registrar ingest` appends to Kafka: give --kafka-brokers (or use `registrar run`)"
    );
    let log = open_log(config).await?;
    let metrics = Arc::new(Metrics::default());
    let rpc = Arc::new(Rpc::connect(config.rpc_config(), metrics.clone()).await?);
    rpc.check_chain(config.chain_id).await?;
    let ingestor = Ingestor::new(rpc, log, metrics.clone(), ingest);
    let shutdown = tasks.shutdown_signal();
    tasks.spawn("ingest", async move { ingestor.run(shutdown).await.context("ingest stopped") });
    let listener =
        TcpListener::bind(config.listen).await.with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let shutdown = tasks.shutdown_future();
    tasks.spawn("metrics", async move {
        registrar_api::serve_metrics(listener, metrics, shutdown).await.context("metrics server stopped")
    });
    Ok(addr)
}

/// Starts the projector and the API on the log (`registrar serve`).
pub async fn start_serve(config: &Config, tasks: &mut Tasks) -> anyhow::Result<NodeHandle> {
    start_roles(config, None, Roles::Serve, tasks).await
}

async fn start_roles(
    config: &Config,
    ingest: Option<IngestConfig>,
    roles: Roles,
    tasks: &mut Tasks,
) -> anyhow::Result<NodeHandle> {
    let log = open_log(config).await?;
    let db = open_state(&config.data_dir)?;
    let metrics = Arc::new(Metrics::default());

    let projector = Projector::new(db.clone(), metrics.clone());
    let (projector_log, shutdown) = (log.clone(), tasks.shutdown_signal());
    tasks.spawn_blocking("projector", move || {
        run_projector(projector_log, projector, PROJECTOR_BATCH, shutdown).context("projector stopped")
    });

    let rpc = Arc::new(Rpc::connect(config.rpc_config(), metrics.clone()).await?);
    let chain_id = rpc.check_chain(config.chain_id).await?;
    // The archive follows a single-partition log: on Kafka it is off (see deploy/SHARDING.md).
    let archive = if config.kafka_settings()?.is_none() {
        let archive = Arc::new(open_archive(config, chain_id, metrics.clone())?);
        let (archive_log, archiver, shutdown) = (log.clone(), archive.clone(), tasks.shutdown_signal());
        tasks.spawn_blocking("archiver", move || {
            run_archiver(archive_log, archiver, shutdown).context("archiver stopped")
        });
        Some(archive)
    } else {
        if config.anchor.contract.is_some() {
            warn!("the disclosure archive runs with the embedded log only; anchoring is off on kafka");
        }
        None
    };
    if let (Some(archive), Some(contract)) = (&archive, config.anchor_contract()?) {
        let anchor = AnchorConfig {
            rpc: config.rpc_config().url,
            contract,
            key: AnchorKey::load(config.anchor.key_file.as_deref())?,
            every_leaves: config.anchor.every_leaves.max(1),
            every: Duration::from_secs(config.anchor.every_seconds),
            replace_after: Duration::from_secs(config.anchor.replace_after_seconds),
            tick: Duration::from_millis(config.ingest.poll_interval_ms.clamp(100, 5000)),
            max_fee_per_gas: u128::from(config.anchor.max_fee_per_gas_gwei) * 1_000_000_000,
        };
        let (archive, shutdown, metrics) = (archive.clone(), tasks.shutdown_signal(), metrics.clone());
        tasks.spawn("anchor", async move {
            anchor::run(anchor, archive, metrics, shutdown).await.context("anchoring stopped")
        });
    }
    if let Some(ingest) = ingest.filter(|_| roles == Roles::All) {
        let ingestor = Ingestor::new(rpc, log.clone(), metrics.clone(), ingest);
        let shutdown = tasks.shutdown_signal();
        tasks.spawn("ingest", async move { ingestor.run(shutdown).await.context("ingest stopped") });
    }

    if !config.webhooks.urls.is_empty() {
        let file = config.webhooks.secret_file.as_deref().context("--webhook needs --webhook-secret-file")?;
        let secret = crate::webhooks::load_secret(file)?;
        for url in config.webhooks.urls.iter().filter(|u| !u.trim().is_empty()) {
            let url = reqwest::Url::parse(url.trim()).with_context(|| format!("webhook {url:?} is not a URL"))?;
            let (secret, db, shutdown) = (secret.clone(), db.clone(), tasks.shutdown_signal());
            tasks.spawn("webhook", async move { crate::webhooks::run(url.to_string(), secret, db, shutdown).await });
        }
    }

    let listener =
        TcpListener::bind(config.listen).await.with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let state = ApiState {
        db: db.clone(),
        metrics: metrics.clone(),
        log: Some(log.clone()),
        confirmations: config.confirmations,
        archive: archive.clone(),
        keys: Arc::new(registrar_api::auth::KeyStore::new(&config.data_dir)),
        labels: Arc::new(
            registrar_api::auth::LabelStore::open(&config.data_dir).context("cannot read the holder labels")?,
        ),
        reads: Default::default(),
        live: Default::default(),
    };
    let shutdown = tasks.shutdown_future();
    tasks.spawn(
        "api",
        async move { registrar_api::serve(listener, state, shutdown).await.context("api server stopped") },
    );

    Ok(NodeHandle { addr, db, log, metrics, archive })
}
