//! Starts one watcher per run this server leases: runs it launches, and runs
//! whose lease expired (their server crashed or stopped) — so a restarted or
//! second server resumes them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::task::AbortHandle;

use super::RunsRuntime;
use super::watcher;

#[derive(Clone)]
pub struct Supervisor {
    rt: Arc<RunsRuntime>,
    /// Runs created by actions, to watch at once (taken by `spawn`).
    adopt: Arc<Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<i64>>>>,
    /// Watcher tasks by run id.
    watching: Arc<Mutex<HashMap<i64, AbortHandle>>>,
}

impl Supervisor {
    pub fn new(rt: Arc<RunsRuntime>, adopt: tokio::sync::mpsc::UnboundedReceiver<i64>) -> Self {
        Supervisor {
            rt,
            adopt: Arc::new(Mutex::new(Some(adopt))),
            watching: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Looks for orphaned runs now and then every `supervise_every`, until
    /// the runtime is dropped with the task.
    pub fn spawn(&self) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        let mut adopt = self.adopt.lock().unwrap_or_else(|e| e.into_inner()).take();
        tokio::spawn(async move {
            loop {
                me.adopt_orphans().await;
                let pause = tokio::time::sleep(me.rt.cfg.supervise_every);
                match adopt.as_mut() {
                    Some(rx) => tokio::select! {
                        () = pause => {}
                        Some(id) = rx.recv() => {
                            me.watch_new(id).await;
                        }
                    },
                    None => pause.await,
                }
            }
        })
    }

    async fn adopt_orphans(&self) {
        match self
            .rt
            .repo
            .claim_expired(&self.rt.holder, self.rt.cfg.lease_ttl, 100)
            .await
        {
            Ok(ids) => {
                for id in ids {
                    tracing::info!(run_id = id, "taking over a run whose watcher went away");
                    self.start(id);
                }
            }
            Err(e) => tracing::warn!("cannot look for orphaned runs: {e}"),
        }
    }

    /// Takes the run's lease and starts its watcher (once per run).
    pub async fn watch_new(&self, run_id: i64) -> bool {
        match self
            .rt
            .repo
            .try_acquire(run_id, &self.rt.holder, self.rt.cfg.lease_ttl)
            .await
        {
            Ok(true) => {
                self.start(run_id);
                true
            }
            Ok(false) => false,
            Err(e) => {
                tracing::warn!(run_id, "cannot take the lease: {e}");
                false
            }
        }
    }

    fn start(&self, run_id: i64) {
        let mut watching = self.watching.lock().unwrap_or_else(|e| e.into_inner());
        if watching.contains_key(&run_id) {
            return;
        }
        let rt = self.rt.clone();
        let registry = self.watching.clone();
        let task = tokio::spawn(async move {
            watcher::watch(rt, run_id).await;
            registry
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&run_id);
        });
        watching.insert(run_id, task.abort_handle());
    }

    /// Stops every watcher of this server and gives their leases up, so
    /// another server (or this one restarted) takes the runs over at once.
    /// The runs themselves go on: their instances keep running.
    pub async fn shutdown(&self) {
        let tasks: Vec<(i64, AbortHandle)> = self
            .watching
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .collect();
        for (run_id, task) in tasks {
            task.abort();
            let _ = self.rt.repo.release(run_id, &self.rt.holder).await;
        }
    }
}
