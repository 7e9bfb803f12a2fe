#!/usr/bin/env bash
# Sets up and runs INLOOP on one Debian 12 machine that has only Rust and git.
#
#   ./inloop.sh demo       start PostgreSQL, Redis and Docker, build, migrate, create the demo
#                          accounts, load the demo course, run a runner host and the server
#   ./inloop.sh test       every check: rustfmt, clippy with warnings denied, cargo deny, all tests
#   ./inloop.sh bench-staff  measure the staff pages (solutions list, task overview) of a seeded
#                          course of 1,000 students x 20 tasks x 10 solutions with wrk
#   ./inloop.sh bench      measure: wrk against the logged-in home and task pages, then grading against bare
#                          docker runs (figures printed; nothing is asserted)
#   ./inloop.sh services   only install and start the services; prints the settings to use
#   ./inloop.sh stop       stop the private PostgreSQL and Redis (Docker keeps running)
#
# PostgreSQL and Redis run as private instances under $INLOOP_HOME (default: .data in this
# checkout), listening on loopback only, so nothing else on the machine is touched.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INLOOP_HOME=${INLOOP_HOME:-$ROOT/.data}
PG_PORT=${INLOOP_PG_PORT:-55432}
REDIS_PORT=${INLOOP_REDIS_PORT:-56379}
WEB_PORT=${INLOOP_WEB_PORT:-8000}
PG_FSYNC=${INLOOP_PG_FSYNC:-on}
CARGO_DENY_VERSION=0.20.2
# These choose how this script runs things; they are not settings of inloop itself, which
# refuses INLOOP_* variables it does not know.
export -n INLOOP_HOME INLOOP_PG_PORT INLOOP_REDIS_PORT INLOOP_WEB_PORT INLOOP_PG_FSYNC 2>/dev/null || true

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

pg_bin() {
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && echo "$dir"
}

