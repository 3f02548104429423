//! A private PostgreSQL cluster that Canopy starts itself, so `make run` needs no
//! database set-up: `initdb` once, then `postgres` as a child process on a unix
//! socket only (no TCP port to collide with), stopped with the server.
//!
//! PostgreSQL refuses to run as root, so as root the cluster runs as the
//! unprivileged `postgres` user (created by Debian's postgresql package).

use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{OnceLock, mpsc};
use std::time::{Duration, Instant};

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// The socket file is `.s.PGSQL.<port>`; with no TCP listener the port only names it.
const SOCKET_PORT: u16 = 5432;
/// The role `initdb` creates; trust auth is safe because only the socket exists,
/// inside a directory only the cluster's owner can enter.
const SUPERUSER: &str = "canopy";
/// Unix socket paths must fit in `sun_path` (108 bytes with the file name).
const MAX_SOCKET_DIR_LEN: usize = 90;
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "PostgreSQL server programs not found (looked for initdb and postgres in /usr/lib/postgresql/*/bin and on PATH): install them with `sudo apt-get install -y postgresql`, or set DATABASE_URL"
    )]
    BinariesNotFound,
    #[error(
        "cannot use data directory {path}: {reason}; set CANOPY_DATA_DIR to a writable directory"
    )]
    DataDir { path: PathBuf, reason: String },
    #[error(
        "running as root, Canopy needs the unprivileged `postgres` user to own its private database (PostgreSQL refuses root): install postgresql (`apt-get install -y postgresql`), run Canopy as a normal user, or set DATABASE_URL"
    )]
    NoUnprivilegedUser,
    #[error("initdb failed in {path}: {output}")]
    Initdb { path: PathBuf, output: String },
    #[error("the private PostgreSQL did not start: {reason} (log: {log})")]
    Start { reason: String, log: PathBuf },
}

/// True when this process runs as root.
pub fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// A running private cluster. Dropping it stops the server it started.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    socket_dir: PathBuf,
    log_path: PathBuf,
    /// `None` when another Canopy process already runs this cluster: we use it
    /// but leave it running.
    child: Option<Child>,
}

#[derive(Clone, Copy, Debug)]
struct RunAs {
    uid: libc::uid_t,
    gid: libc::gid_t,
}

impl EmbeddedPostgres {
    /// Starts (initialising on first use) the cluster under `root`, or reuses
    /// the one already running there.
    pub async fn start(root: &Path) -> Result<Self, EmbeddedError> {
        let root = root.to_path_buf();
        tokio::task::spawn_blocking(move || Self::start_blocking(&root))
            .await
            .map_err(|e| EmbeddedError::Start {
                reason: format!("start-up task failed: {e}"),
                log: PathBuf::new(),
            })?
    }

