#!/usr/bin/env bash
# axe-core, the accessibility checker the browser tests inject into each page, from the npm registry at
# one pinned version, into var/node (ignored by git). Does nothing when that version is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.14.1
dir=var/node
installed=$(node -p "require('./$dir/node_modules/axe-core/package.json').version" 2>/dev/null || true)
if [ "$installed" = "$AXE_VERSION" ] && [ -f "$dir/node_modules/axe-core/axe.min.js" ]; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "envplan browser tests need npm (Debian package npm) to install axe-core" >&2; exit 1; }
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts --save-exact "axe-core@$AXE_VERSION" >/dev/null
echo "axe-core $AXE_VERSION installed in $dir"
