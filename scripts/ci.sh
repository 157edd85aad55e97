#!/usr/bin/env bash
# The project's whole check, as CI runs it: types, lint (code, formatting, workflows), tests, dist freshness.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
rm -f build/jest-*.json
# With the real-VM tests on, the images they use are built ahead of them, beside the checks and unit
# tests (scripts/prebuild-images.ts says how; jest.sequencer.js orders the suites to match). On a warm
# cache it only finds each image cached.
prebuild=''
joins=''
if [ "${ZJM_VM_TESTS:-}" = 1 ]; then
  # debian-12 first and at the normal priority: both groups of VM suites below start with it. The rest at
  # the lowest, so that they take what the suites leave, and a suite that needs one waits for it.
  node --import tsx scripts/prebuild-images.ts debian-12 --idle debian-11 debian-13 debian-13-containerd2 \
    >build/prebuild-images.log 2>&1 &
  prebuild=$!
  # A run that stops early stops the prebuild and the join suite too, which clean up after themselves on SIGTERM.
  trap 'for p in $prebuild $joins; do kill "$p" 2>/dev/null; done; wait' EXIT
fi
npm run typecheck || exit 1
npm run lint || exit 1
# The end-to-end tests run dist/ the way the runner does (npm test's pretest does the same).
npm run build || exit 1
# jest itself, not through npx: the pid of a background run is then jest's, which the trap above can stop.
jest() { NODE_OPTIONS=--experimental-vm-modules NODE_NO_WARNINGS=1 node_modules/.bin/jest "$@"; }
if [ -n "$prebuild" ]; then
  # The real-VM suites in two jest processes side by side, since under one suite the CPU is a third idle
  # (the README has the figures): the join suite (Ansible and guests, mostly waiting on one another),
  # then probe-checkout, beside the unit tests and the other VM suites (jest.sequencer.js orders each). The soak runs alone at the end: its checks of the loop devices and
  # the image cache hold only with nothing else beside it.
  NODE_OPTIONS=--experimental-vm-modules NODE_NO_WARNINGS=1 node_modules/.bin/jest \
    __tests__/vm/join.test.ts __tests__/vm/probe-checkout.test.ts \
    --json --outputFile=build/jest-join.json >build/jest-join.log 2>&1 &
  joins=$!
  jest --testPathIgnorePatterns '__tests__/vm/(join|probe-checkout|soak)\.test\.ts' --json --outputFile=build/jest-main.json
  main=$?
  wait "$joins"
  join=$?
  joins=''
  echo "join and probe-checkout suites (exit $join, build/jest-join.log):"
  cat build/jest-join.log
  jest __tests__/vm/soak.test.ts --json --outputFile=build/jest-soak.json
  soak=$?
  status=$((main || join || soak))
else
  jest --json --outputFile=build/jest-main.json
  status=$?
fi
# One plain closing line that any CI reads: 'N passed, N failed, N skipped'.
node -e '
  const fs = require("fs");
  const runs = ["main", "join", "soak"].map(n => `build/jest-${n}.json`).filter(f => fs.existsSync(f))
    .map(f => JSON.parse(fs.readFileSync(f, "utf8")));
  const sum = k => runs.reduce((n, r) => n + r[k], 0);
  console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
' || true
if [ -n "$prebuild" ]; then
  wait "$prebuild"
  echo "image prebuild (exit $?, build/prebuild-images.log):"
  grep -E '^(prebuild|[a-z0-9-]+: (built|cached|building|image)|error)' build/prebuild-images.log || true
  prebuild=''
fi
[ "$status" -eq 0 ] || exit "$status"
npm run check-dist
