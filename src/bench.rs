//! The end-to-end benchmark: generates a chain of ERC-20 transfers on anvil, then measures the
//! node's raw `eth_getLogs` rate, end-to-end sync, projector-only replay, the top-100-holders
//! query over HTTP, and peak memory.

use std::{
    path::PathBuf,
    sync::{atomic::Ordering::Relaxed, Arc, Mutex},
    time::{Duration, Instant},
};

use alloy::{
    primitives::{U160, U256},
    providers::{Provider, ProviderBuilder},
};
use clap::Args;
use registrar_api::ApiState;
use registrar_ingest::{AdaptiveRange, IngestConfig, Ingestor, Rpc, RpcConfig};
use registrar_log::{EventLog, Metrics, Partition, RocksMemory, Stage};
use registrar_store::{Projector, StateDb};
use tracing::info;

use registrar_testkit::{contracts::TransferEmitter, devnet::Anvil, send};

use crate::node::PROJECTOR_BATCH;

#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// Holders minted to, one `Transfer` each.
    #[arg(long, default_value_t = 100_000)]
    pub holders: u64,
    /// Further transfers between holders.
    #[arg(long, default_value_t = 50_000)]
    pub transfers: u64,
    /// Events per transaction (one transaction per block).
    #[arg(long, default_value_t = 1_000)]
    pub per_tx: u64,
    /// Top-holders queries to time.
    #[arg(long, default_value_t = 1_000)]
    pub queries: usize,
    /// Where to keep the data (default: a temporary directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Skip the sync through Kafka (a tansu broker on loopback, started by the bench).
    #[arg(long)]
    pub no_kafka: bool,
    /// Partitions of the bench's Kafka topic.
    #[arg(long, default_value_t = 2)]
    pub kafka_partitions: usize,
    /// Blocks mined one a second, one transfer each, to time block-to-queryable at the head
    /// (0: skip).
    #[arg(long, default_value_t = 30)]
    pub head_blocks: u64,
    /// tansu's storage engine: `sqlite://tansu.db` (durable, as the tests use it) or
    /// `memory://tansu/` (the broker's own cost without its storage).
    #[arg(long, default_value = "sqlite://tansu.db")]
    pub kafka_storage: String,
}

/// What a sync through Kafka did.
struct KafkaSync {
    events: u64,
    seconds: f64,
    /// Until ingest had appended the last block.
    ingest_seconds: f64,
    identical: bool,
    duplicates: u64,
}

/// The projector of `db` on a thread of its own, reading `log` until `shutdown`.
fn spawn_projector(
    log: &Arc<dyn EventLog>,
    db: &Arc<StateDb>,
    metrics: &Arc<Metrics>,
    shutdown: &tokio::sync::watch::Receiver<bool>,
) -> std::thread::JoinHandle<Result<(), registrar_store::StoreError>> {
    let (log, projector, shutdown) = (log.clone(), Projector::new(db.clone(), metrics.clone()), shutdown.clone());
    std::thread::spawn(move || registrar_store::run_projector(log, projector, PROJECTOR_BATCH, shutdown))
}