# Installs what is missing, in one apt transaction.
install_packages() {
  local wanted=()
  [ -n "$(pg_bin)" ] || wanted+=(postgresql)
  command -v redis-server >/dev/null || wanted+=(redis-server)
  command -v dockerd >/dev/null || wanted+=(docker.io containerd runc iptables)
  command -v tini >/dev/null || wanted+=(tini)
  command -v debootstrap >/dev/null || wanted+=(debootstrap)
  if [ "${1:-}" = with-browser ]; then
    command -v chromium >/dev/null || wanted+=(chromium)
    command -v chromedriver >/dev/null || wanted+=(chromium-driver)
    # The deployment tests run the shipped nginx site; the scripts in nfs-setup/ are linted.
    command -v nginx >/dev/null || wanted+=(nginx)
    command -v openssl >/dev/null || wanted+=(openssl)
    command -v shellcheck >/dev/null || wanted+=(shellcheck)
  fi
  command -v curl >/dev/null || wanted+=(curl)
  if [ ${#wanted[@]} -gt 0 ]; then
    log "installing ${wanted[*]}"
    # Packages must not start their system-wide services (PostgreSQL, Redis, nginx on port 80,
    # dockerd): ours run privately under .data/, and a service that fails to start (nginx
    # without IPv6, say) would fail the whole installation.
    local policy=/usr/sbin/policy-rc.d added_policy="" status=0
    if [ ! -e "$policy" ]; then
      as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy"
      added_policy=1
    fi
    as_root apt-get -o DPkg::Lock::Timeout=300 update -qq || status=$?
    if [ "$status" -eq 0 ]; then
      as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
        --no-install-recommends "${wanted[@]}" >/dev/null || status=$?
    fi
    if [ -n "$added_policy" ]; then as_root rm -f "$policy"; fi
    [ "$status" -eq 0 ] || die "installing ${wanted[*]} failed (apt-get exit code $status)"
  fi
}

start_postgres() {
  local bin data=$INLOOP_HOME/postgres
  bin=$(pg_bin) || die "PostgreSQL is not installed"
  mkdir -p "$INLOOP_HOME"
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: the private cluster belongs to the postgres user.
    run_pg() { runuser -u postgres -- "$@"; }
    chmod o+x "$INLOOP_HOME"
  else
    run_pg() { "$@"; }
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    log "creating a private PostgreSQL cluster in $data"
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
    run_pg "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! run_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    run_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=300 -c fsync=$PG_FSYNC" >/dev/null
  fi
}

start_redis() {
  local data=$INLOOP_HOME/redis
  mkdir -p "$data"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    # Sessions and counters carry a TTL and may be evicted when memory runs out; the queue's
    # streams carry none and never are (nfs-setup/README.md says why and how much).
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$data" \
      --appendonly yes --save '' --pidfile "$data/redis.pid" --logfile "$data/redis.log" \
      --maxmemory 512mb --maxmemory-policy volatile-lru >/dev/null
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  # A Redis started by an older version of this script gets the same limits.
  redis-cli -p "$REDIS_PORT" config set maxmemory 512mb >/dev/null
  redis-cli -p "$REDIS_PORT" config set maxmemory-policy volatile-lru >/dev/null
}

start_docker() {
  if curl -fsS --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; then
    return
  fi
  log "starting the Docker engine"
  if [ ! -f /etc/docker/daemon.json ]; then
    as_root mkdir -p /etc/docker
    # Cap container logs: a student's endless output must not fill the disk.
    echo '{"storage-driver":"overlay2","log-driver":"json-file","log-opts":{"max-size":"1m","max-file":"1"}}' \
      | as_root tee /etc/docker/daemon.json >/dev/null
  fi
  as_root bash -c 'nohup dockerd >/var/log/dockerd.log 2>&1 &'
  for _ in $(seq 150); do
    curl -fsS --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1 && return
    sleep 0.2
  done
  die "the Docker engine did not start; see /var/log/dockerd.log"
}

services() {
  install_packages "${1:-}"
  start_postgres
  start_redis
  start_docker
  export INLOOP_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/inloop"
  export INLOOP_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/inloop"
  if ! psql "postgres://postgres@127.0.0.1:$PG_PORT/postgres" -Atqc "select 1 from pg_database where datname='inloop'" | grep -q 1; then
    psql "postgres://postgres@127.0.0.1:$PG_PORT/postgres" -qc "create database inloop" >/dev/null
  fi
}

stop() {
  local bin
  bin=$(pg_bin) || true
  if [ -n "$bin" ] && [ -f "$INLOOP_HOME/postgres/PG_VERSION" ]; then
    if [ "$(id -u)" -eq 0 ]; then
      runuser -u postgres -- "$bin/pg_ctl" -D "$INLOOP_HOME/postgres" stop -m fast || true
    else
      "$bin/pg_ctl" -D "$INLOOP_HOME/postgres" stop -m fast || true
    fi
  fi
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

demo() {
  services
  cd "$ROOT"
  log "building inloop (release; the first build takes a few minutes)"
  SQLX_OFFLINE=true cargo build --release --locked --workspace --bins --lib
  local inloop=$ROOT/target/release/inloop
  export INLOOP_DATA_DIR=$INLOOP_HOME/data
  export INLOOP_LISTEN="127.0.0.1:$WEB_PORT"
  export INLOOP_PUBLIC_URL="http://127.0.0.1:$WEB_PORT"
  mkdir -p "$INLOOP_DATA_DIR"
  if [ ! -f "$INLOOP_HOME/secret_key" ]; then
    head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$INLOOP_HOME/secret_key"
  fi
  INLOOP_SECRET_KEY=$(cat "$INLOOP_HOME/secret_key")
  export INLOOP_SECRET_KEY
  "$inloop" migrate
  if [ ! -f "$INLOOP_HOME/demo_password" ]; then
    head -c 12 /dev/urandom | base64 | tr -d '\n/+=' > "$INLOOP_HOME/demo_password"
  fi
  local password
  password=$(cat "$INLOOP_HOME/demo_password")
  for role in admin staff student; do
    printf '%s' "$password" | "$inloop" users create --username "$role" --email "$role@example.org" \
      --role "$role" --password-stdin --if-missing
  done
  demo_course "$inloop"
  log "base images for grading (the first time takes about half a minute)"
  "$inloop" images bootstrap
  "$inloop" runner &
  RUNNER_PID=$!
  trap 'kill "$RUNNER_PID" 2>/dev/null || true' EXIT INT TERM
  cat >&2 <<EOT

  INLOOP is starting at  http://127.0.0.1:$WEB_PORT
  Log in as  admin, staff or student  with the password  $password
  E-mails (activation, password reset) are written to $INLOOP_DATA_DIR/outbox
  A runner host grades submissions here too (the first one of a language builds its image).
  Stop with Ctrl-C; ./inloop.sh stop stops PostgreSQL and Redis.

EOT
  "$inloop" serve
}

# The demo course: the project's fixture task repository, committed into a Git repository of its
# own under $INLOOP_HOME and synced like any course's repository.
demo_course() {
  local inloop=$1 course=$INLOOP_HOME/demo-course
  mkdir -p "$course"
  find "$course" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
  cp -r "$ROOT/tests/fixtures/tasks/." "$course/"
  (
    cd "$course"
    [ -d .git ] || git init -q -b main
    git add -A
    git -c user.name="INLOOP demo" -c user.email=demo@example.org commit -qm "Demo course" >/dev/null 2>&1 || true
  )
  "$inloop" tasks list | grep -q '^demo ' || "$inloop" tasks add demo --url "file://$course" --branch main
  "$inloop" tasks sync demo
}

run_tests() {
  services with-browser
  cd "$ROOT"
  export SQLX_OFFLINE=true
  export INLOOP_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  export INLOOP_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  log "shellcheck (this script and the installation scripts)"
  shellcheck inloop.sh .ci/run nfs-setup/*/*.sh
  log "cargo fmt --check"
  cargo fmt --all -- --check
  log "cargo clippy (warnings denied)"
  cargo clippy --locked --workspace --all-targets -- -D warnings
  log "cargo deny (licenses, banned crates, sources; deny.toml)"
  # Pinned, built once per machine; the advisory check needs a network, so it is not run here.
  if ! cargo deny --version 2>/dev/null | grep -qx "cargo-deny $CARGO_DENY_VERSION"; then
    cargo install --locked --quiet "cargo-deny@$CARGO_DENY_VERSION"
  fi
  cargo deny --log-level error check licenses bans sources
  log "cargo build (the grading plugins are shared libraries the tests load)"
  cargo build --locked --workspace
  log "base images for grading"
  ./target/debug/inloop images bootstrap
  log "cargo test"
  cargo test --locked --workspace --all-targets
}

# Measures the web server alone: wrk against the logged-in home page and a task page, with PostgreSQL, Redis and
# wrk on this same machine, and the server's resident memory sampled during the run.
bench() {
  services
  command -v wrk >/dev/null || { as_root apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk >/dev/null; }
  cd "$ROOT"
  SQLX_OFFLINE=true cargo build --release --locked --workspace --bins --lib
  local inloop=$ROOT/target/release/inloop port=8090 db=inloop_bench
  local admin_url="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  psql "$admin_url" -qc "drop database if exists $db" >/dev/null
  psql "$admin_url" -qc "create database $db" >/dev/null
  export INLOOP_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/$db"
  export INLOOP_DATA_DIR=$INLOOP_HOME/bench INLOOP_LISTEN="127.0.0.1:$port" INLOOP_PUBLIC_URL="http://127.0.0.1:$port"
  export INLOOP_SECRET_KEY=bench-secret-key-bench-secret-key-bench INLOOP_REDIS_PREFIX=bench RUST_LOG=warn
  "$inloop" migrate >/dev/null
  printf 'load test password' | "$inloop" users create --username bench --email bench@example.org --password-stdin >/dev/null
  demo_course "$inloop" >/dev/null
  "$inloop" serve & local server=$!
  trap 'kill $server 2>/dev/null || true' RETURN
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  local jar token cookie
  jar=$(mktemp)
  token=$(curl -fsS -c "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -n1 | sed 's/.*value="//;s/"$//')
  curl -fsS -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$token" \
    --data-urlencode login=bench --data-urlencode 'password=load test password' "http://127.0.0.1:$port/login"
  cookie=$(awk '$6 == "inloop_session" {print $7}' "$jar")
  curl -fsS -H "Cookie: inloop_session=$cookie" "http://127.0.0.1:$port/" | grep -q 'Hello, bench' \
    || die "the benchmark user is not logged in"
  for page in / /tasks/a-counter; do
    log "wrk -t2 -c32 -d15s --latency against the logged-in page $page"
    local peak=0 rss
    ( while kill -0 $server 2>/dev/null; do ps -o rss= -p $server; sleep 0.5; done ) > "$jar.rss" &
    local sampler=$!
    wrk -t2 -c32 -d15s --latency -H "Cookie: inloop_session=$cookie" "http://127.0.0.1:$port$page" | tee "$jar.wrk"
    kill $sampler 2>/dev/null || true
    while read -r rss; do [ "${rss:-0}" -gt "$peak" ] && peak=$rss; done < "$jar.rss"
    printf '\n%s  requests/s: %s   p50: %s   p99: %s   peak resident memory: %s MB\n' "$page" \
      "$(awk '/Requests\/sec/ {print $2}' "$jar.wrk")" \
      "$(awk '$1 == "50%" {print $2}' "$jar.wrk")" \
      "$(awk '$1 == "99%" {print $2}' "$jar.wrk")" \
      "$((peak / 1024))"
    if grep -q "Non-2xx" "$jar.wrk"; then die "some requests to $page failed"; fi
  done
  rm -f "$jar" "$jar.rss" "$jar.wrk"
  kill $server 2>/dev/null || true
  log "grading: the Java fixture task, inloop against bare docker run"
  "$inloop" images bootstrap
  "$inloop" bench --tasks "$ROOT/tests/fixtures/tasks" --task java-counter -n 15 -j 2
  log "submissions: the whole path through server, Redis, runner and Docker"
  SQLX_OFFLINE=true cargo build --release --locked -p inloop-tests --bin bench-submissions
  INLOOP_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres" INLOOP_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
    RUST_LOG=error "$ROOT/target/release/bench-submissions"
  log "re-testing: a burst of submissions beside a re-test of 300 solutions"
  SQLX_OFFLINE=true cargo build --release --locked -p inloop-tests --bin bench-retest
  INLOOP_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres" INLOOP_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
    RUST_LOG=error "$ROOT/target/release/bench-retest"
  log "plagiarism: detection quality on the corpora, and 1,000 solutions of one task compared"
  SQLX_OFFLINE=true cargo build --release --locked -p inloop-tests --bin bench-similarity
  "$ROOT/target/release/bench-similarity" 1000
}

# wrk against the logged-in staff pages of a seeded course (tests/bench/seed-course.sql).
bench_staff() {
  services
  command -v wrk >/dev/null || { as_root apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk >/dev/null; }
  cd "$ROOT"
  SQLX_OFFLINE=true cargo build --release --locked -p inloop-cli
  local inloop=$ROOT/target/release/inloop port=8091 db=inloop_bench_staff
  local admin_url="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  psql "$admin_url" -qc "drop database if exists $db" >/dev/null
  psql "$admin_url" -qc "create database $db" >/dev/null
  export INLOOP_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/$db"
  export INLOOP_DATA_DIR=$INLOOP_HOME/bench-staff INLOOP_LISTEN="127.0.0.1:$port" INLOOP_PUBLIC_URL="http://127.0.0.1:$port"
  export INLOOP_SECRET_KEY=bench-secret-key-bench-secret-key-bench INLOOP_REDIS_PREFIX=bench-staff RUST_LOG=warn
  "$inloop" migrate >/dev/null
  printf 'load test password' | "$inloop" users create --username tutor --email tutor@example.org --role staff --password-stdin >/dev/null
  log "seeding 1,000 students x 20 tasks x 10 solutions"
  psql "$INLOOP_DATABASE_URL" -q -f "$ROOT/tests/bench/seed-course.sql" >/dev/null
  local task
  task=$(psql "$INLOOP_DATABASE_URL" -tAc "select id from tasks where slug = 'bench-task-7'")
  "$inloop" serve & local server=$!
  trap 'kill $server 2>/dev/null || true' RETURN
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  local jar token cookie
  jar=$(mktemp)
  token=$(curl -fsS -c "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -n1 | sed 's/.*value="//;s/"$//')
  curl -fsS -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$token" \
    --data-urlencode login=tutor --data-urlencode 'password=load test password' "http://127.0.0.1:$port/login"
  cookie=$(awk '$6 == "inloop_session" {print $7}' "$jar")
  curl -fsS -H "Cookie: inloop_session=$cookie" "http://127.0.0.1:$port/staff/tasks/$task" | grep -q 'Bench task 7' \
    || die "the benchmark tutor does not see the task overview"
  # The statistics page reads its figures at most once a minute per filter: first the time
  # of a reading (nothing cached), then wrk against the page as staff reload it.
  for page in "/staff/statistics" "/staff/statistics?group=1" "/staff/statistics?from=2026-01-01&until=2030-12-31" \
              "/staff/grades/download?preset=custom&counting=last&columns=username&format=csv" \
              "/staff/grades/download?preset=tud-bonus&format=csv"; do
    printf '%s  first load (nothing cached): %s s\n' "$page" \
      "$(curl -fsS -o /dev/null -w '%{time_total}' -H "Cookie: inloop_session=$cookie" "http://127.0.0.1:$port$page")"
  done
  for page in "/staff/tasks/$task" "/staff/tasks/$task?group=1&page=7" "/staff/solutions" \
              "/staff/solutions?task=$task&outcome=failed" "/staff/solutions?student=student999" \
              "/staff/solutions?student=student42" "/staff/statistics" "/staff/statistics?group=1"; do
    log "wrk -t2 -c32 -d15s --latency against $page"
    wrk -t2 -c32 -d15s --latency -H "Cookie: inloop_session=$cookie" "http://127.0.0.1:$port$page" | tee "$jar.wrk"
    printf '\n%s  requests/s: %s   p50: %s   p99: %s\n' "$page" \
      "$(awk '/Requests\/sec/ {print $2}' "$jar.wrk")" \
      "$(awk '$1 == "50%" {print $2}' "$jar.wrk")" \
      "$(awk '$1 == "99%" {print $2}' "$jar.wrk")"
    if grep -q "Non-2xx" "$jar.wrk"; then die "some requests to $page failed"; fi
  done
  rm -f "$jar" "$jar.wrk"
}

case "${1:-}" in
  demo) demo ;;
  bench) bench ;;
  bench-staff) bench_staff ;;
  test) run_tests ;;
  services) services with-browser
    printf 'export INLOOP_DATABASE_URL=%s\nexport INLOOP_REDIS_URL=%s\nexport DATABASE_URL=%s\n' \
      "$INLOOP_DATABASE_URL" "$INLOOP_REDIS_URL" "$DATABASE_URL"
    printf 'export INLOOP_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:%s/postgres\nexport INLOOP_TEST_REDIS_URL=redis://127.0.0.1:%s\n' "$PG_PORT" "$REDIS_PORT" ;;
  stop) stop ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
