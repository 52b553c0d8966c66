//! The `registrar` command line.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context;
use clap::{Parser, Subcommand};
use registrar::{
    bench,
    config::{Config, ConfigArgs},
    demo, node,
    tasks::{termination_signal, Tasks},
};
use registrar_store::{EventLog, Metrics, Projector, StateDb};
use tracing_subscriber::EnvFilter;

/// registrar keeps the register of security tokens on EVM chains.
#[derive(Parser, Debug)]
#[command(name = "registrar", version, about)]
struct Cli {
    /// Log as JSON lines (default: human-readable).
    #[arg(long, global = true, env = "REGISTRAR_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Index token contracts and serve GraphQL, with the event log embedded in the data dir.
    Run(ConfigArgs),
    /// Start a local chain with demo security tokens and activity, index it and serve GraphQL.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seconds between the demo's live transfers.
        #[arg(long, default_value_t = 5)]
        activity_every: u64,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Print a digest of the projected state: equal digests, equal state.
    Digest {
        #[arg(long, default_value = ".data")]
        data_dir: PathBuf,
    },
    /// Rebuild the state from the event log into a new state directory.
    Replay {
        #[arg(long, default_value = ".data")]
        data_dir: PathBuf,
        /// Where to write the rebuilt state (must not exist).
        #[arg(long)]
        into: PathBuf,
    },
    /// The end-to-end benchmark: generate a chain on anvil, index it, measure.
    Bench(bench::BenchArgs),
}

fn init_tracing(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(cli.log_json);
    match cli.command {
        Command::Run(args) => {
            let config = Config::load(&args)?;
            let mut tasks = Tasks::new();
            node::start(&config, config.ingest_config()?, &mut tasks).await?;
            tasks.run_until(termination_signal(), Duration::from_secs(10)).await
        }
        Command::Demo { listen, activity_every } => demo::run(listen, Duration::from_secs(activity_every)).await,
        Command::Schema => {
            print!("{}", registrar_api::sdl());
            Ok(())
        }
        Command::Digest { data_dir } => {
            let db = StateDb::open(&data_dir.join("state")).context("cannot open the state")?;
            let applied = db.applied_offset()?;
            println!(
                "digest={} state={} applied_offset={}",
                db.digest()?,
                db.state_digest()?,
                applied.map_or(-1, |o| o.0 as i64)
            );
            Ok(())
        }
        Command::Replay { data_dir, into } => {
            anyhow::ensure!(!into.exists(), "{} exists: replay builds a new state", into.display());
            let stores = node::Stores::open(&data_dir)?;
            let db = Arc::new(StateDb::open(&into)?);
            let report = bench::replay(
                stores.log.as_ref() as &dyn EventLog,
                Projector::new(db.clone(), Arc::new(Metrics::default())),
            )?;
            println!(
                "replayed {} records ({} events) in {:.3} s: {:.0} events/s; digest {}",
                report.records,
                report.events,
                report.seconds,
                report.events as f64 / report.seconds,
                db.digest()?
            );
            Ok(())
        }
        Command::Bench(args) => bench::run(args).await,
    }
}