    fn start_blocking(root: &Path) -> Result<Self, EmbeddedError> {
        let bin_dir = find_bin_dir().ok_or(EmbeddedError::BinariesNotFound)?;
        let run_as = if running_as_root() {
            Some(postgres_user().ok_or(EmbeddedError::NoUnprivilegedUser)?)
        } else {
            None
        };
        let data_dir_error = |reason: String| EmbeddedError::DataDir {
            path: root.to_path_buf(),
            reason,
        };
        fs::create_dir_all(root).map_err(|e| data_dir_error(e.to_string()))?;
        probe_writable(root).map_err(|e| data_dir_error(format!("not writable ({e})")))?;
        let root = root
            .canonicalize()
            .map_err(|e| data_dir_error(e.to_string()))?;

        let pgdata = root.join("postgres");
        let socket_dir = socket_dir_for(&root);
        let log_path = root.join("postgres.log");
        for dir in [&pgdata, &socket_dir] {
            prepare_private_dir(dir, run_as).map_err(|e| EmbeddedError::DataDir {
                path: dir.clone(),
                reason: e.to_string(),
            })?;
        }

        if !pgdata.join("PG_VERSION").exists() {
            init_cluster(&bin_dir, &pgdata, &root, run_as)?;
        }

        let mut cluster = Self {
            socket_dir,
            log_path,
            child: None,
        };
        if cluster.socket_file().exists() && cluster.answers_blocking() {
            tracing::info!(data = %pgdata.display(), "reusing the private PostgreSQL already running");
            return Ok(cluster);
        }

        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&cluster.log_path)
            .map_err(|e| EmbeddedError::DataDir {
                path: cluster.log_path.clone(),
                reason: e.to_string(),
            })?;
        let log_start = log.metadata().map(|m| m.len()).unwrap_or(0);
        let mut cmd = Command::new(bin_dir.join("postgres"));
        cmd.arg("-D")
            .arg(&pgdata)
            .arg("-k")
            .arg(&cluster.socket_dir)
            .args(["-p", &SOCKET_PORT.to_string()])
            .args(["-c", "listen_addresses="])
            .args(["-c", "unix_socket_permissions=0700"])
            .args(["-c", "max_connections=200"])
            .current_dir(&root)
            .stdin(Stdio::null())
            .stdout(
                log.try_clone()
                    .map_err(|e| start_error(e.to_string(), &cluster.log_path))?,
            )
            .stderr(log);
        let child = spawn_tied_to_process(cmd, run_as)
            .map_err(|e| start_error(format!("cannot run postgres: {e}"), &cluster.log_path))?;
        cluster.child = Some(child);
        tracing::info!(data = %pgdata.display(), "starting the private PostgreSQL");

        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(child) = cluster.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                cluster.child = None;
                let tail = log_tail(&cluster.log_path, log_start);
                return Err(start_error(
                    format!("postgres exited ({status}): {tail}"),
                    &cluster.log_path,
                ));
            }
            if cluster.socket_file().exists() && cluster.answers_blocking() {
                return Ok(cluster);
            }
            if Instant::now() > deadline {
                let tail = log_tail(&cluster.log_path, log_start);
                return Err(start_error(
                    format!("not ready after {}s: {tail}", START_TIMEOUT.as_secs()),
                    &cluster.log_path,
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Options to connect to `database` over the private socket.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(SOCKET_PORT)
            .username(SUPERUSER)
            .database(database)
    }

    /// Creates `database` if it does not exist (names are Canopy's own, never user input).
    pub async fn ensure_database(&self, database: &str) -> Result<(), super::DbError> {
        let mut conn = self
            .connect_options("postgres")
            .connect()
            .await
            .map_err(|source| super::DbError::Connect {
                target: format!("private cluster at {}", self.socket_dir.display()),
                source,
            })?;
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(database)
                .fetch_optional(&mut conn)
                .await?;
        if exists.is_none() {
            let quoted = database.replace('"', "\"\"");
            // The name is quoted as an identifier and comes from Canopy, not a user.
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{quoted}\"")))
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }

    /// Stops the server if this process started it (fast shutdown, then kill).
    pub async fn stop(mut self) {
        if let Some(child) = self.child.take() {
            let _ = tokio::task::spawn_blocking(move || stop_child(child)).await;
        }
    }

    fn socket_file(&self) -> PathBuf {
        self.socket_dir.join(format!(".s.PGSQL.{SOCKET_PORT}"))
    }

    fn answers_blocking(&self) -> bool {
        let options = self.connect_options("postgres");
        let check = async move {
            match tokio::time::timeout(Duration::from_secs(2), options.connect()).await {
                Ok(Ok(conn)) => {
                    let _ = conn.close().await;
                    true
                }
                _ => false,
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => handle.block_on(check),
            Err(_) => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| rt.block_on(check))
                .unwrap_or(false),
        }
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            stop_child(child);
        }
    }
}

fn start_error(reason: String, log: &Path) -> EmbeddedError {
    EmbeddedError::Start {
        reason,
        log: log.to_path_buf(),
    }
}

/// SIGINT is PostgreSQL's "fast shutdown": roll back, disconnect, checkpoint.
fn stop_child(mut child: Child) {
    let Ok(pid) = libc::pid_t::try_from(child.id()) else {
        let _ = child.kill();
        return;
    };
    // SAFETY: plain kill(2) on our own child's pid.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The newest `/usr/lib/postgresql/<N>/bin`, else a PATH entry that has both
/// `initdb` and `postgres` (symlinks resolved, so the set comes from one install).
fn find_bin_dir() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_both(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        let initdb = dir.join("initdb").canonicalize().ok()?;
        let real_dir = initdb.parent()?.to_path_buf();
        has_both(&real_dir).then_some(real_dir)
    })
}

fn postgres_user() -> Option<RunAs> {
    let name = c"postgres";
    // SAFETY: getpwnam with a valid C string; we copy the two fields out at once.
    unsafe {
        let pw = libc::getpwnam(name.as_ptr());
        if pw.is_null() {
            None
        } else {
            Some(RunAs {
                uid: (*pw).pw_uid,
                gid: (*pw).pw_gid,
            })
        }
    }
}

