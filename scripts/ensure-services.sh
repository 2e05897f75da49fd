#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1; start them (as the handbook says) when they do not.
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

# A bare machine may lack the servers themselves: install Debian's packages (as root) before starting them.
install_missing() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 0
  echo "Installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if ! pg_up && ! command -v pg_ctlcluster >/dev/null; then install_missing postgresql; fi
if ! pg_up && [ "$(id -u)" = 0 ]; then
  # A server we start ourselves is the test machine's: the tests sign in as postgres over 127.0.0.1 without a
  # password, as on the development machines (a freshly installed Debian cluster asks for one).
  for hba in /etc/postgresql/*/main/pg_hba.conf; do
    [ -f "$hba" ] && sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  done
fi
if ! redis_up && ! command -v redis-server >/dev/null; then install_missing redis-server; fi

if ! pg_up; then
  echo "PostgreSQL is not answering; starting it"
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "PostgreSQL did not start: set DATABASE_URL to a running server" >&2; exit 1; }
fi

if ! redis_up; then
  echo "Redis is not answering; starting it"
  if command -v redis-server >/dev/null; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  fi
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  redis_up || { echo "Redis did not start: set REDIS_URL to a running server" >&2; exit 1; }
fi
echo "PostgreSQL and Redis are up"
