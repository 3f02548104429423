//! Canopy's own SSH identity: one ed25519 key per data directory, generated on
//! first use, kept in a 0600 file. It is attached to instances through the
//! Vast API; the private half never leaves this file (not the database, not a
//! log, not the browser).

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use russh::keys::PrivateKey;

use crate::ssh::{generate_keypair, load_private_key, public_key_line};

pub struct Identity {
    pub key: PrivateKey,
    /// `ssh-ed25519 AAAA… canopy`
    pub public: String,
    pub path: PathBuf,
}

/// Loads `<data_dir>/ssh/canopy_ed25519`, creating it if missing.
pub fn load_or_create(data_dir: &Path) -> Result<Identity, String> {
    let dir = data_dir.join("ssh");
    let path = dir.join("canopy_ed25519");
    if !path.is_file() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let (pem, _) = generate_keypair().map_err(|e| e.to_string())?;
        // create_new: two processes starting at once must not overwrite each
        // other's key (the loser reads the winner's).
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(mut f) => f
                .write_all(pem.expose().as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
        }
    }
    let mode = std::fs::metadata(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(format!(
            "{} is readable by others (mode {:o}); chmod 600 it",
            path.display(),
            mode & 0o777
        ));
    }
    let key = load_private_key(&path).map_err(|e| e.to_string())?;
    let public = public_key_line(key.public_key()).map_err(|e| e.to_string())?;
    Ok(Identity { key, public, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_reused_and_private() {
        let dir = std::env::temp_dir().join(format!("canopy-identity-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = load_or_create(&dir).unwrap();
        let again = load_or_create(&dir).unwrap();
        assert_eq!(first.public, again.public);
        assert!(first.public.starts_with("ssh-ed25519 "));
        let mode = std::fs::metadata(&first.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::set_permissions(&first.path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load_or_create(&dir).err().unwrap().contains("chmod 600"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
