/**
 * Every input and output, declared once. action.yml, the CLI's flags and the README reference are
 * checked against this list by tests, so a name cannot drift between them.
 */
export interface InputSpec {
  readonly name: string
  readonly description: string
  /** Used when the input is empty: the action runner does not apply action.yml defaults to a bare `node dist/index.js`. */
  readonly default: string
  /** The default action.yml declares, when it is an expression the runner evaluates (e.g. `${{ github.token }}`). */
  readonly actionDefault?: string
  /** Never printed: registered as a secret before anything is logged. */
  readonly secret?: boolean
}

export const INPUTS = [
  {
    name: 'images',
    description: 'Node images (kernel + OpenZFS + containerd) to test, comma or newline separated.',
    default: 'debian-11, debian-12, debian-12-zfs23, debian-13'
  },
  {
    name: 'snapshotters',
    description: 'containerd snapshotters to test: overlayfs, zfs, native.',
    default: 'overlayfs, zfs, native'
  },
  {
    name: 'tools',
    description: 'Image tools kubespray pulls with: nerdctl, crictl, ctr.',
    default: 'nerdctl, crictl, ctr'
  },
  {
    name: 'variants',
    description:
      "Node configurations: kubespray (as kubespray renders it today) and fixed (every image tool given the cell's snapshotter explicitly, the known fix).",
    default: 'kubespray, fixed'
  },
  {
    name: 'tiers',
    description:
      'How deep each cell is tested: lint (static), probe (one VM per image), join (real kubespray), rejoin.',
    default: 'lint, probe'
  },
  {
    name: 'include',
    description:
      'Only cells matching one of these patterns (image/snapshotter/tool/variant, `*` wildcards, missing trailing parts match all, e.g. `debian-12/*/nerdctl`).',
    default: ''
  },
  {
    name: 'exclude',
    description: 'Drop cells matching any of these patterns (same form as include).',
    default: ''
  },
  {
    name: 'kubespray-path',
    description:
      'The kubespray checkout to lint and join with. Lint and join cells are skipped when it is not a kubespray tree.',
    default: '',
    actionDefault: '${{ github.workspace }}'
  },
  {
    name: 'kubespray-ref',
    description: 'Git ref of kubespray to test (lint and join tiers); empty tests the checkout as it is.',
    default: ''
  },
  {
    name: 'kubespray-vars',
    description:
      "A YAML file of kubespray group vars given to every join (offline mode: files_repo, registry_host, the *_download_url, *_image_repo). The matrix's own variables (containerd_snapshotter, nerdctl_snapshotter, image_command_tool, nerdctl_image_pull_command, container_manager) cannot be set here.",
    default: ''
  },
  {
    name: 'ansible',
    description:
      "Where the Ansible that runs kubespray comes from: venv (a virtualenv with the checkout's requirements.txt, as kubespray installs it, from wheels kept in image-cache and GitHub's cache), system (ansible-playbook on PATH), or auto (venv on GitHub runners, system elsewhere).",
    default: 'auto'
  },
  {
    name: 'probe-binaries',
    description:
      "What the probe's nodes run: debian (the image's own containerd and runc) or checkout (the containerd, runc, nerdctl and crictl the kubespray checkout pins: its download URLs and checksums, fetched by the host, so GitHub, or the files_repo kubespray-vars gives, must be reachable).",
    default: 'debian'
  },
  {
    name: 'guest-network',
    description:
      "Network for the test VMs besides their private link: restricted (none; join cells are skipped unless kubespray-vars points files_repo and registry_host at mirrors the guests reach) or outbound (the runner's network, for kubespray's downloads).",
    default: 'restricted'
  },
  {
    name: 'baseline',
    description: 'A results.json from an earlier run: cells that passed there and fail now are regressions.',
    default: ''
  },
  {
    name: 'write-baseline',
    description: "Write this run's results as a baseline file at this path.",
    default: ''
  },
  {
    name: 'fail-on',
    description:
      'When the step fails: regressions (a cell that passed in the baseline fails now; a harness error, a cell that could not be tested, fails always), failures (any failed or errored cell), never.',
    default: 'regressions'
  },
  {
    name: 'fail-on-empty',
    description:
      'Fail the step when no tier tested any cell (every cell skipped or errored), whatever `fail-on` says: a matrix that tested nothing must not pass as green. false to allow it.',
    default: 'true'
  },
  {
    name: 'mode',
    description:
      'all (plan, run, report), plan (emit the cells as a strategy.matrix), run (one shard), report (merge shards and report), images (build and boot the node images), diagnose (name the known failures in the logs given as `logs`), doctor (inspect the nodes given as `hosts` or `inventory` over ssh, read-only, and predict what a join hits).',
    default: 'all'
  },
  {
    name: 'logs',
    description:
      'mode diagnose: the logs to read (paths or globs such as `logs/**/*.log`, comma or newline separated, relative to the workspace): ansible-playbook output, journalctl (short or -o json), dmesg, kubeadm, nerdctl/ctr/crictl output, gzip files of them.',
    default: ''
  },
  {
    name: 'hosts',
    description:
      'mode doctor: the nodes to inspect, `[user@]host[:port]`, comma or newline separated (or give `inventory`).',
    default: ''
  },
  {
    name: 'inventory',
    description:
      'mode doctor: a kubespray inventory, resolved with `ansible-inventory --list` (its k8s_cluster hosts, their ansible_host, ansible_port, ansible_user, key, ssh args and a `bastion` host).',
    default: ''
  },
  {
    name: 'ssh-identity',
    description:
      "mode doctor: path of the ssh private key to log in to the nodes with (else ssh's own keys and agent).",
    default: ''
  },
  {
    name: 'ssh-options',
    description:
      'mode doctor: ssh `-o` options, `Name=value`, newline separated (e.g. `StrictHostKeyChecking=accept-new`).',
    default: ''
  },
  {
    name: 'mirror',
    description: 'Debian mirror the node images are built from (debootstrap and apt inside the image).',
    default: 'http://deb.debian.org/debian'
  },
  {
    name: 'image-cache',
    description:
      "Directory where built node images (and the wheels of kubespray's requirements.txt) are kept between runs; empty uses ~/.cache/zfs-join-matrix/images.",
    default: ''
  },
  {
    name: 'runner-setup',
    description:
      "What the run installs on the host before it starts: auto (on GitHub's ubuntu runners, the runner setup: qemu, debootstrap, ZFS, the /dev/kvm rule; on other Debian and Ubuntu hosts, as root or with password-less sudo, only the missing packages the requested tiers need, each command printed), always (the runner setup on any Ubuntu host), never (installs nothing). A host that lacks a package and cannot install it stops with the command to run.",
    default: 'auto'
  },
  {
    name: 'shard',
    description: 'With mode run or all: run only shard i of n (`i/n`, 1-based).',
    default: ''
  },
  {
    name: 'shards',
    description: 'With mode plan: how many jobs to split the cells into (1-256); default one per image.',
    default: ''
  },
  {
    name: 'cell-timeout',
    description: 'Time limit for one cell in one tier (`90s`, `20m`, `1h`; a bare number is seconds).',
    default: '20m'
  },
  {
    name: 'retries',
    description: 'Extra attempts for a failing cell (0-5); a cell that passes on a retry is reported flaky.',
    default: '0'
  },
  {
    name: 'comment-mode',
    description:
      'Sticky pull-request comment: always, changes (only when the matrix changed), failures (only when a cell fails), off.',
    default: 'always'
  },
  {
    name: 'title',
    description: 'Title of the matrix; one sticky comment and one check run per title.',
    default: 'ZFS join matrix'
  },
  {
    name: 'github-token',
    description: 'Token for comments, check runs and issues. Never printed.',
    default: '',
    actionDefault: '${{ github.token }}',
    secret: true
  },
  {
    name: 'check-run',
    description:
      "Create a check run named after `title` on the tested commit, with the gate's conclusion and annotations (lint findings at the kubespray file and line, failed cells): true or false.",
    default: 'true'
  },
  {
    name: 'tracking-issue',
    description:
      'Keep one issue per title updated with the latest matrix and the history of recent runs: auto (on schedule events), always, off.',
    default: 'auto'
  },
  {
    name: 'issue-label',
    description: 'Label of the tracking issue (created with the issue when missing).',
    default: 'zfs-join-matrix'
  },
  {
    name: 'issue-history',
    description: "How many runs the tracking issue's history keeps (1-50), cells that flipped highlighted.",
    default: '10'
  },
  {
    name: 'close-issue',
    description:
      'Close the tracking issue when every cell passes; it is reopened when a cell that passed fails again: true or false.',
    default: 'false'
  },
  {
    name: 'upload-results',
    description:
      "Upload output-dir (results, logs and the run's event file) as an artifact: auto (in mode run), always, never.",
    default: 'auto'
  },
  {
    name: 'artifact-name',
    description:
      'Prefix of the results artifacts: uploads are named `<prefix>-shard-<i>-of-<n>-attempt-<k>`; mode report downloads every artifact with this prefix.',
    default: 'zfs-join-results'
  },
  {
    name: 'results-run-id',
    description:
      'mode report: the workflow run whose results artifacts are merged (`${{ github.event.workflow_run.id }}` in a workflow_run workflow); empty is this run.',
    default: ''
  },
  {
    name: 'output-dir',
    description: "Where results.jsonl, results.json, report.md, junit.xml and the cells' logs are written.",
    default: 'zfs-join-results'
  }
] as const satisfies readonly InputSpec[]

