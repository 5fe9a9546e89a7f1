# Shared by scripts/start and scripts/test: install what is missing (and only that), then build.
# Sourced, not run. Every tool version here matches Cargo.lock / package.json.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen version in Cargo.lock and in scripts/bindgen/Cargo.toml
# scripts/bindgen: wasm-bindgen's library behind the options scripts/build uses (see its Cargo.toml); what is installed
# is that version and a hash of the tool's sources, so a change to them installs it again.
BINDGEN_STAMP="$WASM_BINDGEN_VERSION+$(cat "$ROOT/scripts/bindgen/Cargo.toml" "$ROOT/scripts/bindgen/Cargo.lock" \
  "$ROOT/scripts/bindgen/src/main.rs" | sha256sum | cut -c1-12)"
WASM_SPLIT_VERSION=0.2.4       # splits lazy routes into their own WASM chunks (what `cargo leptos --split` runs)
# ... with one change of ours (one chunk for the code the areas share): the patch's hash is part of what is installed.
WASM_SPLIT_PATCH="$ROOT/scripts/patches/wasm-split-shared-chunk.patch"
WASM_SPLIT_STAMP="$WASM_SPLIT_VERSION+$(sha256sum "$WASM_SPLIT_PATCH" | cut -c1-12)"
# Where tools compiled from crates.io are installed (`cargo install --root`); a measurement of a fresh machine points
# it at an empty folder.
TOOLS="${NEXUS_TOOLS:-$HOME/.cargo}"
export PATH="$TOOLS/bin:$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
# Queries are checked at compile time against the committed .sqlx data; no database is needed to build.
export SQLX_OFFLINE=true

# Leptos reads LEPTOS_OUTPUT_NAME when it is compiled (`option_env!`), so cargo rebuilds leptos and everything above it
# whenever the value differs from the last build's: one value for every cargo command of the scripts (the one
# scripts/build and cargo-leptos set) lets the tests and clippy reuse the build's libraries instead of compiling
# them again each time.
export LEPTOS_OUTPUT_NAME=nexus

# Every fan-out in the scripts runs at most this many processes at once (wasm-opt per chunk, the builds).
JOBS="${NEXUS_JOBS:-$(nproc)}"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

# Tools are compiled from crates.io (nothing else is reachable). Their release profile is lightened for the install:
# no LTO and parallel codegen cut the cold install from ~25 to ~10 minutes on 2 cores, and opt-level 0 halves what is
# left, which on a cold command 1 competes with the release builds for the same 2 cores (measured 2026-11-25, alone:
# wasm-bindgen-cli 340 → 165 CPU-seconds, wasm-split-cli 139 → 61) for 3 s more of their run on our WASM (the
# same output); sqlx-cli checks the query data as fast either way. wasm-bindgen is scripts/bindgen (its library only:
# 69 CPU-seconds against wasm-bindgen-cli's 165, measured 2026-11-25, the same output byte for byte).
cargo_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
  CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=true \
  CARGO_TARGET_DIR="$HOME/.cache/nexus/tool-build${NEXUS_TOOLS:+-$(basename "$NEXUS_TOOLS")}" \
    cargo install --root "$TOOLS" "$@"
}

