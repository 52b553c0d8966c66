//! The `registrar` command line.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode, sync::Arc, time::Duration};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use registrar::{
    bench,
    config::{Config, ConfigArgs},
    demo, dlq, node,
    tasks::{termination_signal, Tasks},
    verify::{self, DiscloseArgs, VerifyCommand},
};
use registrar_api::auth::{KeyStore, Role};
use registrar_log::Metrics;
use registrar_store::{Projector, StateDb};
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
    /// Index token contracts and serve GraphQL: ingest, projector and API in one process, with
    /// the event log in the data dir (or on Kafka with --kafka-brokers).
    Run(ConfigArgs),
    /// The ingest role alone: read the chain and append to the Kafka log (--kafka-brokers).
    /// Serves /metrics and /health on --listen.
    Ingest(ConfigArgs),
    /// The serve role: project the Kafka log into the data dir's state and serve GraphQL. Every
    /// replica reads every partition and holds the whole state.
    Serve(ConfigArgs),
    /// The dead-letter topic of the Kafka log: records no reader could decode.
    Dlq {
        #[command(flatten)]
        config: ConfigArgs,
        #[command(subcommand)]
        command: DlqCommand,
    },
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
    /// Extract the text of a PDF on standard input to standard output within resource limits:
    /// the archive runs this as a child process, so a hostile document can only end the child.
    #[command(hide = true)]
    ExtractText {
        /// Address space limit (RLIMIT_AS).
        #[arg(long)]
        memory_bytes: u64,
        /// CPU time limit (RLIMIT_CPU).
        #[arg(long)]
        cpu_seconds: u64,
        /// Text written at most.
        #[arg(long)]
        max_text_bytes: usize,
    },
    /// Print a digest of the projected state: equal digests, equal state.
    Digest {
        #[arg(long, default_value = ".data")]
        data_dir: PathBuf,
        /// Also print each table's digest and row count.
        #[arg(long)]
        tables: bool,
    },
    /// Rebuild the state from the event log into a new state directory.
    /// (From the data dir's embedded log, or from Kafka with --kafka-brokers.)
    Replay {
        #[command(flatten)]
        config: ConfigArgs,
        /// Where to write the rebuilt state (must not exist).
        #[arg(long)]
        into: PathBuf,
    },
    /// The end-to-end benchmark: generate a chain on anvil, index it, measure.
    Bench(bench::BenchArgs),
    /// Send a server on loopback thousands of malformed and abusive requests and check it stays
    /// up: no 5xx, no answer past the deadline, /health throughout, memory bounded. Exit 0: held.
    Soak(registrar::soak::SoakArgs),
    /// Verify a proof file (`registrar verify proof.json [--rpc URL]`) or a raw proof. Exit code 0:
    /// valid, 1: invalid, 2: malformed input.
    Verify(VerifyArgs),
    /// Merkle tools for interoperability with other transparency logs.
    #[command(subcommand)]
    Merkle(MerkleCommand),
    /// Publish a disclosure through a running server.
    Disclose(DiscloseArgs),
    /// A regulator report from a running server: the holder register or the reconciliation of
    /// a token as of a block or a time, as CSV or JSON, with its block hash and digest.
    Report(registrar::report::ReportArgs),
    /// Manage the API keys that may publish disclosures.
    Keys {
        #[arg(long, default_value = ".data", env = "REGISTRAR_DATA_DIR")]
        data_dir: PathBuf,
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Maintain the disclosure archive.
    #[command(subcommand)]
    Archive(ArchiveCommand),
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
struct VerifyArgs {
    #[command(subcommand)]
    raw: Option<VerifyCommand>,
    /// A proof file, as `disclosureProof { json }` returns it.
    file: Option<PathBuf>,
    /// A node of the anchor's chain: also check that the root is anchored there.
    #[arg(long)]
    rpc: Option<String>,
    /// The document: also check that it is the content the leaf commits to (its BLAKE3 hash).
    #[arg(long)]
    content: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum MerkleCommand {
    /// Reads leaves (hex, one per line) on stdin and prints the tree's size and root.
    Root {
        #[arg(long, default_value = "blake3")]
        hash: String,
        /// Also print the inclusion path of this leaf index.
        #[arg(long)]
        proof: Option<u64>,
        /// Also print the consistency path from this size.
        #[arg(long)]
        consistency: Option<u64>,
        /// The lines are leaf hashes already, not leaf data.
        #[arg(long)]
        leaf_hashes: bool,
    },
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Create a key; its secret is printed once and stored only as a hash.
    Create {
        #[arg(long)]
        name: String,
        /// issuer, regulator or admin.
        #[arg(long, default_value = "issuer")]
        role: Role,
        /// Tokens the key may act for, comma separated.
        #[arg(long, value_delimiter = ',')]
        tokens: Vec<String>,
    },
    List,
    Revoke {
        id: String,
    },
}

#[derive(Subcommand, Debug)]
enum DlqCommand {
    /// List the dead letters: where each was found, why, and whether it was replayed.
    List,
    /// Decode each dead letter not replayed yet with this version of registrar; append those
    /// that decode now to the log (their token's partition) and mark them replayed. Chain
    /// markers (commits, reverts) are never replayed: they would be stale.
    Replay,
}

#[derive(Subcommand, Debug)]
enum ArchiveCommand {
    /// Rebuild the search index from the archive (the server must be stopped).
    Reindex {
        #[command(flatten)]
        config: ConfigArgs,
    },
}

fn init_tracing(json: bool) {
    // tantivy reports every segment it writes at INFO: registrar's own lines would drown.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> anyhow::Result<ExitCode> {
    limit_malloc_arenas();
    let cli = Cli::parse();
    if let Command::ExtractText { memory_bytes, cpu_seconds, max_text_bytes } = cli.command {
        // No runtime, no threads: the limits apply to this one extraction.
        return extract_text(memory_bytes, cpu_seconds, max_text_bytes);
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(cli_main(cli))
}

/// `registrar extract-text`: limits first, then the document from stdin, its text to stdout.
/// Exit 0 with the text; 1 with the reason on stderr; a limit ends the process with a signal.
fn extract_text(memory_bytes: u64, cpu_seconds: u64, max_text_bytes: usize) -> anyhow::Result<ExitCode> {
    use std::io::{Read, Write};
    rlimit::setrlimit(rlimit::Resource::AS, memory_bytes, memory_bytes).context("cannot limit memory")?;
    rlimit::setrlimit(rlimit::Resource::CPU, cpu_seconds, cpu_seconds + 1).context("cannot limit CPU time")?;
    rlimit::setrlimit(rlimit::Resource::CORE, 0, 0).context("cannot turn off core dumps")?;
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).context("cannot read the document")?;
    match registrar_archive::pdf_text(&bytes, max_text_bytes) {
        Ok(text) => {
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(reason) => {
            eprintln!("{reason}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// glibc gives threads that allocate malloc arenas of their own (up to 8 per core) and keeps the
/// memory freed in them: during a sync, RocksDB's flush and compaction threads and tokio's
/// workers left ~60 MiB of freed memory resident (BENCHMARKS.md). Two arenas keep it down at no
/// measured cost in speed. glibc reads the limit when the process starts only, so the process
/// starts itself again, once, with `MALLOC_ARENA_MAX=2` (same PID, arguments and descriptors);
/// a value already in the environment, the operator's choice, is kept.
fn limit_malloc_arenas() {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
            return;
        }
        let Ok(exe) = std::env::current_exe() else { return };
        let error =
            std::process::Command::new(exe).args(std::env::args_os().skip(1)).env("MALLOC_ARENA_MAX", "2").exec();
        // `exec` returns only when it failed (the binary was replaced on disk, say): go on as is.
        eprintln!("registrar: running with glibc's default malloc arenas: cannot start again with MALLOC_ARENA_MAX=2: {error}");
    }
}

async fn cli_main(cli: Cli) -> anyhow::Result<ExitCode> {
    init_tracing(cli.log_json);
    match cli.command {
        Command::Verify(args) => Ok(match (args.raw, args.file) {
            (Some(raw), _) => verify::raw(raw).report(),
            (None, Some(file)) => verify::file(file, args.content, args.rpc).await.report(),
            (None, None) => {
                verify::Verdict::Malformed("give a proof file, or `inclusion` / `consistency`".into()).report()
            }
        }),
        Command::Merkle(MerkleCommand::Root { hash, proof, consistency, leaf_hashes }) => {
            Ok(verify::merkle_root(&hash, proof, consistency, leaf_hashes))
        }
        Command::Soak(args) => registrar::soak::main(args).await,
        other => run(other).await.map(|()| ExitCode::SUCCESS),
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Verify(_) | Command::Merkle(_) | Command::ExtractText { .. } | Command::Soak(_) => {
            unreachable!("handled before: exit codes of their own")
        }
        Command::Report(args) => registrar::report::run(args).await,
        Command::Disclose(args) => {
            let d = verify::disclose(&args).await?;
            println!("{}", serde_json::to_string_pretty(&d)?);
            Ok(())
        }
        Command::Keys { data_dir, command } => {
            let keys = KeyStore::new(&data_dir);
            match command {
                KeysCommand::Create { name, role, tokens } => {
                    for t in &tokens {
                        registrar_api::parse_token(t)?;
                    }
                    let (key, secret) = keys.create(&name, role, tokens)?;
                    println!("id {}\nsecret {secret}\n(the secret is shown only now)", key.id);
                }
                KeysCommand::List => {
                    for k in keys.list()? {
                        let state = if k.revoked { "revoked" } else { "active" };
                        println!("{} {} {:?} {} [{}]", k.id, k.name, k.role, state, k.tokens.join(","));
                    }
                }
                KeysCommand::Revoke { id } => {
                    keys.revoke(&id)?;
                    println!("revoked {id}");
                }
            }
            Ok(())
        }
        Command::Archive(ArchiveCommand::Reindex { config }) => {
            let config = Config::load(&config)?;
            let archive = node::open_archive(&config, 0, Arc::new(Metrics::default()))?;
            let n = archive.reindex()?;
            println!("indexed {n} disclosures");
            Ok(())
        }
        Command::Run(args) => {
            let config = Config::load(&args)?;
            let mut tasks = Tasks::new();
            node::start(&config, config.ingest_config()?, &mut tasks).await?;
            tasks.run_until(termination_signal(), Duration::from_secs(10)).await
        }
        Command::Ingest(args) => {
            let config = Config::load(&args)?;
            let mut tasks = Tasks::new();
            node::start_ingest(&config, config.ingest_config()?, &mut tasks).await?;
            tasks.run_until(termination_signal(), Duration::from_secs(10)).await
        }
        Command::Serve(args) => {
            let config = Config::load(&args)?;
            anyhow::ensure!(
                config.kafka_settings()?.is_some(),
                "`registrar serve` reads the Kafka log: give --kafka-brokers (or use `registrar run`)"
            );
            let mut tasks = Tasks::new();
            node::start_serve(&config, &mut tasks).await?;
            tasks.run_until(termination_signal(), Duration::from_secs(10)).await
        }
        Command::Dlq { config, command } => {
            let config = Config::load(&config)?;
            let settings =
                config.kafka_settings()?.context("the dead-letter topic is on Kafka: give --kafka-brokers")?;
            let log = registrar_log::kafka::KafkaLog::connect(settings).await?;
            match command {
                DlqCommand::List => dlq::list(&log).await,
                DlqCommand::Replay => dlq::replay(&log).await,
            }
        }
        Command::Demo { listen, activity_every } => demo::run(listen, Duration::from_secs(activity_every)).await,
        Command::Schema => {
            print!("{}", registrar_api::sdl());
            Ok(())
        }
        Command::Digest { data_dir, tables } => {
            let db = StateDb::open(&data_dir.join("state")).context("cannot open the state")?;
            let applied: Vec<String> = db.applied_offsets()?.iter().map(|(p, o)| format!("{p}:{}", o.0)).collect();
            println!("digest={} state={} applied_offsets={}", db.digest()?, db.state_digest()?, applied.join(","));
            if tables {
                for (name, digest, rows) in db.table_digests()? {
                    println!("{name} {digest} rows={rows}");
                }
            }
            Ok(())
        }
        Command::Replay { config, into } => {
            anyhow::ensure!(!into.exists(), "{} exists: replay builds a new state", into.display());
            let config = Config::load(&config)?;
            let log = node::open_log(&config).await?;
            let db = Arc::new(StateDb::open(&into)?);
            let projector = Projector::new(db.clone(), Arc::new(Metrics::default()));
            let report = tokio::task::spawn_blocking(move || bench::replay(log.as_ref(), projector)).await??;
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
