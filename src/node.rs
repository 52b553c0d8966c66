//! A node on one machine: ingest appends to the embedded log, the projector applies it to the
//! state, the API serves the state. Each runs as a named critical task.

use std::{net::SocketAddr, path::Path, sync::Arc, time::Duration};

use anyhow::Context;
use registrar_api::ApiState;
use registrar_ingest::{IngestConfig, Ingestor, Rpc};
use registrar_store::{
    archive::{run_archiver, Archive, ArchiveOptions},
    run_projector, EmbeddedLog, EventLog, Metrics, Projector, StateDb,
};
use tokio::net::TcpListener;

use crate::{
    anchor::{self, AnchorConfig, AnchorKey},
    config::Config,
    tasks::Tasks,
};

/// Records the projector applies per write batch.
pub const PROJECTOR_BATCH: usize = 4096;

/// The stores of a data directory: `log/` and `state/`.
pub struct Stores {
    pub log: Arc<EmbeddedLog>,
    pub db: Arc<StateDb>,
}

impl Stores {
    pub fn open(data_dir: &Path) -> anyhow::Result<Stores> {
        std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
        let log = EmbeddedLog::open(&data_dir.join("log")).context("cannot open the event log")?;
        let db = StateDb::open(&data_dir.join("state")).context("cannot open the state database")?;
        Ok(Stores { log: Arc::new(log), db: Arc::new(db) })
    }
}

/// What a started node exposes.
pub struct NodeHandle {
    pub addr: SocketAddr,
    pub db: Arc<StateDb>,
    pub log: Arc<EmbeddedLog>,
    pub metrics: Arc<Metrics>,
    pub archive: Arc<Archive>,
}

/// Opens the disclosure archive of a data directory (`archive/`; keys in `api-keys.json`).
pub fn open_archive(config: &Config, chain_id: u64, metrics: Arc<Metrics>) -> anyhow::Result<Archive> {
    let options = ArchiveOptions {
        algorithm: config.hash_algorithm()?,
        chain_id,
        max_content_bytes: config.archive.max_content_bytes,
        anchor_contract: config.anchor_contract()?,
        metrics,
    };
    Archive::open(&config.data_dir.join("archive"), &config.data_dir, options)
        .context("cannot open the disclosure archive")
}

/// Opens the stores and starts ingest, the projector and the API on `tasks`.
pub async fn start(config: &Config, ingest: IngestConfig, tasks: &mut Tasks) -> anyhow::Result<NodeHandle> {
    let stores = Stores::open(&config.data_dir)?;
    let metrics = Arc::new(Metrics::default());
    let log: Arc<dyn EventLog> = stores.log.clone();

    let projector = Projector::new(stores.db.clone(), metrics.clone());
    let (projector_log, shutdown) = (log.clone(), tasks.shutdown_signal());
    tasks.spawn_blocking("projector", move || {
        run_projector(projector_log, projector, PROJECTOR_BATCH, shutdown).context("projector stopped")
    });

    let rpc = Arc::new(Rpc::connect(config.rpc_config(), metrics.clone()).await?);
    let chain_id = rpc.chain_id().await?;
    let archive = Arc::new(open_archive(config, chain_id, metrics.clone())?);
    let (archive_log, archiver, shutdown) = (log.clone(), archive.clone(), tasks.shutdown_signal());
    tasks.spawn_blocking("archiver", move || run_archiver(archive_log, archiver, shutdown).context("archiver stopped"));
    if let Some(contract) = config.anchor_contract()? {
        let anchor = AnchorConfig {
            rpc: config.rpc.clone(),
            contract,
            key: AnchorKey::load(config.anchor.key_file.as_deref())?,
            every_leaves: config.anchor.every_leaves.max(1),
            every: Duration::from_secs(config.anchor.every_seconds),
            replace_after: Duration::from_secs(config.anchor.replace_after_seconds),
            tick: Duration::from_millis(config.ingest.poll_interval_ms.clamp(100, 5000)),
        };
        let (archive, shutdown, metrics) = (archive.clone(), tasks.shutdown_signal(), metrics.clone());
        tasks.spawn("anchor", async move {
            anchor::run(anchor, archive, metrics, shutdown).await.context("anchoring stopped")
        });
    }
    let ingestor = Ingestor::new(rpc, log.clone(), metrics.clone(), ingest);
    let shutdown = tasks.shutdown_signal();
    tasks.spawn("ingest", async move { ingestor.run(shutdown).await.context("ingest stopped") });

    let listener =
        TcpListener::bind(config.listen).await.with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let state = ApiState {
        db: stores.db.clone(),
        metrics: metrics.clone(),
        log: Some(log),
        confirmations: config.confirmations,
        archive: Some(archive.clone()),
    };
    let shutdown = tasks.shutdown_future();
    tasks.spawn(
        "api",
        async move { registrar_api::serve(listener, state, shutdown).await.context("api server stopped") },
    );

    Ok(NodeHandle { addr, db: stores.db, log: stores.log, metrics, archive })
}
