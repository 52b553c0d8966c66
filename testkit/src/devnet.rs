//! A local anvil and a local Kafka broker (tansu), each started on a free loopback port and
//! stopped (by PID) when dropped.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};

/// Where `make setup` (npm) installs anvil, relative to the repository.
pub const ANVIL_NPM_PATH: &str = "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

/// Finds anvil: `$REGISTRAR_ANVIL`, the npm package in the repository, or `anvil` on `PATH`.
pub fn anvil_binary() -> PathBuf {
    if let Ok(p) = std::env::var("REGISTRAR_ANVIL") {
        return PathBuf::from(p);
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(ANVIL_NPM_PATH);
    if repo.exists() {
        return repo;
    }
    let cwd = PathBuf::from(ANVIL_NPM_PATH);
    if cwd.exists() {
        return cwd;
    }
    PathBuf::from("anvil")
}

/// A free TCP port on loopback (bound, then released).
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running anvil.
pub struct Anvil {
    child: Child,
    pub port: u16,
}

impl Anvil {
    /// Starts anvil with `extra` arguments and waits until it answers. A port taken between
    /// picking and binding it is retried on another.
    pub fn spawn(extra: &[&str]) -> anyhow::Result<Anvil> {
        let mut last_error = None;
        for _ in 0..5 {
            match Self::spawn_once(extra) {
                Ok(anvil) => return Ok(anvil),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.expect("at least one attempt"))
    }

    fn spawn_once(extra: &[&str]) -> anyhow::Result<Anvil> {
        let port = free_port()?;
        let binary = anvil_binary();
        let child = Command::new(&binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--accounts", "60"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start anvil at {} (run `make setup`)", binary.display()))?;
        let mut anvil = Anvil { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = anvil.child.try_wait()? {
                bail!("anvil exited at start: {status}");
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                // The port answers; make sure it is this anvil, not a process that took the port.
                std::thread::sleep(Duration::from_millis(50));
                if anvil.child.try_wait()?.is_none() {
                    return Ok(anvil);
                }
                bail!("anvil exited at start: port {port} taken");
            }
            if Instant::now() > deadline {
                bail!("anvil did not listen on port {port} within 30 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Finds tansu: `$REGISTRAR_TANSU`, `~/.cargo/bin/tansu` (where `make setup` installs it), or
/// `tansu` on `PATH`.
pub fn tansu_binary() -> PathBuf {
    if let Ok(p) = std::env::var("REGISTRAR_TANSU") {
        return PathBuf::from(p);
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let cargo = Path::new(&home).join(".cargo/bin/tansu");
    if cargo.exists() {
        cargo
    } else {
        PathBuf::from("tansu")
    }
}

/// A running tansu broker keeping its data in `dir/tansu.db` (SQLite), so a restart on the same
/// directory and port finds the topics and records again. Its log is `dir/tansu.log`.
pub struct Tansu {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl Tansu {
    /// Starts a broker on `port` (a free one if `None`) and waits until it listens.
    pub fn spawn(dir: &Path, port: Option<u16>) -> anyhow::Result<Tansu> {
        Self::spawn_with_storage(dir, port, "sqlite://tansu.db")
    }

    /// [`Tansu::spawn`] with another `--storage-engine` (e.g. `memory://tansu/`: nothing kept).
    pub fn spawn_with_storage(dir: &Path, port: Option<u16>, storage: &str) -> anyhow::Result<Tansu> {
        let port = match port {
            Some(p) => p,
            None => free_port()?,
        };
        let url = format!("tcp://127.0.0.1:{port}");
        let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("tansu.log"))?;
        let binary = tansu_binary();
        let child = Command::new(&binary)
            .current_dir(dir)
            .args(["broker", "--listener-url", &url, "--advertised-listener-url", &url])
            .args(["--storage-engine", storage])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start tansu at {} (run `make setup`)", binary.display()))?;
        let mut broker = Tansu { child, port, dir: dir.to_path_buf() };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = broker.child.try_wait()? {
                bail!("tansu exited with {status}: {}", broker.log());
            }
            if Instant::now() > deadline {
                bail!("tansu did not listen on port {port} within 30 s: {}", broker.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(broker)
    }

    /// The broker's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("tansu.log")).unwrap_or_default()
    }

    /// `host:port` for `--kafka-brokers`.
    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// SIGTERM, then SIGKILL if it has not ended within ten seconds.
    pub fn stop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill();
    }

    /// SIGKILL, and waits for the process to end.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Tansu {
    fn drop(&mut self) {
        self.kill();
    }
}
