# Sourced by .ci/run: starts a throwaway PostgreSQL cluster on a loopback
# port and exports TEST_DATABASE_URL for the store and replica tests.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# unprivileged "postgres" user the package creates (or one made here).
# Returns non-zero (and the tests skip, saying so) when no server starts.
start_test_postgres() {
  local bin initdb
  initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$initdb" ] && command -v initdb >/dev/null; then initdb=$(command -v initdb); fi
  if [ -z "$initdb" ]; then
    echo "ci: no PostgreSQL server binaries: the PostgreSQL tests will be skipped" >&2
    return 1
  fi
  bin=$(dirname "$initdb")
  local run=() owner
  owner=$(id -un)
  if [ "$(id -u)" = 0 ]; then
    owner=postgres
    id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
    run=(runuser -u "$owner" --)
  fi
  PG_TEST_DIR=$(mktemp -d /tmp/conformbot-pg.XXXXXX)
  chown "$owner" "$PG_TEST_DIR"
  chmod 700 "$PG_TEST_DIR"
  local port=$(( 20000 + RANDOM % 20000 ))
  # From a directory the server's user can read (the checkout may be under /root).
  cd "$PG_TEST_DIR"
  if ! "${run[@]}" "$bin/initdb" -D "$PG_TEST_DIR/data" -U bot -A trust --no-sync -E UTF8 >"$PG_TEST_DIR/initdb.log" 2>&1; then
    echo "ci: initdb failed:" >&2; cat "$PG_TEST_DIR/initdb.log" >&2
    cd "$OLDPWD"; return 1
  fi
  # A throwaway cluster: durability off, loopback and a private socket only.
  if ! "${run[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 30 start \
      -o "-h 127.0.0.1 -p $port -k $PG_TEST_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null; then
    echo "ci: PostgreSQL did not start:" >&2; cat "$PG_TEST_DIR/server.log" >&2
    cd "$OLDPWD"; return 1
  fi
  cd "$OLDPWD"
  PG_TEST_STOP=("${run[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate stop)
  export TEST_DATABASE_URL="postgres://bot@127.0.0.1:$port/postgres?sslmode=disable"
  echo "ci: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

stop_test_postgres() {
  if [ -n "${PG_TEST_STOP[*]:-}" ]; then (cd / && "${PG_TEST_STOP[@]}" >/dev/null 2>&1) || true; fi
  if [ -n "${PG_TEST_DIR:-}" ]; then rm -rf "$PG_TEST_DIR"; fi
}