fn probe_writable(dir: &Path) -> io::Result<()> {
    let probe = dir.join(".canopy-write-probe");
    fs::write(&probe, b"ok")?;
    fs::remove_file(&probe)
}

/// A short socket directory: `<root>/run`, or one under /tmp when that path is
/// too long for a unix socket.
fn socket_dir_for(root: &Path) -> PathBuf {
    let preferred = root.join("run");
    if preferred.as_os_str().len() <= MAX_SOCKET_DIR_LEN {
        return preferred;
    }
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    root.hash(&mut hasher);
    std::env::temp_dir().join(format!("canopy-pg-{:016x}", hasher.finish()))
}

fn prepare_private_dir(dir: &Path, run_as: Option<RunAs>) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    if let Some(user) = run_as {
        std::os::unix::fs::chown(dir, Some(user.uid), Some(user.gid))?;
    }
    Ok(())
}

fn init_cluster(
    bin_dir: &Path,
    pgdata: &Path,
    root: &Path,
    run_as: Option<RunAs>,
) -> Result<(), EmbeddedError> {
    tracing::info!(data = %pgdata.display(), "creating the private PostgreSQL cluster (first run)");
    let mut cmd = Command::new(bin_dir.join("initdb"));
    cmd.arg("-D")
        .arg(pgdata)
        .args([
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        ])
        .arg("--no-instructions")
        .current_dir(root)
        .stdin(Stdio::null());
    if let Some(user) = run_as {
        drop_privileges(&mut cmd, user, false);
    }
    let output = cmd.output().map_err(|e| EmbeddedError::Initdb {
        path: pgdata.to_path_buf(),
        output: e.to_string(),
    })?;
    if output.status.success() {
        return Ok(());
    }
    // Leave nothing half-initialised: the next start must see a clean directory.
    if let Ok(entries) = fs::read_dir(pgdata) {
        for entry in entries.flatten() {
            let path = entry.path();
            let _ = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
        }
    }
    let mut text = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if text.is_empty() {
        text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    }
    if run_as.is_some() && text.contains("Permission denied") {
        text.push_str(
            " — the `postgres` user must be able to reach this directory (e.g. not under /root)",
        );
    }
    Err(EmbeddedError::Initdb {
        path: pgdata.to_path_buf(),
        output: text,
    })
}

/// Runs the command as `user`; with `die_with_parent`, the kernel sends SIGINT
/// (fast shutdown) to the child if this process dies, so a crashed or killed
/// server never leaves its database behind.
fn drop_privileges(cmd: &mut Command, user: RunAs, die_with_parent: bool) {
    // SAFETY: only async-signal-safe libc calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(user.gid) != 0
                || libc::setuid(user.uid) != 0
            {
                return Err(io::Error::last_os_error());
            }
            if die_with_parent {
                // After setuid: a credential change clears the death signal.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT);
            }
            Ok(())
        });
    }
}

/// Spawns `cmd` so that it dies with this process. PR_SET_PDEATHSIG fires when
/// the *thread* that forked exits, so children are forked from one thread that
/// lives as long as the process.
fn spawn_tied_to_process(mut cmd: Command, run_as: Option<RunAs>) -> io::Result<Child> {
    type Request = (Command, mpsc::Sender<io::Result<Child>>);
    static SPAWNER: OnceLock<std::sync::Mutex<mpsc::Sender<Request>>> = OnceLock::new();
    match run_as {
        Some(user) => drop_privileges(&mut cmd, user, true),
        None => unsafe {
            // SAFETY: prctl is async-signal-safe.
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT);
                Ok(())
            });
        },
    }
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("canopy-child-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("spawning a thread at start-up");
        std::sync::Mutex::new(tx)
    });
    let (reply_tx, reply_rx) = mpsc::channel();
    spawner
        .lock()
        .map_err(|_| io::Error::other("spawner lock poisoned"))?
        .send((cmd, reply_tx))
        .map_err(|_| io::Error::other("spawner thread is gone"))?;
    reply_rx
        .recv()
        .map_err(|_| io::Error::other("spawner thread is gone"))?
}

/// The last lines the server wrote since `from`, to explain a failed start.
fn log_tail(path: &Path, from: u64) -> String {
    let mut text = String::new();
    if let Ok(mut file) = fs::File::open(path) {
        let _ = file.seek(SeekFrom::Start(from));
        let mut bytes = Vec::new();
        let _ = file.take(64 * 1024).read_to_end(&mut bytes);
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(3)..].join(" | ");
    if tail.is_empty() {
        "no output".into()
    } else {
        tail
    }
}
