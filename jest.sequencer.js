/**
 * The order of the test files: unit tests first, then the real-VM suites in the order of the images
 * they need, the order scripts/prebuild-images.ts builds them in for CI (debian-12, debian-11,
 * debian-13, debian-13-containerd2), so that on an empty image cache each suite finds its images built
 * by the time it starts, or nearly. The soak comes last: it checks that the image cache and the loop
 * devices do not change across its runs, which holds only once no build is running beside it. (CI runs
 * the join and probe-checkout suites in a jest of their own beside the rest, the soak alone after both:
 * scripts/ci.sh.)
 */
const VM_ORDER = [
  'join',
  'stopped-guest',
  'doctor',
  'probe',
  'nodes',
  'zfs-store',
  'action-images',
  'build-interrupt',
  'probe-checkout',
  'soak'
]

/** A suite's place: unit tests 0, the listed VM suites 1…, a VM suite not listed before the soak. */
function rank(path) {
  const vm = /__tests__\/vm\/([\w-]+)\.test\.ts$/.exec(path)
  if (vm === null) return 0
  const at = VM_ORDER.indexOf(vm[1])
  return at === -1 ? VM_ORDER.length - 0.5 : at + 1
}

export default class CiOrder {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path))
  }

  cacheResults() {}
}
