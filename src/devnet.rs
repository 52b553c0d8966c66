//! A local anvil, started on a free loopback port and stopped (by PID) when dropped.

use std::{
    net::TcpListener,
    path::PathBuf,
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
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(ANVIL_NPM_PATH);
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
