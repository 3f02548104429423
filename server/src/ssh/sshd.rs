//! A harness around Debian's OpenSSH server (`/usr/sbin/sshd`), serving the
//! same sandbox and shims as a [`SimHost`](super::sim_host::SimHost), so the
//! prober's scripts are proven against a real server and login shell.
//!
//! How the sandbox reaches the session: sshd's own `SetEnv` directive sets
//! `PATH=<shims>:…`, `HOME=<sandbox home>` and `CANOPY_SIMULATED_HOST=1` for
//! every session (it is applied after sshd's defaults, so it wins over the
//! login's PATH and HOME). The login shell then runs in the account's home
//! dir (/root); Canopy's scripts `cd "$HOME"` first, which lands in the
//! sandbox. No `~/.ssh/environment`, no PAM, no ForceCommand.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use super::sim_host::Sandbox;

pub const SSHD: &str = "/usr/sbin/sshd";

#[derive(Debug, thiserror::Error)]
pub enum SshdHarnessError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("{0} not installed")]
    Missing(String),
    #[error("sshd did not come up: {0}")]
    NotReady(String),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> SshdHarnessError {
    let what = what.into();
    move |source| SshdHarnessError::Io { what, source }
}

/// A running `sshd -D` on 127.0.0.1:<random port>.
pub struct SshdHarness {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    host_key_line: String,
}

/// Whether this machine can run the harness (sshd and ssh-keygen exist).
pub fn available() -> bool {
    Path::new(SSHD).is_file() && which("ssh-keygen")
}

fn which(bin: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
        .unwrap_or(false)
}

/// A free loopback port (bound, read, released; sshd binds it next).
pub fn free_port() -> Result<u16, SshdHarnessError> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(io("bind probe port"))?;
    l.local_addr().map(|a| a.port()).map_err(io("probe port"))
}

impl SshdHarness {
    /// Start sshd for `sandbox`, accepting `authorized_keys` (OpenSSH public
    /// key lines). Its config, host key and logs live in `dir`.
    pub async fn start(
        dir: &Path,
        sandbox: &Sandbox,
        authorized_keys: &[String],
    ) -> Result<SshdHarness, SshdHarnessError> {
        Self::start_on(dir, sandbox, authorized_keys, None).await
    }

    /// [`SshdHarness::start`] on a port chosen by the caller (who had to
    /// tell it to someone before sshd is up); `None` picks a free one.
    pub async fn start_on(
        dir: &Path,
        sandbox: &Sandbox,
        authorized_keys: &[String],
        port: Option<u16>,
    ) -> Result<SshdHarness, SshdHarnessError> {
        if !Path::new(SSHD).is_file() {
            return Err(SshdHarnessError::Missing(SSHD.into()));
        }
        std::fs::create_dir_all(dir).map_err(io(format!("create {}", dir.display())))?;
        // sshd refuses to start without its privilege-separation dir; Debian's
        // init script creates it the same way.
        std::fs::create_dir_all("/run/sshd").map_err(io("create /run/sshd"))?;
        let key = dir.join("ssh_host_ed25519_key");
        if !key.exists() {
            let out = Command::new("ssh-keygen")
                .args([
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    "canopy-test-host",
                    "-f",
                ])
                .arg(&key)
                .output()
                .await
                .map_err(io("ssh-keygen"))?;
            if !out.status.success() {
                return Err(SshdHarnessError::NotReady(format!(
                    "ssh-keygen: {}",
                    String::from_utf8_lossy(&out.stderr)
                )));
            }
        }
        let host_key_line = std::fs::read_to_string(key.with_extension("pub"))
            .map_err(io("read host public key"))?
            .trim()
            .to_string();
        let ak = dir.join("authorized_keys");
        let mut ak_text = authorized_keys.join("\n");
        ak_text.push('\n');
        std::fs::write(&ak, ak_text).map_err(io("write authorized_keys"))?;
        let log = dir.join("sshd.log");
        let mut last_err = String::new();
        // A port picked by bind-and-release can be taken again before sshd
        // binds it; try a few.
        let tries = if port.is_some() { 1 } else { 5 };
        for _ in 0..tries {
            let port = match port {
                Some(p) => p,
                None => free_port()?,
            };
            let conf = dir.join("sshd_config");
            // SetEnv values are separated by spaces, so the sandbox paths
            // must not contain any; the test dirs never do.
            let cfg = format!(
                "Port {port}\n\
                 ListenAddress 127.0.0.1\n\
                 HostKey {key}\n\
                 PidFile {pid}\n\
                 AuthorizedKeysFile {ak}\n\
                 PermitRootLogin yes\n\
                 PubkeyAuthentication yes\n\
                 PasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\n\
                 UsePAM no\n\
                 StrictModes no\n\
                 PrintMotd no\n\
                 PrintLastLog no\n\
                 X11Forwarding no\n\
                 AllowTcpForwarding no\n\
                 MaxSessions 64\n\
                 MaxStartups 64\n\
                 LogLevel ERROR\n\
                 SetEnv PATH={path} HOME={home} CANOPY_SIMULATED_HOST=1\n",
                key = key.display(),
                pid = dir.join("sshd.pid").display(),
                ak = ak.display(),
                path = sandbox.path_env(),
                home = sandbox.home.display(),
            );
            std::fs::write(&conf, cfg).map_err(io("write sshd_config"))?;
            let logf = std::fs::File::create(&log).map_err(io("create sshd.log"))?;
            let mut child = Command::new(SSHD)
                .arg("-D")
                .arg("-e")
                .arg("-f")
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::from(logf))
                .kill_on_drop(true)
                .spawn()
                .map_err(io("spawn sshd"))?;
            // Ready when the port answers with an SSH banner.
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            loop {
                if let Ok(Some(st)) = child.try_wait() {
                    last_err = format!(
                        "exited {st}: {}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                    break;
                }
                if let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
                    use tokio::io::AsyncReadExt;
                    let mut b = [0u8; 4];
                    if let Ok(Ok(4)) =
                        tokio::time::timeout(Duration::from_secs(2), s.read_exact(&mut b)).await
                        && &b == b"SSH-"
                    {
                        return Ok(SshdHarness {
                            child: Some(child),
                            port,
                            dir: dir.to_path_buf(),
                            host_key_line,
                        });
                    }
                }
                if tokio::time::Instant::now() > deadline {
                    last_err = "no banner within 10 s".into();
                    let _ = child.kill().await;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Err(SshdHarnessError::NotReady(last_err))
    }

    /// Replace the accepted keys (sshd reads the file at every login).
    pub fn set_authorized_keys(dir: &Path, keys: &[String]) -> Result<(), SshdHarnessError> {
        let mut text = keys.join("\n");
        text.push('\n');
        std::fs::write(dir.join("authorized_keys"), text).map_err(io("write authorized_keys"))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn host_public_key(&self) -> &str {
        &self.host_key_line
    }

    /// sshd's own log (errors only).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }

    pub async fn stop(mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill().await;
            let _ = c.wait().await;
        }
    }
}

impl Drop for SshdHarness {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.start_kill();
        }
    }
}
