#!/usr/bin/env bash
# Ensure the local CI services are up: PostgreSQL (with pgvector >= 0.8) and Redis; and Debian's PgBouncer
# installed (not running: the topology tests start their own on free ports).
#
# Runs as root on Debian 12 (bookworm). Idempotent: when everything is already
# present it only performs a few quick checks.
#
# pgvector: Debian 12 ships no pgvector binary package for PostgreSQL 15, so we
# fetch the source package `pgvector` from the trixie suite (0.8.x) using a
# private apt lists/sources/cache directory (the system's apt configuration and
# caches are never modified) and build it with PGXS.
set -euo pipefail

log() { printf 'ensure-services: %s\n' "$*"; }
die() { printf 'ensure-services: ERROR: %s\n' "$*" >&2; exit 1; }

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres

TMP_ROOT=""
SCRATCH_DB=""
cleanup() {
  if [[ -n "$SCRATCH_DB" ]]; then
    dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists "$SCRATCH_DB" >/dev/null 2>&1 || true
  fi
  if [[ -n "$TMP_ROOT" && -d "$TMP_ROOT" ]]; then
    rm -rf "$TMP_ROOT"
  fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
[[ -d /etc/postgresql ]] || die "/etc/postgresql not found (is postgresql installed?)"
PG_VERSION="$(ls /etc/postgresql | sort -V | tail -n 1)"
[[ -n "$PG_VERSION" ]] || die "no PostgreSQL cluster configured under /etc/postgresql"
PG_BIN="/usr/lib/postgresql/${PG_VERSION}/bin"
PG_CONFIG="${PG_BIN}/pg_config"

for tool in initdb pg_ctl; do
  if [[ -x "${PG_BIN}/${tool}" ]]; then
    log "found ${PG_BIN}/${tool}"
  else
    die "missing ${PG_BIN}/${tool}"
  fi
done

if pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  log "PostgreSQL ${PG_VERSION} already accepting connections on ${PG_HOST}:${PG_PORT}"
else
  log "starting PostgreSQL ${PG_VERSION} cluster 'main'"
  # Exit status 2 means "already running" (e.g. still starting up); tolerate it.
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start || {
    rc=$?
    [[ $rc -eq 2 ]] || die "pg_ctlcluster start failed (exit $rc)"
  }
  for _ in $(seq 1 30); do
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break
    sleep 1
  done
  pg_isready -h "$PG_HOST" -p "$PG_PORT" >/dev/null || die "PostgreSQL not ready after 30s"
  log "PostgreSQL is ready"
fi

# ---------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "Redis already answering on 127.0.0.1:6379"
else
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 \
    --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 20); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 \
    || die "Redis not answering after 10s (see /var/log/redis/ci.log)"
  log "Redis is ready"
fi

# ---------------------------------------------------------------------------
# pgvector
# ---------------------------------------------------------------------------
# Returns 0 when `create extension vector` works in a throwaway database.
vector_works() {
  SCRATCH_DB="ensure_services_vector_check_$$"
  dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists "$SCRATCH_DB" >/dev/null 2>&1 || true
  createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$SCRATCH_DB" || die "could not create scratch database"
  local ok=0
  psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$SCRATCH_DB" -v ON_ERROR_STOP=1 \
    -c "create extension if not exists vector" >/dev/null 2>&1 || ok=1
  dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists "$SCRATCH_DB" >/dev/null 2>&1 || true
  SCRATCH_DB=""
  return "$ok"
}

