//! Live updates: the watcher publishes a run's id after every check; open
//! pages (SSE) re-read the run and send it. A lagging subscriber only misses
//! intermediate states, never the latest one (it re-reads on the next id).

use tokio::sync::broadcast;

#[derive(Clone)]
pub struct RunBus {
    tx: broadcast::Sender<i64>,
}

impl Default for RunBus {
    fn default() -> Self {
        Self::new()
    }
}

impl RunBus {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx }
    }

    /// Run `id` changed.
    pub fn publish(&self, id: i64) {
        // No subscriber is fine: nobody is looking.
        let _ = self.tx.send(id);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.tx.subscribe()
    }
}