/// Ingest and project the same chain through a tansu broker on loopback into a new state; the
/// state must equal the embedded sync's.
async fn kafka_sync(
    args: &BenchArgs,
    data_dir: &std::path::Path,
    rpc_url: &str,
    ingest_config: IngestConfig,
    expected: alloy::primitives::B256,
) -> anyhow::Result<KafkaSync> {
    let broker_dir = data_dir.join("tansu");
    std::fs::create_dir_all(&broker_dir)?;
    let broker = registrar_testkit::devnet::Tansu::spawn_with_storage(&broker_dir, None, &args.kafka_storage)?;
    let settings = registrar_log::kafka::KafkaSettings {
        brokers: broker.brokers(),
        partitions: args.kafka_partitions.max(1),
        group: "registrar-bench".into(),
        ..Default::default()
    };
    let log: Arc<dyn EventLog> = Arc::new(registrar_log::kafka::KafkaLog::connect(settings).await?);
    let db = Arc::new(StateDb::open(&data_dir.join("kafka-state"))?);
    let metrics = Arc::new(Metrics::default());
    let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let projector = spawn_projector(&log, &db, &metrics, &shutdown);
    let rpc = Arc::new(Rpc::connect(RpcConfig { url: rpc_url.into(), ..RpcConfig::default() }, metrics.clone()).await?);
    Ingestor::new(rpc, log.clone(), metrics.clone(), ingest_config).run(shutdown.clone()).await?;
    let ingest_seconds = started.elapsed().as_secs_f64();
    loop {
        let (log, db) = (log.clone(), db.clone());
        if tokio::task::spawn_blocking(move || registrar_store::records_behind(log.as_ref(), &db)).await?? == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    shutdown_tx.send_replace(true);
    projector.join().map_err(|_| anyhow::anyhow!("projector panicked"))??;
    drop(log);
    drop(broker);
    Ok(KafkaSync {
        events: metrics.events_applied.load(Relaxed),
        seconds,
        ingest_seconds,
        identical: db.state_digest()? == expected,
        duplicates: metrics.duplicates_dropped.load(Relaxed),
    })
}

/// What a projector-only replay did.
pub struct ReplayReport {
    pub records: usize,
    pub events: usize,
    pub seconds: f64,
}

/// Applies the whole log with `projector`, in batches, partition after partition, and times it.
pub fn replay(log: &dyn EventLog, projector: Projector) -> anyhow::Result<ReplayReport> {
    let started = Instant::now();
    let (mut records, mut events) = (0, 0);
    let projector = projector.with_partitions(log.partitions());
    for partition in Partition::all(log.partitions()) {
        // Up to the partition's end when the replay started (a remote log's read may come back
        // empty before its first fetch arrives).
        let mut end = log.end(partition)?;
        loop {
            let outcome = projector.apply_next(log, partition, PROJECTOR_BATCH)?;
            records += outcome.records;
            events += outcome.events;
            let applied = projector.applied_offset(partition)?.map_or(0, |o| o.0 + 1);
            if outcome.records == 0 && applied >= end.0 {
                // A broker's end offset can trail what it holds: stop once it stays put.
                let now = log.end(partition)?;
                if now.0 > end.0 {
                    end = now;
                    continue;
                }
                break;
            }
        }
    }
    Ok(ReplayReport { records, events, seconds: started.elapsed().as_secs_f64() })
}

/// Follows the head over a websocket (ingest and projector on the synced stores) while a
/// block a second is mined with one transfer; returns, sorted, how long after each block was
/// mined the state had it.
async fn head_latency(
    args: &BenchArgs,
    anvil: &Anvil,
    emitter: &TransferEmitter::TransferEmitterInstance<alloy::providers::DynProvider>,
    sender: alloy::primitives::Address,
    stores: &crate::node::Stores,
    config: IngestConfig,
) -> anyhow::Result<Vec<Duration>> {
    let log: Arc<dyn EventLog> = stores.log.clone();
    let metrics = Arc::new(Metrics::default());
    let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
    let projector = spawn_projector(&log, &stores.db, &metrics, &shutdown);
    let rpc = Arc::new(Rpc::connect(RpcConfig { url: anvil.ws_url(), ..RpcConfig::default() }, metrics.clone()).await?);
    let config = IngestConfig { stop_at: None, ..config };
    let ingest = tokio::spawn(Ingestor::new(rpc, log, metrics, config).run(shutdown));
    let first = U160::from(0x1000_0000u64);
    let mut latencies = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    // Each block is mined on request, so the clock starts when it exists.
    let node = emitter.provider();
    node.raw_request::<_, serde_json::Value>("evm_setAutomine".into(), (false,)).await?;
    for i in 0..args.head_blocks {
        tick.tick().await;
        let shift = emitter.shiftRange(first + U160::from(i), U256::from(1u64), U160::from(7u64), U256::from(1u64));
        let _queued = shift.gas(200_000).from(sender).send().await?;
        node.raw_request::<_, serde_json::Value>("evm_mine".into(), ()).await?;
        let mined = Instant::now();
        let block = node.get_block_number().await?;
        loop {
            if stores.db.chain_status()?.is_some_and(|s| s.indexed_block.0 >= block) {
                latencies.push(mined.elapsed());
                break;
            }
            anyhow::ensure!(mined.elapsed() < Duration::from_secs(30), "block {block} not indexed after 30 s");
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
    }
    node.raw_request::<_, serde_json::Value>("evm_setAutomine".into(), (true,)).await?;
    shutdown_tx.send_replace(true);
    ingest.await??;
    projector.join().map_err(|_| anyhow::anyhow!("projector panicked"))??;
    latencies.sort();
    info!(blocks = latencies.len(), p50_ms = percentile(&latencies, 0.5).as_secs_f64() * 1e3, "head latency");
    Ok(latencies)
}

/// Resets the process's peak RSS (VmHWM), so the next reading covers one phase.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's resident memory now (VmRSS), MiB.
fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The first 100 holders by balance after `block`.
fn page_at(
    db: &registrar_store::StateDb,
    token: alloy::primitives::Address,
    block: u64,
) -> anyhow::Result<Vec<registrar_store::HolderRow>> {
    Ok(db.holders_at(token, block, registrar_store::HolderOrder::BalanceDesc, 100, None)?.rows)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let tmp = tempfile::Builder::new().prefix("registrar-bench-").tempdir()?;
    let data_dir = args.data_dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let anvil = Anvil::spawn(&["--gas-limit", "1000000000", "--code-size-limit", "100000"])?;
    let provider = ProviderBuilder::new().connect(&anvil.http_url()).await?.erased();
    let sender = provider.get_accounts().await?[0];

    // Generate: mints to `holders` consecutive addresses, then shifts between them.
    let generate = Instant::now();
    let emitter = TransferEmitter::deploy_builder(provider.clone()).from(sender).deploy().await?;
    let emitter_contract = TransferEmitter::new(emitter, provider.clone());
    let first_holder = U160::from(0x1000_0000u64);
    let mut sent = 0;
    // The block of the last mint: every holder exists after it; later blocks shift balances.
    let mut minted_at = 0;
    while sent < args.holders {
        let n = args.per_tx.min(args.holders - sent);
        let mint = emitter_contract.mintRange(first_holder + U160::from(sent), U256::from(n), U256::from(1_000u64));
        minted_at = send!(mint.gas(n * 6_000 + 100_000), sender, "mintRange");
        sent += n;
    }
    let mut shifted = 0;
    while shifted < args.transfers {
        let n = args.per_tx.min(args.transfers - shifted);
        let start = first_holder + U160::from(shifted % args.holders.max(1));
        let shift = emitter_contract.shiftRange(start, U256::from(n), U160::from(7u64), U256::from(1u64 + shifted % 5));
        send!(shift.gas(n * 6_000 + 100_000), sender, "shiftRange");
        shifted += n;
    }
    let head = provider.get_block_number().await?;
    let total_events = args.holders + args.transfers;
    info!(events = total_events, head, seconds = generate.elapsed().as_secs_f64(), "chain generated");

    let ingest_config = IngestConfig {
        contracts: vec![emitter],
        from_block: 0,
        confirmations: 12,
        progress: false,
        stop_at: Some(head),
        ..IngestConfig::default()
    };

    // 1. The node's raw eth_getLogs rate, ranges as ingest would use them, nothing else.
    let metrics = Arc::new(Metrics::default());
    let rpc =
        Arc::new(Rpc::connect(RpcConfig { url: anvil.http_url(), ..RpcConfig::default() }, metrics.clone()).await?);
    let range = Mutex::new(AdaptiveRange::new(ingest_config.initial_range, 1, ingest_config.max_range));
    let started = Instant::now();
    let mut fetched = 0usize;
    let mut from = 0;
    while from <= head {
        let size = range.lock().expect("range lock").size();
        let to = (from + size - 1).min(head);
        fetched += rpc.logs(&[emitter], from, to, &range).await?.len();
        from = to + 1;
    }
    let raw_seconds = started.elapsed().as_secs_f64();
    let raw_rate = fetched as f64 / raw_seconds;
    info!(logs = fetched, seconds = raw_seconds, rate = raw_rate as u64, "raw eth_getLogs");

    // 2. End-to-end sync: ingest into the embedded log and project, until all is applied.
    reset_peak_rss();
    let stores = crate::node::Stores::open(&data_dir)?;
    let log: Arc<dyn EventLog> = stores.log.clone();
    let metrics = Arc::new(Metrics::default());
    let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let projector = spawn_projector(&log, &stores.db, &metrics, &shutdown);
    // Where the memory is when the process's RSS is highest: RocksDB's share, sampled.
    let sampler = {
        let (db, embedded, mut stop) = (stores.db.clone(), stores.log.clone(), shutdown.clone());
        tokio::spawn(async move {
            let mut peak = (0.0f64, RocksMemory::default(), RocksMemory::default());
            loop {
                if let (Some(rss), Ok(state), Ok(log)) = (rss_mib(), db.memory(), embedded.memory()) {
                    if rss > peak.0 {
                        peak = (rss, state, log);
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                    _ = stop.changed() => return peak,
                }
            }
        })
    };
    let rpc =
        Arc::new(Rpc::connect(RpcConfig { url: anvil.http_url(), ..RpcConfig::default() }, metrics.clone()).await?);
    Ingestor::new(rpc, log.clone(), metrics.clone(), ingest_config.clone()).run(shutdown.clone()).await?;
    while registrar_store::records_behind(log.as_ref(), &stores.db)? > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let sync_seconds = started.elapsed().as_secs_f64();
    shutdown_tx.send_replace(true);
    let (peak_rss, peak_state, peak_log) = sampler.await?;
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    let rocks_at_peak = format!(
        "at {peak_rss:.0} MiB RSS: state memtables {:.0}, block cache {:.0}, table readers {:.1}; log memtables {:.0}, cache {:.0} (MiB)",
        mib(peak_state.memtables),
        mib(peak_state.block_cache),
        mib(peak_state.table_readers),
        mib(peak_log.memtables),
        mib(peak_log.block_cache),
    );
    info!(rocks_at_peak, "memory during sync");
    projector.join().map_err(|_| anyhow::anyhow!("projector panicked"))??;
    let applied = metrics.events_applied.load(Relaxed);
    let sync_rate = applied as f64 / sync_seconds;
    info!(events = applied, seconds = sync_seconds, rate = sync_rate as u64, "end-to-end sync");

    let sync_rss = peak_rss_mib().unwrap_or(f64::NAN);
    let stages: Vec<(&str, f64)> = Stage::ALL.iter().map(|s| (s.name(), metrics.stage_seconds(*s))).collect();
    info!(?stages, "busy time per stage during sync");

    // 2b. The same sync through Kafka.
    let kafka = if args.no_kafka {
        None
    } else {
        let expected = stores.db.state_digest()?;
        let k = kafka_sync(&args, &data_dir, &anvil.http_url(), ingest_config.clone(), expected).await?;
        info!(
            events = k.events,
            seconds = k.seconds,
            rate = (k.events as f64 / k.seconds) as u64,
            identical = k.identical,
            "kafka sync"
        );
        Some(k)
    };

    // 3. Projector-only replay of the same log into an empty state.
    reset_peak_rss();
    let replay_dir = data_dir.join("replay-state");
    let replay_db = Arc::new(StateDb::open(&replay_dir)?);
    let report = replay(log.as_ref(), Projector::new(replay_db.clone(), Arc::new(Metrics::default())))?;
    let replay_rate = report.events as f64 / report.seconds;
    let same = replay_db.digest()? == stores.db.digest()?;
    info!(events = report.events, seconds = report.seconds, rate = replay_rate as u64, identical = same, "replay");

    // 4. Regulator reports as of an old block (the last mint's: every holder, read from history).
    let old = registrar_store::AsOf::Block(minted_at);
    let t = Instant::now();
    let request = registrar_api::reports::ReportRequest {
        kind: registrar_api::reports::ReportKind::Holders,
        token: emitter,
        as_of: old,
        from: None,
        holder: None,
        format: registrar_api::reports::ReportFormat::Csv,
    };
    let register = registrar_api::reports::build(&stores.db, &request, None)?;
    let register_seconds = t.elapsed().as_secs_f64();
    let register_rows = register.body.lines().filter(|l| !l.starts_with('#')).count().saturating_sub(1);
    let t = Instant::now();
    let commitment = registrar_api::reports::commit(&stores.db, emitter, old)?;
    let commit_seconds = t.elapsed().as_secs_f64();
    info!(rows = register_rows, register_seconds, commit_seconds, root = commitment.root, "reports");

    // 5. Top-100 holders over HTTP GraphQL.
    let state = ApiState {
        db: stores.db.clone(),
        metrics: metrics.clone(),
        log: Some(log.clone()),
        confirmations: 12,
        archive: None,
        keys: Arc::new(registrar_api::auth::KeyStore::new(&data_dir)),
        labels: Arc::new(registrar_api::auth::LabelStore::open(&data_dir)?),
        reads: Default::default(),
        live: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (api_stop, api_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(registrar_api::serve(listener, state, async move {
        let _ = api_stopped.await;
    }));
    let client = reqwest::Client::new();
    let query = serde_json::json!({
        "query": format!("{{ token(address: \"{emitter:#x}\") {{ holders(first: 100) {{ nodes {{ address balance }} }} }} }}")
    });
    let mut latencies = Vec::with_capacity(args.queries);
    for i in 0..args.queries + 20 {
        let t = Instant::now();
        let body: serde_json::Value =
            client.post(format!("http://{addr}/graphql")).json(&query).send().await?.json().await?;
        if i >= 20 {
            latencies.push(t.elapsed());
        }
        anyhow::ensure!(body["errors"].is_null(), "query failed: {body}");
    }
    latencies.sort();
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    let mut store_latencies = Vec::with_capacity(args.queries);
    let indexed = stores.db.chain_status()?.map_or(0, |s| s.indexed_block.0);
    for _ in 0..args.queries {
        let t = Instant::now();
        let page = stores.db.holders_at(emitter, indexed, registrar_store::HolderOrder::BalanceDesc, 100, None)?;
        store_latencies.push(t.elapsed());
        anyhow::ensure!(page.rows.len() == 100, "expected 100 holders");
    }
    store_latencies.sort();
    // The same page as of older blocks: from a checkpoint of the top holders when one precedes
    // the block, else from the history.
    let mut historical = Vec::new();
    for at in [indexed / 4, indexed / 2, indexed * 3 / 4, indexed.saturating_sub(1)] {
        let mut times = Vec::with_capacity(args.queries.min(50));
        for _ in 0..args.queries.min(50) {
            let t = Instant::now();
            let page = stores.db.holders_at(emitter, at, registrar_store::HolderOrder::BalanceDesc, 100, None)?;
            times.push(t.elapsed());
            anyhow::ensure!(!page.rows.is_empty(), "no holders as of block {at}");
        }
        times.sort();
        // The baseline, as the page was read before checkpoints: every holder from the history.
        let mut scans = Vec::with_capacity(5);
        for _ in 0..5 {
            let t = Instant::now();
            let mut rows = stores.db.holder_register(emitter, at)?;
            rows.sort_by(|a, b| b.state.balance.cmp(&a.state.balance).then(a.address.cmp(&b.address)));
            rows.truncate(100);
            scans.push(t.elapsed());
            anyhow::ensure!(
                rows == page_at(&stores.db, emitter, at)?,
                "the checkpointed page differs from the history"
            );
        }
        scans.sort();
        historical.push((at, percentile(&times, 0.5), percentile(&times, 0.99), percentile(&scans, 0.5)));
    }
    let checkpoints = stores.db.top_checkpoint_blocks(emitter)?.len();
    let _ = api_stop.send(());
    server.await??;

    // 6. At the head: a block a second, each timed from mined to queryable.
    let head_latency = if args.head_blocks > 0 {
        Some(head_latency(&args, &anvil, &emitter_contract, sender, &stores, ingest_config.clone()).await?)
    } else {
        None
    };

    let rss = peak_rss_mib().unwrap_or(f64::NAN);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("| metric | value |");
    println!("|---|---|");
    println!(
        "| chain | {total_events} Transfer events, {} holders, {head} blocks, {} per tx |",
        args.holders, args.per_tx
    );
    println!("| raw eth_getLogs fetch | {raw_rate:.0} logs/s ({fetched} logs in {raw_seconds:.2} s) |");
    println!(
        "| end-to-end sync | {sync_rate:.0} events/s ({applied} events in {sync_seconds:.2} s), {:.0}% of raw |",
        100.0 * sync_rate / raw_rate
    );
    if let Some(k) = &kafka {
        let rate = k.events as f64 / k.seconds;
        println!(
            "| end-to-end sync through Kafka (tansu {} on loopback, {} partitions) | {rate:.0} events/s ({} events in {:.2} s; ingest done after {:.2} s), {:.0}% of embedded; state identical to embedded: {}; copies dropped: {} |",
            args.kafka_storage,
            args.kafka_partitions,
            k.events,
            k.seconds,
            k.ingest_seconds,
            100.0 * rate / sync_rate,
            k.identical,
            k.duplicates
        );
    }
    println!(
        "| projector-only replay | {replay_rate:.0} events/s ({} events in {:.2} s), state identical: {same} |",
        report.events, report.seconds
    );
    println!(
        "| top-100 holders, GraphQL over HTTP | p50 {:.3} ms, p99 {:.3} ms ({} queries) |",
        ms(p50),
        ms(p99),
        latencies.len()
    );
    println!(
        "| top-100 holders, store read | p50 {:.3} ms, p99 {:.3} ms |",
        ms(percentile(&store_latencies, 0.5)),
        ms(percentile(&store_latencies, 0.99))
    );
    for (at, p50, p99, scan) in &historical {
        println!(
            "| top-100 holders as of block {at}, store read ({checkpoints} checkpoints of the top holders) | p50 {:.3} ms, p99 {:.3} ms; from the whole history: p50 {:.3} ms |",
            ms(*p50),
            ms(*p99),
            ms(*scan)
        );
    }
    println!(
        "| holder register as of block {minted_at} (old: read from history), CSV | {register_rows} rows in {:.3} s ({} bytes) |",
        register_seconds,
        register.body.len()
    );
    println!(
        "| holder register commitment (register + BLAKE3 Merkle root over its rows) | {} leaves in {:.3} s |",
        commitment.size, commit_seconds
    );
    let busy: Vec<String> = stages
        .iter()
        .map(|(name, seconds)| format!("{name} {seconds:.2} s ({:.0} events/s)", applied as f64 / seconds))
        .collect();
    println!(
        "| busy time per stage during the sync (fetch: ranges in parallel; project: read back, decode, apply) | {} |",
        busy.join(", ")
    );
    if let Some(latencies) = &head_latency {
        println!(
            "| block mined to queryable at the head (ws heads, {} blocks one a second, one transfer each) | p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms |",
            latencies.len(),
            ms(percentile(latencies, 0.5)),
            ms(percentile(latencies, 0.99)),
            ms(*latencies.last().expect("at least one block")),
        );
    }
    println!("| peak RSS during end-to-end sync (ingest + projector + stores) | {sync_rss:.0} MiB |");
    println!("| RocksDB memory when RSS was highest during sync (sampled every 50 ms) | {rocks_at_peak} |");
    println!("| peak RSS of the bench process after the sync (replay and queries, two states open) | {rss:.0} MiB |");
    drop(anvil);
    Ok(())
}
