#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + pgvector cluster for factdesk's tests and benchmarks.
#
#   scripts/pg.sh install   install postgresql-15 and build pgvector if missing (needs root)
#   scripts/pg.sh start     install if needed, initdb, start on 127.0.0.1:<free port>,
#                           create database "factdesk" with the vector extension;
#                           prints the URL as the last line of stdout
#   scripts/pg.sh url       print the URL of the running cluster
#   scripts/pg.sh status    say whether the cluster runs
#   scripts/pg.sh stop      stop the cluster (keeps its data)
#   scripts/pg.sh destroy   stop the cluster and delete its folder
#
# Every command is idempotent: `start` on a running cluster prints its URL again.
#
# Environment:
#   FACTDESK_PG_DIR   where the cluster lives (default: ${TMPDIR:-/tmp}/factdesk-pg)
#   FACTDESK_PG_DB    database name (default: factdesk)
#   FACTDESK_PG_FAST  1 = fsync off, synchronous_commit off (tests only: a crash loses data)
#
# pgvector is not packaged for Debian bookworm, so `install` builds it from the source
# package of a newer Debian release (a deb-src line in its own sources file), ~10 s.
set -euo pipefail

PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
PG_CONFIG="${PG_BIN}/pg_config"
STATE_DIR="${FACTDESK_PG_DIR:-${TMPDIR:-/tmp}/factdesk-pg}"
DATA_DIR="${STATE_DIR}/data"
DB_NAME="${FACTDESK_PG_DB:-factdesk}"
SRC_LIST=/etc/apt/sources.list.d/factdesk-pgvector-src.sources
SRC_SUITE="${FACTDESK_PGVECTOR_SUITE:-trixie}"

log() { echo "pg.sh: $*" >&2; }
die() { echo "pg.sh: error: $*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command as the cluster owner: `postgres` when we are root (initdb refuses root),
# else ourselves (a developer's own machine).
as_owner() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

apt_install() {
    is_root || die "missing packages ($*): run 'sudo $0 install' once, then '$0 start'"
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2 \
        || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2; }
}

install_postgres() {
    local missing=()
    [ -x "${PG_BIN}/initdb" ] || missing+=("postgresql-${PG_MAJOR}")
    [ -x "${PG_CONFIG}" ] || missing+=("postgresql-server-dev-${PG_MAJOR}")
    command -v make >/dev/null && command -v gcc >/dev/null || missing+=(build-essential)
    command -v dpkg-source >/dev/null || missing+=(dpkg-dev)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

vector_installed() {
    [ -x "${PG_CONFIG}" ] && [ -f "$("${PG_CONFIG}" --sharedir)/extension/vector.control" ]
}

install_pgvector() {
    if vector_installed; then
        return 0
    fi
    is_root || die "pgvector is not installed: run 'sudo $0 install' once, then '$0 start'"
    if [ ! -f "${SRC_LIST}" ]; then
        log "adding deb-src for Debian ${SRC_SUITE} in ${SRC_LIST} (source packages only)"
        cat >"${SRC_LIST}" <<EOF
# Added by factdesk scripts/pg.sh: pgvector is not packaged for bookworm; we build it from
# the source package of ${SRC_SUITE}. deb-src only: no binary package comes from here.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: ${SRC_SUITE}
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    fi
    apt-get update >&2 || die "apt-get update failed: check the network, or ${SRC_LIST}"
    local build
    build="$(mktemp -d "${TMPDIR:-/tmp}/pgvector-build.XXXXXX")"
    chmod 755 "${build}"
    log "building pgvector in ${build}"
    (
        cd "${build}"
        # apt-get source as root warns that it downloads unsandboxed; harmless here.
        apt-get source pgvector >&2 || die "apt-get source pgvector failed: is ${SRC_LIST} reachable?"
        cd "$(find . -maxdepth 1 -mindepth 1 -type d -name 'pgvector-*' | head -n 1)"
        make PG_CONFIG="${PG_CONFIG}" OPTFLAGS="" >&2
        make PG_CONFIG="${PG_CONFIG}" install >&2
    )
    rm -rf "${build}"
    vector_installed || die "pgvector build finished but vector.control is missing"
    log "pgvector installed"
}

cmd_install() {
    install_postgres
    install_pgvector
}

# A free TCP port on 127.0.0.1 (nothing answers on it), tried in a random order.
free_port() {
    local port i
    for i in $(seq 1 200); do
        port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
            echo "${port}"
            return 0
        fi
    done
    die "no free port found on 127.0.0.1"
}

url() { echo "postgresql://postgres@127.0.0.1:$(cat "${STATE_DIR}/port")/${DB_NAME}"; }

running() {
    [ -f "${DATA_DIR}/PG_VERSION" ] && as_owner "${PG_BIN}/pg_ctl" -D "${DATA_DIR}" status >/dev/null 2>&1
}

psql_owner() {
    as_owner "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(cat "${STATE_DIR}/port")" -U postgres "$@"
}

cmd_start() {
    cmd_install
    mkdir -p "${STATE_DIR}"
    if is_root; then
        chown postgres:postgres "${STATE_DIR}"
    fi
    chmod 755 "${STATE_DIR}"
    if ! [ -f "${DATA_DIR}/PG_VERSION" ]; then
        log "initdb ${DATA_DIR}"
        local locale=C
        if locale -a 2>/dev/null | grep -qix 'c.utf-\?8'; then locale=C.UTF-8; fi
        as_owner "${PG_BIN}/initdb" -D "${DATA_DIR}" -U postgres --auth=trust -E UTF8 \
            --locale="${locale}" >"${STATE_DIR}/initdb.log" 2>&1 \
            || die "initdb failed: see ${STATE_DIR}/initdb.log"
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "unix_socket_directories = '${STATE_DIR}'"
            echo "shared_buffers = 256MB"
            echo "maintenance_work_mem = 512MB"
            echo "max_parallel_maintenance_workers = 1"
            echo "max_connections = 50"
            if [ "${FACTDESK_PG_FAST:-0}" = 1 ]; then
                echo "fsync = off"
                echo "synchronous_commit = off"
                echo "full_page_writes = off"
            fi
        } | as_owner tee -a "${DATA_DIR}/postgresql.conf" >/dev/null
    fi
    if running; then
        log "already running"
        url
        return 0
    fi
    local port
    port="$(free_port)"
    echo "${port}" | as_owner tee "${STATE_DIR}/port" >/dev/null
    log "starting on 127.0.0.1:${port}"
    as_owner "${PG_BIN}/pg_ctl" -D "${DATA_DIR}" -l "${STATE_DIR}/server.log" -o "-p ${port}" -w -t 60 start >&2 \
        || die "the server did not start: see ${STATE_DIR}/server.log"
    if ! psql_owner -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'" | grep -q 1; then
        psql_owner -d postgres -c "CREATE DATABASE \"${DB_NAME}\""
    fi
    psql_owner -d "${DB_NAME}" -c "CREATE EXTENSION IF NOT EXISTS vector"
    url
}

cmd_stop() {
    if running; then
        as_owner "${PG_BIN}/pg_ctl" -D "${DATA_DIR}" -m fast -w stop >&2
    else
        log "not running"
    fi
}

cmd_destroy() {
    cmd_stop
    rm -rf "${STATE_DIR}"
    log "removed ${STATE_DIR}"
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    destroy) cmd_destroy ;;
    url) running || die "not running: run $0 start"; url ;;
    status) if running; then echo "running: $(url)"; else echo "stopped"; exit 3; fi ;;
    *) echo "usage: $0 install|start|url|status|stop|destroy" >&2; exit 2 ;;
esac
