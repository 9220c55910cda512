#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server: Debian's binaries, a temporary data folder,
# started as a normal process under a non-root user, stopped (and removed) afterwards whatever happens.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]   (the command sees ENVPLAN_DATABASE_URL)
set -euo pipefail
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ]; then
  echo "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi
workdir=$(mktemp -d /tmp/envplan-pg.XXXXXX)
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  pg_user=postgres
  id "$pg_user" >/dev/null 2>&1 || pg_user=envplan-pg
  id "$pg_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$pg_user"
  chown "$pg_user" "$workdir"
  run_as=(runuser -u "$pg_user" --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  "${run_as[@]}" "$pgbin/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop EXIT
"${run_as[@]}" "$pgbin/initdb" -D "$workdir/data" -U envplan --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# fsync off: a throw-away test server; durability is not under test here.
"${run_as[@]}" "$pgbin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
  -o "-h 127.0.0.1 -p $port -k $workdir -c fsync=off -c full_page_writes=off" start >/dev/null
"${run_as[@]}" "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U envplan envplan
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
ENVPLAN_DATABASE_URL="postgres://envplan@127.0.0.1:$port/envplan" "$@"
