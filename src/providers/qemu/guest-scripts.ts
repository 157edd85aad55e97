import type { NodeVersions } from '../../results/cell-result.js'

/** The guest pool and the datasets containerd's state lives on. */
export const GUEST_POOL = 'zjm'
export const CONTAINERD_DATASET = `${GUEST_POOL}/containerd`
/** containerd's zfs snapshotter only loads when its root is a dataset's mountpoint. */
export const ZFS_SNAPSHOTTER_DATASET = `${CONTAINERD_DATASET}/zfs-snapshotter`
export const CLEAN_SNAPSHOT = 'clean'

/**
 * Creates the in-guest pool on the second disk and puts /var/lib/containerd on it, then snapshots the
 * empty state that `reset` returns to. containerd stays stopped (it is masked in the image so it cannot
 * start on ext4 before this); scenarios start it with their own config.
 */
export const SETUP_POOL = `set -eu
modprobe zfs
zpool create -f -o ashift=12 -O compression=lz4 -O atime=off -O mountpoint=none ${GUEST_POOL} /dev/vdb
zfs create -o mountpoint=/var/lib/containerd ${CONTAINERD_DATASET}
zfs create -o mountpoint=/var/lib/containerd/io.containerd.snapshotter.v1.zfs ${ZFS_SNAPSHOTTER_DATASET}
zfs snapshot -r ${CONTAINERD_DATASET}@${CLEAN_SNAPSHOT}
systemctl unmask containerd.service
`

/**
 * awk over `zfs list -H -o name,origin -t filesystem,snapshot`: the roots of the snapshotter's clone
 * trees, the datasets with no clean snapshot whose origin is not another such dataset (none, or a clean
 * one's snapshot). A layer is a clone of its parent layer's snapshot, so destroying each root with -R
 * takes its whole tree in one command.
 */
export const LAYER_ROOTS = `awk -F'\\t' '{ split($1, at, "@") }
  at[2] == "" { ds[$1] = 1; origin[$1] = $2 }
  at[2] == "${CLEAN_SNAPSHOT}" { clean[at[1]] = 1 }
  END { for (d in ds) if (!(d in clean)) { o = origin[d]; sub("@.*", "", o); if (!(o in ds) || (o in clean)) print d } }'`

/** awk over the same listing: the datasets that have the clean snapshot, to roll back. */
export const CLEAN_DATASETS = `awk -F'\\t' '{ split($1, at, "@") } at[2] == "${CLEAN_SNAPSHOT}" { print at[1] }'`

/**
 * Back to the clean state in seconds: stop containerd and its shims, drop container mounts, destroy every
 * dataset created since (the zfs snapshotter makes one per layer), roll the rest back. Under TCG each
 * process costs a tenth of a second or more, so the script starts as few as it can.
 */
export const RESET = `set -eu
systemctl stop containerd.service 2>/dev/null || true
# The unit stops only containerd itself (KillMode=process): its shims stay in its cgroup (v2, or v1's
# systemd hierarchy), killed from there by the shell alone; pkill only where neither hierarchy exists.
procs=
for f in /sys/fs/cgroup/system.slice/containerd.service/cgroup.procs /sys/fs/cgroup/systemd/system.slice/containerd.service/cgroup.procs; do
  if [ -f "$f" ]; then procs=$f; break; fi
done
if [ -n "$procs" ]; then
  while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done < "$procs"
elif [ ! -d /sys/fs/cgroup/system.slice ] && [ ! -d /sys/fs/cgroup/systemd/system.slice ]; then
  pkill -9 -f containerd-shim 2>/dev/null || true
fi
awk '$3 != "zfs" && ($2 ~ "^/var/lib/containerd/" || $2 ~ "^/run/containerd/") {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
# One listing (each zfs command costs a few tenths of a second under TCG): the layers' clone trees are
# destroyed root by root (a root may be gone already when its turn comes), the rest roll back.
zfs list -H -o name,origin -t filesystem,snapshot -r ${CONTAINERD_DATASET} > /run/zjm-datasets
${LAYER_ROOTS} /run/zjm-datasets | while read -r ds; do
  zfs destroy -R -f "$ds" 2>/dev/null || ! zfs list -H -o name "$ds" >/dev/null 2>&1
done
${CLEAN_DATASETS} /run/zjm-datasets | while read -r ds; do
  zfs rollback -r "$ds@${CLEAN_SNAPSHOT}"
done
rm -rf /run/zjm-datasets /run/containerd
`

/** Prints `key=value` lines read inside the guest. */
export const FACTS = `echo "kernel=$(uname -r)"
echo "openzfs=$(cat /sys/module/zfs/version 2>/dev/null)"
echo "containerd=$(dpkg-query -W -f '\${Version}' containerd 2>/dev/null)"
echo "runc=$(dpkg-query -W -f '\${Version}' runc 2>/dev/null)"
`

export function parseFacts(text: string): NodeVersions {
  const facts: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^(kernel|openzfs|containerd|runc)=(.+)$/.exec(line.trim())
    if (m !== null) facts[m[1]!] = m[2]!
  }
  return facts
}
