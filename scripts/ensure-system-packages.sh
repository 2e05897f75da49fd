#!/usr/bin/env bash
# The system packages Medius's tests and PDFs need, installed when missing (as root, with apt-get). `make test` and
# `make run` call this, so a newcomer needs nothing but these two commands; .ci/run adds nothing of its own.
#   chromium                    browser journeys (Playwright drives Debian's Chromium; its own download is not used)
#   fonts-dejavu-core, fonts-noto-core, fonts-noto-cjk
#                               fonts for pages and printed programs (Latin, Greek, Cyrillic; Chinese, Japanese, Korean)
#   libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz0b, libharfbuzz-subset0
#                               what WeasyPrint (the PDF renderer) loads at run time
#   poppler-utils               pdftotext/pdftoppm: tests read the text and pictures of rendered PDFs
#   gettext                     compiling translation catalogues
#   nginx, pgbouncer            the scale-out test's reverse proxy and connection pooler
#   redis-server                private Redis servers that the fault and scale-out tests start and stop
#   postgresql                  a private PostgreSQL cluster that the database-outage test starts and stops
#   postgresql-client           pg_isready, pg_dump, psql
# Usage: ensure-system-packages.sh [run|test]  (run needs only what serving the product needs)
set -euo pipefail
purpose=${1:-test}
packages=(fonts-dejavu-core fonts-noto-core fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0)
if [ "$purpose" = test ]; then
  packages+=(chromium poppler-utils gettext nginx pgbouncer postgresql-client redis-server postgresql)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts nginx and pgbouncer on install; the tests start their own private instances.
  for service in nginx pgbouncer; do  # (redis-server and postgresql: ensure-services.sh starts the shared ones)
    if printf '%s\n' "${missing[@]}" | grep -qx "$service"; then
      pkill -x "$service" 2>/dev/null || true
    fi
  done
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