# Installs what is missing. nexus-bindgen (scripts/bindgen) and wasm-split-cli are needed only once the WASM is
# compiled, so they are installed in the background (BINDGEN_PID) while the build runs; `wait_for_bindgen` joins them.
BINDGEN_PID=
ensure_tools() {
  if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    log "adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  local need_bindgen= need_split=
  grep -q "^wasm-bindgen-cli-support = \"=$WASM_BINDGEN_VERSION\"" "$ROOT/scripts/bindgen/Cargo.toml" \
    || { echo "scripts/bindgen/Cargo.toml must depend on wasm-bindgen-cli-support =$WASM_BINDGEN_VERSION" >&2; exit 1; }
  [ -x "$TOOLS/bin/nexus-bindgen" ] && [ "$(cat "$TOOLS/.nexus-bindgen-version" 2>/dev/null)" = "$BINDGEN_STAMP" ] \
    || need_bindgen=1
  [ -x "$TOOLS/bin/wasm-split-cli" ] && [ "$(cat "$TOOLS/.wasm-split-cli-version" 2>/dev/null)" = "$WASM_SPLIT_STAMP" ] \
    || need_split=1
  if [ -n "$need_bindgen$need_split" ]; then
    log "installing${need_bindgen:+ wasm-bindgen $WASM_BINDGEN_VERSION (scripts/bindgen)}${need_split:+ wasm-split-cli $WASM_SPLIT_VERSION} in the background (first run only)"
    mkdir -p "$ROOT/.data"
    (
      set -e
      if [ -n "$need_bindgen" ]; then
        cargo_install --path "$ROOT/scripts/bindgen" --locked
        echo "$BINDGEN_STAMP" >"$TOOLS/.nexus-bindgen-version"
      fi
      if [ -n "$need_split" ]; then
        install_wasm_split
        echo "$WASM_SPLIT_STAMP" >"$TOOLS/.wasm-split-cli-version"
      fi
    ) >"$ROOT/.data/wasm-tools-install.log" 2>&1 &
    BINDGEN_PID=$!
  fi
  if [ "${NEXUS_NEED_SQLX_CLI:-}" = 1 ] && [ "$(cargo sqlx --version 2>/dev/null | awk '{print $2}')" != "0.8.6" ]; then
    log "installing sqlx-cli 0.8.6 (first run only; checks the committed query data)"
    cargo_install sqlx-cli --version 0.8.6 --locked --no-default-features --features postgres,rustls
  fi
  if [ ! -x node_modules/.bin/tailwindcss ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages (Tailwind, wasm-opt, ECharts, Swagger UI, Playwright, axe-core)"
    # `npm install` honours package-lock.json; npm 11's `npm ci` rejects its own lock over optional platform packages.
    npm install --no-audit --no-fund --loglevel=error
  fi
}

# wasm-split-cli from its crates.io release, with scripts/patches/wasm-split-shared-chunk.patch applied: cargo fetches
# the published crate (crates.io is what is reachable), a copy of it is patched, and that copy is installed.
install_wasm_split() {
  local work="$HOME/.cache/nexus/wasm-split-src${NEXUS_TOOLS:+-$(basename "$NEXUS_TOOLS")}"
  rm -rf "$work" && mkdir -p "$work/fetch/src"
  printf '[package]\nname = "fetch-wasm-split"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\nwasm_split_cli_support = "=%s"\n\n[workspace]\n' \
    "$WASM_SPLIT_VERSION" >"$work/fetch/Cargo.toml"
  : >"$work/fetch/src/lib.rs"
  local manifest
  manifest="$(cargo metadata --format-version 1 --manifest-path "$work/fetch/Cargo.toml" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () =>
      console.log(JSON.parse(s).packages.find((p) => p.name === "wasm_split_cli_support").manifest_path));')"
  cp -r "$(dirname "$manifest")" "$work/crate"
  (cd "$work/crate" && git apply -p1 "$WASM_SPLIT_PATCH")
  cargo_install --path "$work/crate" --locked --features build-binary
}

wait_for_bindgen() {
  if [ -n "$BINDGEN_PID" ]; then
    wait "$BINDGEN_PID" || { cat "$ROOT/.data/wasm-tools-install.log" >&2; exit 1; }
    BINDGEN_PID=
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's Chromium for the end-to-end tests"
    if [ "$(id -u)" = 0 ]; then
      apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
    else
      sudo apt-get install -y chromium >/dev/null
    fi
  fi
}

