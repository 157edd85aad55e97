#!/usr/bin/env bash
# The project's whole check, as CI runs it: types, lint (code, formatting, workflows), tests, dist freshness.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
# With the real-VM tests on, the images they use are built ahead of them, beside the checks and unit
# tests, at the lowest CPU and I/O priority (scripts/prebuild-images.ts says why; jest.sequencer.js
# orders the suites to match). On a warm cache it only finds each image cached.
prebuild=''
if [ "${ZJM_VM_TESTS:-}" = 1 ]; then
  nice -n 19 ionice -c 3 node --import tsx scripts/prebuild-images.ts debian-12 debian-11 debian-13 debian-13-containerd2 \
    >build/prebuild-images.log 2>&1 &
  prebuild=$!
  # A run that stops early stops the prebuild too, which cleans up after itself on SIGTERM.
  trap '[ -n "$prebuild" ] && kill "$prebuild" 2>/dev/null; wait' EXIT
fi
npm run typecheck || exit 1
npm run lint || exit 1
npm test -- --json --outputFile=build/jest-results.json
status=$?
# One plain closing line that any CI reads: 'N passed, N failed, N skipped'.
node -e '
  const r = JSON.parse(require("fs").readFileSync("build/jest-results.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
if [ -n "$prebuild" ]; then
  wait "$prebuild"
  echo "image prebuild (exit $?, build/prebuild-images.log):"
  grep -E '^(prebuild|[a-z0-9-]+: (built|cached|building|image)|error)' build/prebuild-images.log || true
  prebuild=''
fi
[ "$status" -eq 0 ] || exit "$status"
npm run check-dist
