#!/usr/bin/env bash
# Runs one browser test (browser_test.js NAME) with puppeteer-core from npm,
# installed once per build tree (npm ci, from package-lock.json) into
# <build>/tests/browser, and Debian's Chromium. Skips (77) without node or
# Chromium; an npm install that fails is a failure (CI has the registry).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${BROWSER_TEST_WORK:?}"
command -v node >/dev/null || { echo "SKIP: no node (apt-get install nodejs npm)"; exit 77; }
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "SKIP: no $chromium (apt-get install chromium)"; exit 77; }
mkdir -p "$work"
(
  # Both tests may start at once: one installs, the other waits.
  flock 9
  if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/puppeteer-core" ]; then
    cp "$here/package.json" "$here/package-lock.json" "$work/"
    (cd "$work" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
) 9>"$work/.install-lock"
export NODE_PATH="$work/node_modules" CHROMIUM="$chromium"
exec node "$here/browser_test.js" "$@"