ensure_postgres_binaries() {
  if [ -z "${DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
    echo "PostgreSQL is not installed. Install it (Debian/Ubuntu: apt-get install postgresql postgresql-contrib)" >&2
    echo "or set DATABASE_URL to a PostgreSQL server you run yourself." >&2
    exit 1
  fi
}

target_dir() {
  if [ -n "${CARGO_TARGET_DIR:-}" ]; then echo "$CARGO_TARGET_DIR"; else echo "$ROOT/target"; fi
}

# Runtime settings of the server for the site scripts/build wrote (hashed asset names listed in hash.txt).
# The release site and server (scripts/build --release), unless nothing changed since the last one (HEAD and
# uncommitted changes alike): cargo would notice by itself, but wasm-opt and the compression would run again (~1
# minute). Command 1 and command 2 share it: the browser suites run on the build command 1 serves, and CI's smoke
# test after them then starts at once (one release build per run, not a debug one and a release one: ~15 min less
# on a fresh machine).
build_release() {
  local stamp_file stamp
  stamp_file="$(target_dir)/.nexus-release-stamp"
  stamp="$( (cd "$ROOT" && git rev-parse HEAD 2>/dev/null; git status --porcelain 2>/dev/null; git diff 2>/dev/null) | sha256sum | cut -d' ' -f1)"
  if [ -x "$(target_dir)/release/nexus-server" ] && [ -f "$(target_dir)/release/hash.txt" ] \
     && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then
    log "no change since the last release build: using it"
  else
    "$ROOT/scripts/build" --release
    echo "$stamp" > "$stamp_file"
  fi
}

# Debian packages, installed when missing (as root, or through sudo).
apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y "$@" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$@" >/dev/null; }
  else
    sudo apt-get install -y "$@" >/dev/null
  fi
}

# PgBouncer 1.24 for scripts/cluster, built from Debian's own source (trixie's, checksum pinned below) into
# ~/.cache/nexus/pgbouncer-<version> (as root: /opt/nexus/, which the `postgres` user it then runs as can reach):
# Debian 12 ships 1.18, which cannot pool sqlx's connections in transaction mode: sqlx
# prepares every statement under a name, and only PgBouncer 1.21 and later keep prepared statements right across
# pooled server connections (`max_prepared_statements`). Sets PGBOUNCER to its path.
PGBOUNCER_VERSION=1.24.1
PGBOUNCER_SHA256=da72a3aba13072876d055a3e58dd4aba4a5de4ed6148e73033185245598fd3e0
ensure_pgbouncer() {
  local prefix="$HOME/.cache/nexus/pgbouncer-$PGBOUNCER_VERSION"
  [ "$(id -u)" = 0 ] && prefix="/opt/nexus/pgbouncer-$PGBOUNCER_VERSION"
  PGBOUNCER="$prefix/bin/pgbouncer"
  [ -x "$PGBOUNCER" ] && return
  log "building PgBouncer $PGBOUNCER_VERSION from Debian's source"
  dpkg -s libevent-dev libssl-dev pkg-config make gcc >/dev/null 2>&1 || apt_install libevent-dev libssl-dev pkg-config make gcc
  local src; src="$(mktemp -d)"
  curl -sSf -o "$src/pgbouncer.tar.gz" \
    "http://deb.debian.org/debian/pool/main/p/pgbouncer/pgbouncer_${PGBOUNCER_VERSION}.orig.tar.gz"
  echo "$PGBOUNCER_SHA256  $src/pgbouncer.tar.gz" | sha256sum -c --quiet
  tar -xzf "$src/pgbouncer.tar.gz" -C "$src"
  (cd "$src/pgbouncer-$PGBOUNCER_VERSION" && ./configure --prefix="$prefix" --without-cares --without-systemd \
     --without-pam >/dev/null && make -j"$JOBS" >/dev/null && make install >/dev/null)
  rm -rf "$src"
}

# HAProxy (the balancer) and wrk (the load generator) from Debian.
ensure_cluster_tools() {
  command -v haproxy >/dev/null && command -v wrk >/dev/null || apt_install haproxy wrk
  ensure_pgbouncer
}

export_leptos_env() {
  export LEPTOS_OUTPUT_NAME=nexus
  export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$ROOT/target/site}"
  export LEPTOS_SITE_PKG_DIR=pkg
  export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
  export LEPTOS_HASH_FILES=true
}

SCHEMATHESIS_VERSION=4.32.5
# schemathesis (PyPI) in its own virtualenv, outside the clone; sets SCHEMATHESIS to its path.
ensure_schemathesis() {
  local venv="$HOME/.cache/nexus/venv"
  if [ "$("$venv/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
    log "installing schemathesis $SCHEMATHESIS_VERSION (first run only)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  SCHEMATHESIS="$venv/bin/schemathesis"
}

# The first free TCP port on 127.0.0.1 from $1 on (a developer's own cluster or server may hold the usual one).
free_port() {
  python3 - "$1" <<'PY'
import socket, sys
port = int(sys.argv[1])
while True:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            break
        except OSError:
            port += 1
print(port)
PY
}
