//! Simulated time. Starts at the real wall clock and runs `speed` times faster (boot delays,
//! offer durations and billing all read it); tests can also jump it forward.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A clock in epoch seconds that runs at `speed` × real time plus manual advances.
#[derive(Debug)]
pub struct SimClock {
    inner: Mutex<ClockState>,
}

#[derive(Debug)]
struct ClockState {
    /// Simulated epoch seconds at `anchor`.
    base: f64,
    anchor: Instant,
    speed: f64,
}

impl SimClock {
    /// Starts at the current wall-clock time.
    pub fn new(speed: f64) -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs_f64();
        Self::starting_at(now, speed)
    }

    /// Starts at `epoch_secs` (deterministic tests).
    pub fn starting_at(epoch_secs: f64, speed: f64) -> Self {
        SimClock {
            inner: Mutex::new(ClockState {
                base: epoch_secs,
                anchor: Instant::now(),
                speed: sanitize(speed),
            }),
        }
    }

    /// Simulated now, epoch seconds.
    pub fn now(&self) -> f64 {
        let s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        s.base + s.anchor.elapsed().as_secs_f64() * s.speed
    }

    pub fn speed(&self) -> f64 {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).speed
    }

    /// Changes the speed from now on (time already passed is kept).
    pub fn set_speed(&self, speed: f64) {
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let now = s.base + s.anchor.elapsed().as_secs_f64() * s.speed;
        s.base = now;
        s.anchor = Instant::now();
        s.speed = sanitize(speed);
    }

    /// Jumps simulated time forward.
    pub fn advance(&self, secs: f64) {
        if secs.is_finite() && secs > 0.0 {
            self.inner.lock().unwrap_or_else(|p| p.into_inner()).base += secs;
        }
    }

    /// Real time that `sim_secs` of simulated time takes at the current speed.
    pub fn real_duration(&self, sim_secs: f64) -> Duration {
        let speed = self.speed();
        if speed <= 0.0 || !sim_secs.is_finite() || sim_secs <= 0.0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64((sim_secs / speed).min(1e9))
    }
}

fn sanitize(speed: f64) -> f64 {
    if speed.is_finite() && speed >= 0.0 {
        speed
    } else {
        1.0
    }
}

/// `CANOPY_SIM_SPEED` (e.g. `20` makes boot delays and billing 20× faster); 1.0 if unset
/// or not a non-negative number.
pub fn speed_from_env() -> f64 {
    std::env::var("CANOPY_SIM_SPEED")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|f| f.is_finite() && *f >= 0.0)
        .unwrap_or(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_and_advance() {
        let c = SimClock::starting_at(1000.0, 0.0);
        assert_eq!(c.now(), 1000.0);
        c.advance(30.0);
        assert_eq!(c.now(), 1030.0);
        c.set_speed(1000.0);
        std::thread::sleep(Duration::from_millis(20));
        assert!(c.now() > 1040.0);
        assert!(c.real_duration(1000.0) <= Duration::from_secs(1));
    }
}
