#!/usr/bin/env bash
# Debian packages the test suite needs: PostgreSQL server, Chromium (driven by Playwright; never a
# downloaded browser), npm (installs axe-core), CJK fonts and Java 17 (for Spark). Installs what is
# missing when run as root; otherwise says what to install.
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# npm installs axe-core, the accessibility checker of the browser tests (scripts/ensure-axe.sh).
command -v npm >/dev/null 2>&1 || missing+=(npm)
# Read the font list whole before matching: `fc-list | grep -q` under pipefail fails at random when grep
# exits at the first match and fc-list dies of SIGPIPE.
fonts=$(fc-list 2>/dev/null || true)
[[ "${fonts,,}" == *"noto sans cjk"* ]] || missing+=(fonts-noto-cjk)
# WeasyPrint (assessment PDF) loads Pango through cffi.
ls /usr/lib/*/libpango-1.0.so.0 >/dev/null 2>&1 || missing+=(libpango-1.0-0)
ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || missing+=(libpangoft2-1.0-0)
# The Spark engine's tests (PySpark in local mode) start a JVM: Java 17.
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "envplan tests need these Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
