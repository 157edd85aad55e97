#!/usr/bin/env bash
# Rebuilds dist/ and fails when the committed bundle differs: the published action runs dist/, not src/.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
if ! git diff --quiet -- dist || [ -n "$(git ls-files --others --exclude-standard -- dist)" ]; then
  echo "dist/ is out of date with src/: run 'npm run build' and commit dist/." >&2
  git --no-pager diff --stat -- dist >&2
  git ls-files --others --exclude-standard -- dist >&2
  exit 1
fi
echo "dist/ is up to date"
