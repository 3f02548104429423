//! Client keys and host-key pinning.
//!
//! Canopy authenticates with one ed25519 key: the user's own (`~/.ssh`) or
//! one it generates. Hosts are pinned per instance on first contact (trust on
//! first use, like `StrictHostKeyChecking=accept-new`): a rented box gets a
//! fresh key per instance, so a known_hosts file keyed by address would be
//! wrong both ways (ports are reused across instances).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use russh::keys::ssh_key::LineEnding;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{HashAlg, PrivateKey, PublicKey};

use crate::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read key file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("not a usable private key ({0}); encrypted keys are not supported")]
    Parse(String),
    #[error("no ed25519 key in {0} (looked for id_ed25519)")]
    NotFound(PathBuf),
    #[error("random source unavailable: {0}")]
    Random(std::io::Error),
    #[error("cannot encode key: {0}")]
    Encode(String),
}

/// A new ed25519 key pair: (private key in OpenSSH PEM format, public key
/// as an `authorized_keys` line `ssh-ed25519 AAAA… canopy`).
pub fn generate_keypair() -> Result<(Secret, String), KeyError> {
    // The kernel's CSPRNG directly: avoids pulling a second RNG crate next to
    // the one russh already links, and keeps the seed out of any allocator
    // beyond this stack array.
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .map_err(KeyError::Random)?;
    let mut key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    seed.fill(0);
    key.set_comment("canopy");
    let pem = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| KeyError::Encode(e.to_string()))?;
    let public = public_key_line(key.public_key())?;
    Ok((Secret::new(pem.as_str()), public))
}

/// `ssh-ed25519 AAAA… comment` for a public key.
pub fn public_key_line(key: &PublicKey) -> Result<String, KeyError> {
    key.to_openssh()
        .map_err(|e| KeyError::Encode(e.to_string()))
}

/// Parse an unencrypted OpenSSH (or PKCS#8) private key.
pub fn parse_private_key(pem: &Secret) -> Result<PrivateKey, KeyError> {
    russh::keys::decode_secret_key(pem.expose(), None).map_err(|e| KeyError::Parse(e.to_string()))
}

/// Load a private key file.
pub fn load_private_key(path: &Path) -> Result<PrivateKey, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_private_key(&Secret::new(text))
}

/// `~/.ssh/id_ed25519` (the only default Canopy picks up on its own).
pub fn default_key_path(home: &Path) -> Result<PathBuf, KeyError> {
    let p = home.join(".ssh").join("id_ed25519");
    if p.is_file() {
        Ok(p)
    } else {
        Err(KeyError::NotFound(home.join(".ssh")))
    }
}

/// SHA256 fingerprint as OpenSSH prints it (`SHA256:…`).
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Outcome of checking a host key against the pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinCheck {
    /// First contact: the key is now pinned.
    PinnedNow,
    /// Same key as before.
    Matches,
    /// A different key than the pinned one: refuse (possible MITM, or the
    /// instance was rebuilt; a person has to clear the pin).
    Changed { pinned: String, offered: String },
}

/// Where pinned host keys live. Keys are compared as OpenSSH public key
/// lines without comment (`ssh-ed25519 AAAA…`). Synchronous on purpose: it
/// runs inside the SSH handshake; a persistent store keeps a cache here and
/// writes through in the background (see [`MemoryPins::snapshot`]).
pub trait HostKeyPins: Send + Sync {
    fn check_or_pin(&self, host_id: &str, offered: &str) -> PinCheck;
    /// Forget a pin (the user confirmed the instance was rebuilt).
    fn forget(&self, host_id: &str);
}

/// In-memory pins; `snapshot` / `from_pins` let the server persist them.
#[derive(Debug, Default)]
pub struct MemoryPins {
    pins: Mutex<HashMap<String, String>>,
}

impl MemoryPins {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_pins(pins: HashMap<String, String>) -> Self {
        Self {
            pins: Mutex::new(pins),
        }
    }

    pub fn snapshot(&self) -> HashMap<String, String> {
        self.pins.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub fn get(&self, host_id: &str) -> Option<String> {
        self.pins.lock().ok().and_then(|m| m.get(host_id).cloned())
    }
}

impl HostKeyPins for MemoryPins {
    fn check_or_pin(&self, host_id: &str, offered: &str) -> PinCheck {
        // A poisoned lock means another thread panicked mid-update; the map
        // itself is still a consistent HashMap, so keep using it.
        let mut m = match self.pins.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        match m.get(host_id) {
            None => {
                m.insert(host_id.to_string(), offered.to_string());
                PinCheck::PinnedNow
            }
            Some(p) if p == offered => PinCheck::Matches,
            Some(p) => PinCheck::Changed {
                pinned: p.clone(),
                offered: offered.to_string(),
            },
        }
    }

    fn forget(&self, host_id: &str) {
        if let Ok(mut m) = self.pins.lock() {
            m.remove(host_id);
        }
    }
}

/// The comparable form of a public key: algorithm and base64, no comment.
pub fn key_identity(key: &PublicKey) -> String {
    let mut k = key.clone();
    k.set_comment("");
    k.to_openssh()
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| fingerprint(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_round_trips_and_never_prints() {
        let (pem, public) = generate_keypair().expect("keygen");
        assert!(
            pem.expose()
                .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
        );
        assert!(!format!("{pem:?}").contains("BEGIN"));
        assert!(public.starts_with("ssh-ed25519 AAAA"), "{public}");
        let key = parse_private_key(&pem).expect("parses back");
        assert_eq!(public_key_line(key.public_key()).expect("line"), public);
        let (other, _) = generate_keypair().expect("keygen");
        assert_ne!(pem.expose(), other.expose(), "fresh randomness");
        // ssh-keygen agrees the public line is valid.
        let dir = std::env::temp_dir().join(format!("canopy-keytest-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let pubfile = dir.join("k.pub");
        std::fs::write(&pubfile, format!("{public}\n")).expect("write");
        if let Ok(out) = std::process::Command::new("ssh-keygen")
            .arg("-l")
            .arg("-f")
            .arg(&pubfile)
            .output()
        {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains(&fingerprint(key.public_key())), "{text}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn garbage_key_is_an_error() {
        assert!(parse_private_key(&Secret::new("not a key")).is_err());
        assert!(load_private_key(Path::new("/nonexistent/key")).is_err());
        assert!(default_key_path(Path::new("/nonexistent")).is_err());
    }

    #[test]
    fn pins_trust_first_then_refuse_change() {
        let pins = MemoryPins::new();
        assert_eq!(
            pins.check_or_pin("i1", "ssh-ed25519 AAA"),
            PinCheck::PinnedNow
        );
        assert_eq!(
            pins.check_or_pin("i1", "ssh-ed25519 AAA"),
            PinCheck::Matches
        );
        assert!(matches!(
            pins.check_or_pin("i1", "ssh-ed25519 BBB"),
            PinCheck::Changed { .. }
        ));
        // Other instances are independent.
        assert_eq!(
            pins.check_or_pin("i2", "ssh-ed25519 BBB"),
            PinCheck::PinnedNow
        );
        pins.forget("i1");
        assert_eq!(
            pins.check_or_pin("i1", "ssh-ed25519 BBB"),
            PinCheck::PinnedNow
        );
        let restored = MemoryPins::from_pins(pins.snapshot());
        assert_eq!(
            restored.check_or_pin("i2", "ssh-ed25519 BBB"),
            PinCheck::Matches
        );
    }
}