export type InputName = (typeof INPUTS)[number]['name']
export const INPUT_NAMES: readonly InputName[] = INPUTS.map(i => i.name)

/** Raw input text by name, as read from INPUT_* variables or CLI flags; absent or empty means default. */
export type RawInputs = Partial<Record<InputName, string>>

export const OUTPUTS = [
  {
    name: 'matrix',
    description: 'mode plan: JSON for `strategy.matrix` (`{"include":[{"shard":"1/4",…}]}`).'
  },
  { name: 'cells', description: 'Number of cells planned (in this shard).' },
  { name: 'passed', description: 'Cells that passed (flaky ones included).' },
  { name: 'failed', description: 'Cells that failed.' },
  { name: 'errored', description: 'Cells that could not be tested because the harness itself failed.' },
  { name: 'skipped', description: 'Cells skipped, each with its reason in the report.' },
  { name: 'regressions', description: 'Cells that passed in the baseline and fail now.' },
  { name: 'conclusion', description: 'success or failure, by `fail-on`.' },
  { name: 'results-json', description: 'Path of results.json.' },
  { name: 'report-md', description: 'Path of report.md.' },
  { name: 'junit-xml', description: 'Path of junit.xml.' },
  { name: 'comment-url', description: 'URL of the sticky pull-request comment, when one was written.' },
  { name: 'check-run-url', description: 'URL of the check run, when one was created.' },
  { name: 'issue-url', description: 'URL of the tracking issue, when it was updated.' },
  { name: 'artifact', description: 'Name of the results artifact this step uploaded, when it uploaded one.' },
  {
    name: 'signatures',
    description:
      'mode diagnose: the ids of the signatures found, root cause first; mode doctor: those predicted on any node. Comma separated.'
  },
  { name: 'diagnosis-json', description: 'mode diagnose: path of diagnosis.json.' },
  { name: 'doctor-json', description: 'mode doctor: path of doctor.json.' }
] as const

export type OutputName = (typeof OUTPUTS)[number]['name']
