//! Errors of the Vast client, worded so a person knows what to do next.

use std::time::Duration;

/// Everything that can go wrong talking to Vast (or the simulator).
#[derive(Debug, thiserror::Error)]
pub enum VastError {
    /// No key configured for an endpoint that needs one.
    #[error(
        "no Vast API key configured: set VAST_API_KEY (or log in with the vastai CLI) to use this endpoint"
    )]
    MissingApiKey,

    /// HTTP 401: the key was refused.
    #[error(
        "Vast rejected the API key (HTTP 401: {msg}); check VAST_API_KEY — the key may be revoked, mistyped or a restricted key"
    )]
    Unauthorized { msg: String },

    /// HTTP 403: the key is valid but may not do this.
    #[error(
        "Vast refused the request (HTTP 403 {code}: {msg}); the API key lacks permission for it"
    )]
    Forbidden { code: String, msg: String },

    /// The offer/instance/key does not exist (any more). `what` names it, e.g. `instance 42`.
    #[error(
        "{what} not found on Vast ({code}: {msg}); it may have been rented by someone else or destroyed"
    )]
    NotFound {
        what: String,
        code: String,
        msg: String,
    },

    /// HTTP 429 that the retry policy gave up on. `retry_after` is the server's hint if any.
    #[error("Vast is rate limiting requests (HTTP 429: {msg}){}", fmt_retry(*.retry_after))]
    RateLimited {
        retry_after: Option<Duration>,
        msg: String,
    },

    /// The daily search quota is used up; not retried (API.md §1).
    #[error("Vast daily search quota exceeded ({msg}); searches resume at {}", fmt_reset(*.resets_at))]
    SearchQuotaExceeded { resets_at: Option<u64>, msg: String },

    /// A 4xx that is the caller's fault (bad arguments, label too long, ...).
    #[error("Vast rejected the request (HTTP {status} {code}: {msg})")]
    BadRequest {
        status: u16,
        code: String,
        msg: String,
    },

    /// 5xx after all retries.
    #[error(
        "Vast server error (HTTP {status}: {msg}); this is on Vast's side — try again in a minute"
    )]
    Server { status: u16, msg: String },

    /// HTTP 200 but `{"success": false, ...}`.
    #[error("Vast did not do it: {code}: {msg}")]
    Refused { code: String, msg: String },

    /// Could not connect / the connection broke, after all retries.
    #[error("could not reach Vast at {url}: {detail}; check the network or the base URL")]
    Connection { url: String, detail: String },

    /// The request timed out, after all retries.
    #[error("Vast did not answer in time ({url}); the service may be overloaded")]
    Timeout { url: String },

    /// The reply was not what the API promises (not JSON, missing keys, wrong types).
    #[error("malformed response from Vast for {context}: {detail}")]
    Malformed { context: String, detail: String },

    /// Client-side misconfiguration (bad base URL, ...).
    #[error("invalid Vast client configuration: {0}")]
    Config(String),
}

impl VastError {
    /// True when the request may or may not have taken effect on the server (timeouts,
    /// broken connections after sending, 5xx). Non-idempotent calls (create) must check
    /// the server's state before trying again.
    pub fn is_ambiguous(&self) -> bool {
        matches!(
            self,
            VastError::Timeout { .. } | VastError::Connection { .. } | VastError::Server { .. }
        )
    }

    /// True for errors that a later retry may fix.
    pub fn is_transient(&self) -> bool {
        self.is_ambiguous() || matches!(self, VastError::RateLimited { .. })
    }
}

fn fmt_retry(d: Option<Duration>) -> String {
    match d {
        Some(d) => format!("; retry after {} s", d.as_secs_f64().ceil() as u64),
        None => "; wait a little and try again".to_string(),
    }
}

fn fmt_reset(t: Option<u64>) -> String {
    match t {
        Some(t) => utc_minute(t),
        None => "the next UTC midnight".to_string(),
    }
}

/// `YYYY-MM-DD HH:MM UTC` for a unix time (the CLI's quota message format).
pub fn utc_minute(unix: u64) -> String {
    let (y, mo, d, h, mi, _) = civil(unix);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
}

/// (year, month, day, hour, minute, second) of a unix time, UTC.
pub(crate) fn civil(unix: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's days-from-civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        m,
        d,
        (secs / 3600) as u32,
        ((secs % 3600) / 60) as u32,
        (secs % 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        // 2026-11-28 19:11:00 UTC
        assert_eq!(utc_minute(1_795_893_060), "2026-11-28 19:11 UTC");
        assert_eq!(utc_minute(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn messages_are_actionable() {
        let e = VastError::RateLimited {
            retry_after: Some(Duration::from_secs(90)),
            msg: "too frequent".into(),
        };
        assert!(e.to_string().contains("retry after 90 s"));
        let e = VastError::SearchQuotaExceeded {
            resets_at: Some(0),
            msg: "Daily search quota exceeded".into(),
        };
        assert!(e.to_string().contains("1970-01-01 00:00 UTC"));
        assert!(VastError::Timeout { url: "x".into() }.is_ambiguous());
    }
}
