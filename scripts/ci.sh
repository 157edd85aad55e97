#!/usr/bin/env bash
# The project's whole check, as CI runs it: types, lint (code, formatting, workflows), tests, dist freshness.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run typecheck || exit 1
npm run lint || exit 1
mkdir -p build
npm test -- --json --outputFile=build/jest-results.json
status=$?
# One plain closing line that any CI reads: 'N passed, N failed, N skipped'.
node -e '
  const r = JSON.parse(require("fs").readFileSync("build/jest-results.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
[ "$status" -eq 0 ] || exit "$status"
npm run check-dist