# Prints the base URI of the system's main Debian archive mirror (e.g.
# http://deb.debian.org/debian), read from the existing apt sources.
debian_mirror() {
  local files=() f uri
  [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] && files+=("$f")
  done
  ((${#files[@]})) || return 1
  {
    # One-line style: deb [opts] URI suite components...
    awk '$1 ~ /^deb(-src)?$/ {
           i = 2
           if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
           if (i <= NF) print $i
         }' "${files[@]}"
    # deb822 style: URIs: a b c
    awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "${files[@]}"
  } | sed 's:/*$::' \
    | grep -E '^(https?|ftp)://[^ ]+/debian$' \
    | head -n 1
}

install_pgvector() {
  local start_ts=$SECONDS
  log "pgvector not usable in PostgreSQL ${PG_VERSION}; installing from Debian trixie source"

  # Build dependencies (installed through the normal system apt config).
  local deps=("postgresql-server-dev-${PG_VERSION}" build-essential dpkg-dev) missing=() d
  for d in "${deps[@]}"; do
    dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q 'install ok installed' || missing+=("$d")
  done
  if ((${#missing[@]})); then
    log "installing build dependencies: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "build dependencies already installed"
  fi
  [[ -x "$PG_CONFIG" ]] || die "missing $PG_CONFIG"

  local mirror
  mirror="$(debian_mirror)" || true
  [[ -n "$mirror" ]] || die "could not determine the Debian mirror from /etc/apt/sources.list{,.d/*}"
  log "using Debian mirror ${mirror}"

  TMP_ROOT="$(mktemp -d /tmp/ensure-services.XXXXXX)"
  local srcparts="$TMP_ROOT/sources.list.d" lists="$TMP_ROOT/lists" cache="$TMP_ROOT/cache" work="$TMP_ROOT/src"
  mkdir -p "$srcparts" "$lists/partial" "$cache/archives/partial" "$work"
  echo "deb-src ${mirror} trixie main" >"$srcparts/trixie-src.list"

  # Private sources, lists and caches: never touches /etc/apt or /var/lib/apt/lists
  # or /var/cache/apt/*.bin.
  local apt_opts=(
    -o Dir::Etc::SourceList=/dev/null
    -o "Dir::Etc::SourceParts=$srcparts"
    -o "Dir::State::Lists=$lists"
    -o "Dir::Cache=$cache"
    -o Dir::Cache::pkgcache=
    -o Dir::Cache::srcpkgcache=
    -o APT::Sandbox::User=root
  )
  log "fetching trixie source index"
  apt-get "${apt_opts[@]}" update -qq
  log "downloading pgvector source package"
  (cd "$work" && apt-get "${apt_opts[@]}" source --download-only -qq pgvector)

  local dsc
  dsc="$(ls "$work"/pgvector_*.dsc 2>/dev/null | head -n 1)"
  [[ -n "$dsc" ]] || die "pgvector .dsc not downloaded"
  log "unpacking $(basename "$dsc")"
  # apt already verified the files against the signed trixie Sources index;
  # dpkg-source re-checks checksums (the uploader's key is not available, so its
  # "cannot verify inline signature" warning is expected and hidden).
  local out
  out="$(cd "$work" && dpkg-source -x "$(basename "$dsc")" pgvector 2>&1)" \
    || { printf '%s\n' "$out" >&2; die "dpkg-source failed to unpack $(basename "$dsc")"; }

  local version
  version="$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$work/pgvector/vector.control")"
  log "building pgvector ${version} against PostgreSQL ${PG_VERSION}"
  case "$version" in
    0.[89].* | 0.[1-9][0-9].* | [1-9].*) ;;
    *) die "unexpected pgvector version '${version}' (need >= 0.8)" ;;
  esac

  # OPTFLAGS= : no -march=native, so the built library stays portable (Debian's
  # no-native patch does the same; this keeps it true even without the patch).
  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  make -C "$work/pgvector" -s -j"$jobs" PG_CONFIG="$PG_CONFIG" OPTFLAGS= >/dev/null
  make -C "$work/pgvector" -s install PG_CONFIG="$PG_CONFIG" OPTFLAGS= >/dev/null

  log "pgvector ${version} installed in $((SECONDS - start_ts))s"
}

if vector_works; then
  log "pgvector extension available"
else
  install_pgvector
  vector_works || die "pgvector installed but 'create extension vector' still fails"
  log "pgvector extension available"
fi

# ---------------------------------------------------------------------------
# PgBouncer (binary only)
# ---------------------------------------------------------------------------
# test/ops/pgbouncer.test.ts starts PgBouncer itself, in front of a throwaway cluster. The package's own
# service (port 6432) is not wanted: stop it and keep it from starting at boot.
if ! command -v pgbouncer >/dev/null 2>&1 && [[ ! -x /usr/sbin/pgbouncer ]]; then
  log "installing pgbouncer (Debian package)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null
fi
[[ -x /usr/sbin/pgbouncer ]] || command -v pgbouncer >/dev/null 2>&1 || die "pgbouncer not installed"
if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
  systemctl disable --now pgbouncer >/dev/null 2>&1 || true
fi
system_pid_file=/var/run/postgresql/pgbouncer.pid
if [[ -s "$system_pid_file" ]] && kill -0 "$(cat "$system_pid_file")" 2>/dev/null; then
  log "stopping the system's pgbouncer service (pid $(cat "$system_pid_file"))"
  kill -TERM "$(cat "$system_pid_file")" || true
fi
log "$(/usr/sbin/pgbouncer --version 2>/dev/null | head -n 1 || pgbouncer --version | head -n 1) installed (not running)"

log "all services ready"
