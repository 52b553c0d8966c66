//! Named critical tasks and the shutdown they share (after reth's task manager and
//! mini-redis's shutdown): a task that fails or panics stops the whole process, and on shutdown
//! every task gets the signal and a deadline to drain.

use std::{future::Future, time::Duration};

use anyhow::anyhow;
use tokio::{sync::watch, task::JoinSet};
use tracing::{error, info, warn};

/// The running tasks of a process.
pub struct Tasks {
    shutdown: watch::Sender<bool>,
    set: JoinSet<(&'static str, anyhow::Result<()>)>,
}

impl Default for Tasks {
    fn default() -> Self {
        Self::new()
    }
}

impl Tasks {
    pub fn new() -> Self {
        let (shutdown, _) = watch::channel(false);
        Tasks { shutdown, set: JoinSet::new() }
    }

    /// A receiver that turns `true` when the process shuts down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// A future that completes when the process shuts down.
    pub fn shutdown_future(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.shutdown.subscribe();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    }

    pub fn spawn(&mut self, name: &'static str, fut: impl Future<Output = anyhow::Result<()>> + Send + 'static) {
        self.set.spawn(async move { (name, fut.await) });
    }

    /// A blocking task on a thread of its own.
    pub fn spawn_blocking(&mut self, name: &'static str, f: impl FnOnce() -> anyhow::Result<()> + Send + 'static) {
        self.set.spawn_blocking(move || (name, f()));
    }

    /// Runs until `stop` completes or a task fails; then signals shutdown and waits up to
    /// `drain` for every task. A task that ends with `Ok` leaves the others running.
    pub async fn run_until(mut self, stop: impl Future<Output = ()>, drain: Duration) -> anyhow::Result<()> {
        tokio::pin!(stop);
        let mut failure = None;
        loop {
            tokio::select! {
                _ = &mut stop => {
                    info!("shutdown requested");
                    break;
                }
                joined = self.set.join_next() => match joined {
                    None => break,
                    Some(Ok((name, Ok(())))) => info!(task = name, "task finished"),
                    Some(Ok((name, Err(e)))) => {
                        error!(task = name, error = %format!("{e:#}"), "critical task failed, shutting down");
                        failure = Some(e.context(format!("task {name} failed")));
                        break;
                    }
                    Some(Err(e)) => {
                        error!(error = %e, "critical task panicked, shutting down");
                        failure = Some(anyhow!("a task panicked: {e}"));
                        break;
                    }
                },
            }
        }
        self.shutdown.send_replace(true);
        let drained = tokio::time::timeout(drain, async {
            while let Some(joined) = self.set.join_next().await {
                match joined {
                    Ok((name, Ok(()))) => info!(task = name, "task stopped"),
                    Ok((name, Err(e))) => warn!(task = name, error = %format!("{e:#}"), "task failed while stopping"),
                    Err(e) => warn!(error = %e, "task panicked while stopping"),
                }
            }
        })
        .await;
        if drained.is_err() {
            warn!(deadline = ?drain, "tasks did not stop in time, aborting them");
            self.set.abort_all();
        }
        failure.map_or(Ok(()), Err)
    }
}

/// Tasks dropped without [`Tasks::run_until`] (a start that failed half-way, after the
/// projector's thread was started) are told to stop: a blocking task would otherwise keep the
/// process alive after `main` returned its error.
impl Drop for Tasks {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn termination_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("install SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
