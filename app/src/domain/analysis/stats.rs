//! Small numeric helpers (total: empty input gives `None`, never a panic).

pub(crate) fn mean(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    Some(v.iter().sum::<f64>() / v.len() as f64)
}

/// Sample standard deviation (n − 1); 0 for a single value.
pub(crate) fn std_dev(v: &[f64]) -> Option<f64> {
    let m = mean(v)?;
    if v.len() < 2 {
        return Some(0.0);
    }
    let ss: f64 = v.iter().map(|x| (x - m) * (x - m)).sum();
    Some((ss / (v.len() - 1) as f64).sqrt())
}

/// A positive, finite number.
pub(crate) fn positive(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v > 0.0)
}

/// A non-negative, finite number.
pub(crate) fn non_negative(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v >= 0.0)
}

/// "1 min 40 s", "12 s", "2 h 05 min".
pub(crate) fn duration_words(s: f64) -> String {
    if !s.is_finite() {
        return "?".to_string();
    }
    let s = s.max(0.0);
    if s < 100.0 {
        return format!("{s:.0} s");
    }
    let total = s.round() as u64;
    let (h, m, sec) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else {
        format!("{m} min {sec:02} s")
    }
}

/// Steps/s with sensible precision.
pub(crate) fn rate_words(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.1}")
    } else {
        format!("{r:.2}")
    }
}
