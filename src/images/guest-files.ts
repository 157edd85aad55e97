/**
 * Files the builder writes into every node image. The image is built once and cached; what differs
 * per VM (the run's ssh key, the private-network address, the hostname) arrives on the kernel command
 * line and is applied by zjm-boot before sshd starts, so no per-run image rebuild is needed.
 */
export interface GuestFile {
  readonly path: string
  readonly content: string
  readonly mode: number
}

/** Kernel command line keys read by zjm-boot. */
export const CMDLINE = { key: 'zjm.key', ip: 'zjm.ip', hostname: 'zjm.hostname', dns: 'zjm.dns' } as const

const BOOT_SCRIPT = `#!/bin/sh
# zjm-boot: applies the per-VM settings passed on the kernel command line.
set -eu
arg() { tr ' ' '\\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
key=$(arg ${CMDLINE.key})
if [ -n "$key" ]; then
  install -d -m 700 /root/.ssh
  printf '%s\\n' "$key" | base64 -d > /root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
fi
name=$(arg ${CMDLINE.hostname})
if [ -n "$name" ]; then
  hostname "$name"
  printf '%s\\n' "$name" > /etc/hostname
  printf '127.0.0.1 localhost\\n127.0.1.1 %s\\n::1 localhost\\n' "$name" > /etc/hosts
fi
ip=$(arg ${CMDLINE.ip})
if [ -n "$ip" ]; then
  mkdir -p /run/systemd/network
  printf '[Match]\\nName=eth1\\n\\n[Network]\\nAddress=%s\\nLinkLocalAddressing=no\\n' "$ip" > /run/systemd/network/20-private.network
fi
dns=$(arg ${CMDLINE.dns})
# Without outbound access nothing answers DNS: point the resolver at loopback so lookups fail at once.
printf 'nameserver %s\\n' "\${dns:-127.0.0.1}" > /etc/resolv.conf
# Nor does the mirror answer: with no sources, "apt-get update" (kubespray runs it before installing
# the packages the image already has) succeeds at once instead of failing on every fetch.
if [ -z "$dns" ] && [ -s /etc/apt/sources.list ]; then
  mv /etc/apt/sources.list /etc/apt/sources.list.no-route
fi
`

const BOOT_UNIT = `[Unit]
Description=zfs-join-matrix per-VM settings from the kernel command line
DefaultDependencies=no
After=local-fs.target
Before=ssh.service systemd-networkd.service network-pre.target
Wants=network-pre.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/zjm-boot
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
`

const USER_NETWORK = `[Match]
Name=eth0

[Network]
DHCP=ipv4
LinkLocalAddressing=no

[DHCPv4]
UseDNS=no
`

const SSHD = `# zfs-join-matrix: key-only root login for the harness; no DNS lookups (there is no resolver).
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
`

export const GUEST_FILES: readonly GuestFile[] = [
  { path: '/usr/local/sbin/zjm-boot', content: BOOT_SCRIPT, mode: 0o755 },
  { path: '/etc/systemd/system/zjm-boot.service', content: BOOT_UNIT, mode: 0o644 },
  { path: '/etc/systemd/network/10-user.network', content: USER_NETWORK, mode: 0o644 },
  { path: '/etc/ssh/sshd_config.d/zjm.conf', content: SSHD, mode: 0o644 },
  { path: '/etc/hosts', content: '127.0.0.1 localhost\n::1 localhost\n', mode: 0o644 },
  { path: '/etc/hostname', content: 'zjm-node\n', mode: 0o644 },
  { path: '/etc/fstab', content: '/dev/vda / ext4 rw,relatime 0 1\n', mode: 0o644 },
  {
    path: '/usr/sbin/policy-rc.d',
    content: '#!/bin/sh\n# no service starts inside the build chroot\nexit 101\n',
    mode: 0o755
  }
]

/** Units enabled in the image. */
export const ENABLED_UNITS = ['zjm-boot.service', 'systemd-networkd.service', 'ssh.service'] as const

/**
 * Units masked in the image: containerd must not start before its ZFS datasets exist (it would create
 * its state on ext4); Debian's docker-registry wants auth, the probe runs its own; and nothing may reach
 * for the internet on its own (timers, time sync).
 */
export const MASKED_UNITS = [
  'containerd.service',
  'docker-registry.service',
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'man-db.timer',
  'e2scrub_all.timer',
  'fstrim.timer',
  'systemd-timesyncd.service',
  'zfs-zed.service'
] as const
