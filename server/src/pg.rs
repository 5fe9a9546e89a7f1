//! The private PostgreSQL launcher: with no `DATABASE_URL`, Nexus runs its own cluster under the data folder.
//!
//! `initdb` refuses to run as root, so when invoked as root the cluster belongs to the `postgres` system user (or
//! `nobody`), and every PostgreSQL program runs as that user. The cluster listens only on 127.0.0.1, on its own port and
//! socket folder, so it never collides with a system PostgreSQL, and requires a password generated on first start.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// A running private cluster. Dropping it stops a cluster this process started (so every command that starts one
/// stops it however it ends); [`Cluster::detach`] leaves it running (`db start`).
pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    user: Option<(u32, u32)>,
    pub port: u16,
    pub password: String,
    /// Whether this process started it (only then does [`Cluster::stop`] stop it: a cluster someone else started,
    /// `db start` or another instance, keeps running).
    started: bool,
}

impl Cluster {
    pub fn url(&self, database: &str) -> String {
        format!("postgres://nexus:{}@127.0.0.1:{}/{database}", self.password, self.port)
    }

    /// Creates (first time) and starts the cluster in `<root>/pg`, creating `database` if missing.
    pub fn start(root: &Path, port: u16, database: &str) -> Result<Cluster> {
        let Folder { bin, user, base, data } = Folder::prepare(root)?;
        let pwfile = base.join("password");
        if !data.join("PG_VERSION").exists() {
            let password = nexus_random_password();
            crate::config::write_secret(&pwfile, &password)?;
            if let Some((uid, gid)) = user {
                chown(&pwfile, uid, gid)?;
            }
            tracing::info!(data = %data.display(), "creating the private PostgreSQL cluster");
            let out = command(&bin.join("initdb"), user)
                .args(["-D"])
                .arg(&data)
                .args(["-U", "nexus", "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"])
                .arg(format!("--pwfile={}", pwfile.display()))
                .output()
                .context("running initdb")?;
            if !out.status.success() {
                bail!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
        let password = std::fs::read_to_string(&pwfile).context("reading the cluster password")?.trim().to_owned();
        let mut cluster = Cluster { bin, data, user, port, password, started: false };
        if !cluster.is_running() {
            cluster.started = true;
            cluster.pg_ctl_start(&base)?;
        }
        let psql = |sql: &str| {
            command(&cluster.bin.join("psql"), user)
                .env("PGPASSWORD", &cluster.password)
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "nexus", "-d", "postgres", "-tAc", sql])
                .output()
        };
        let exists = psql(&format!("select 1 from pg_database where datname = '{}'", database.replace('\'', "''")))?;
        if String::from_utf8_lossy(&exists.stdout).trim() != "1" {
            let out = psql(&format!("create database \"{}\"", database.replace('"', "\"\"")))?;
            if !out.status.success() {
                bail!("creating database {database}: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
        Ok(cluster)
    }

    /// Creates (first time, with `pg_basebackup` from the primary at `primary_port`, whose folder is `primary_root`)
    /// and starts a streaming standby of that primary in `<root>/pg`: a read-only copy that replays the primary's WAL
    /// as it is written, through a replication slot (`nexus_standby`), so WAL it has not received yet is kept for it
    /// while it is down, and it catches up when started again.
    pub fn start_standby(root: &Path, port: u16, primary_root: &Path, primary_port: u16) -> Result<Cluster> {
        let Folder { bin, user, base, data } = Folder::prepare(root)?;
        let password = std::fs::read_to_string(primary_root.join("pg").join("password"))
            .context("reading the primary's password (start the primary first)")?
            .trim()
            .to_owned();
        if !data.join("PG_VERSION").exists() {
            // The slot of a standby made before (its folder since removed) goes first: a fresh copy needs a fresh one.
            let drop_slot = "select pg_drop_replication_slot(slot_name) from pg_replication_slots \
                             where slot_name = 'nexus_standby' and not active";
            let _ = command(&bin.join("psql"), user)
                .env("PGPASSWORD", &password)
                .args(["-h", "127.0.0.1", "-p", &primary_port.to_string(), "-U", "nexus", "-d", "postgres", "-tAc"])
                .arg(drop_slot)
                .output();
            tracing::info!(data = %data.display(), "copying the primary for a standby (pg_basebackup)");
            let out = command(&bin.join("pg_basebackup"), user)
                .env("PGPASSWORD", &password)
                .args(["-h", "127.0.0.1", "-p", &primary_port.to_string(), "-U", "nexus", "-D"])
                .arg(&data)
                .args(["-R", "-X", "stream", "-C", "-S", "nexus_standby", "--checkpoint=fast"])
                .output()
                .context("running pg_basebackup")?;
            if !out.status.success() {
                let _ = std::fs::remove_dir_all(&data);
                bail!("pg_basebackup failed: {}", String::from_utf8_lossy(&out.stderr));
            }
            let pwfile = base.join("password");
            crate::config::write_secret(&pwfile, &password)?;
            if let Some((uid, gid)) = user {
                chown(&pwfile, uid, gid)?;
            }
        }
        let mut cluster = Cluster { bin, data, user, port, password, started: false };
        if !cluster.is_running() {
            cluster.started = true;
            cluster.pg_ctl_start(&base)?;
        }
        Ok(cluster)
    }

    /// Starts the cluster's server on its port, listening on 127.0.0.1 and in its own socket folder.
    fn pg_ctl_start(&self, base: &Path) -> Result<()> {
        let port = self.port;
        let sock = base.join("run");
        std::fs::create_dir_all(&sock)?;
        if let Some((uid, gid)) = self.user {
            chown(&sock, uid, gid)?;
        }
        let out = command(&self.bin.join("pg_ctl"), self.user)
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(base.join("postgresql.log"))
            .arg("-o")
            .arg(format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on {TUNING}",
                sock.display()
            ))
            .args(["-w", "-t", "60", "start"])
            .stdout(Stdio::null())
            .output()
            .context("running pg_ctl start")?;
        if !out.status.success() {
            let log = std::fs::read_to_string(base.join("postgresql.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(15).collect();
            bail!(
                "PostgreSQL did not start (port {port} busy? set NEXUS_PG_PORT): {}\n{}",
                String::from_utf8_lossy(&out.stderr),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        Ok(())
    }

    pub fn is_running(&self) -> bool {
        command(&self.bin.join("pg_ctl"), self.user)
            .arg("-D")
            .arg(&self.data)
            .arg("status")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Leaves the cluster running when this value goes (`nexus-server db start` hands it to the scripts).
    pub fn detach(mut self) {
        self.started = false;
    }

    fn stop(&self) {
        if !self.started {
            return;
        }
        tracing::info!("stopping the private PostgreSQL cluster");
        let _ = command(&self.bin.join("pg_ctl"), self.user)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// Stops a cluster found in `<root>/pg` (used by scripts).
    pub fn stop_at(root: &Path) -> Result<()> {
        let bin = find_bin_dir()?;
        let user = run_as_user()?;
        let data = root.join("pg").join("data");
        if data.join("postmaster.pid").exists() {
            command(&bin.join("pg_ctl"), user).arg("-D").arg(&data).args(["-m", "fast", "-w", "stop"]).status()?;
        }
        Ok(())
    }
}

/// A cluster's programs, user and folder (`<root>/pg`, made and owned by that user; `data` inside it).
struct Folder {
    bin: PathBuf,
    user: Option<(u32, u32)>,
    base: PathBuf,
    data: PathBuf,
}

impl Folder {
    fn prepare(root: &Path) -> Result<Folder> {
        let bin = find_bin_dir()?;
        let user = run_as_user()?;
        let base = root.join("pg");
        std::fs::create_dir_all(&base).with_context(|| format!("creating {}", base.display()))?;
        let base = base.canonicalize()?;
        if let Some((uid, gid)) = user {
            check_traversable(&base, uid, gid)?;
            chown(&base, uid, gid)?;
        }
        Ok(Folder { data: base.join("data"), bin, user, base })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

fn command(program: &Path, user: Option<(u32, u32)>) -> Command {
    let mut c = Command::new(program);
    if let Some((uid, gid)) = user {
        c.uid(uid).gid(gid);
        // PostgreSQL tools read HOME for .psqlrc and friends; root's home is not readable to them.
        c.env("HOME", "/tmp");
    }
    c.current_dir("/");
    c
}

/// Settings for the work Nexus gives the cluster (PostgreSQL's defaults suit a machine of 2005): a gigabyte of
/// shared buffers so the catalog's hot pages stay in PostgreSQL's own cache; WAL room for a catalog import without a
/// checkpoint storm; memory for sorts, hashes and index builds; an SSD's page costs; no JIT, whose compile time
/// (tens of milliseconds) lands on any query the planner prices high, such as a broad catalog search.
const TUNING: &str = "-c shared_buffers=1GB -c effective_cache_size=8GB -c max_wal_size=4GB -c min_wal_size=512MB \
                      -c checkpoint_timeout=15min -c work_mem=32MB -c maintenance_work_mem=512MB \
                      -c random_page_cost=1.1 -c effective_io_concurrency=200 -c jit=off";

/// PostgreSQL's programs: from PATH (where `pg_ctl` is), else the newest `/usr/lib/postgresql/<v>/bin`.
fn find_bin_dir() -> Result<PathBuf> {
    if let Ok(dir) = std::env::var("NEXUS_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            // Follow symlinks (e.g. /usr/local/bin/pg_ctl -> /usr/lib/postgresql/15/bin/pg_ctl) to the folder that
            // holds all of PostgreSQL's programs.
            if let Ok(real) = dir.join("pg_ctl").canonicalize()
                && let Some(real_dir) = real.parent()
                && ["initdb", "psql"].iter().all(|p| real_dir.join(p).is_file())
            {
                return Ok(real_dir.to_path_buf());
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "PostgreSQL is not installed: install it (Debian/Ubuntu: `apt-get install postgresql postgresql-contrib`) \
             or set DATABASE_URL to a server you run yourself"
        ),
    }
}

/// When running as root, the unprivileged user to run PostgreSQL as.
fn run_as_user() -> Result<Option<(u32, u32)>> {
    if effective_uid() != 0 {
        return Ok(None);
    }
    for name in ["postgres", "nobody"] {
        if let Some((uid, gid)) = lookup_user(name) {
            return Ok(Some((uid, gid)));
        }
    }
    bail!("running as root, and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as")
}

fn effective_uid() -> u32 {
    // The effective uid of this process, read from /proc to avoid an unsafe libc call.
    std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX)
}

fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() > 3 && f[0] == name).then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
    })
}

fn chown(path: &Path, uid: u32, gid: u32) -> Result<()> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).with_context(|| format!("chown {}", path.display()))
}

/// The cluster's user must be able to reach its folder: every parent needs the "x" bit for others.
fn check_traversable(dir: &Path, uid: u32, _gid: u32) -> Result<()> {
    for parent in dir.ancestors().skip(1) {
        let meta = std::fs::metadata(parent)?;
        let mode = meta.mode();
        let ok = mode & 0o001 != 0 || (meta.uid() == uid && mode & 0o100 != 0);
        if !ok {
            bail!(
                "the PostgreSQL user cannot reach {} ({} is not traversable by others): set NEXUS_DATA_DIR to a \
                 folder under a traversable path (e.g. /var/tmp/nexus) or run `chmod o+x {}`",
                dir.display(),
                parent.display(),
                parent.display()
            );
        }
    }
    Ok(())
}

fn nexus_random_password() -> String {
    use rand::RngCore;
    let mut b = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}
