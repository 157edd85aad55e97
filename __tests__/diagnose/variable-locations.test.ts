import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { variableLocator } from '../../src/diagnose/variable-locations.js'
import { tempDir } from '../helpers.js'

const CONTAINERD_DEFAULTS = 'roles/container-engine/containerd/defaults/main.yml'
const NERDCTL_TEMPLATE = 'roles/container-engine/nerdctl/templates/nerdctl.toml.j2'
const GROUP_VARS = 'inventory/sample/group_vars/all/all.yml'

function write(root: string, path: string, lines: readonly string[]): void {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(join(root, path), lines.join('\n'))
}

/** A few files of a kubespray checkout, plus files the locator must not read. */
function fakeKubespray(): string {
  const root = tempDir()
  // Sorts before container-engine: a use here must not beat the definition in containerd's defaults.
  write(root, 'roles/bootstrap-os/tasks/main.yml', [
    '---',
    '- name: Show the snapshotter',
    '  debug:',
    '    msg: "{{ containerd_snapshotter }} and {{ loadbalancer_apiserver_localhost }}"'
  ])
  write(root, CONTAINERD_DEFAULTS, [
    '---',
    '# containerd_snapshotter: zfs would be the fix',
    'containerd_snapshotter: overlayfs',
    'containerd_snapshotter_extra: x'
  ])
  write(root, NERDCTL_TEMPLATE, [
    'debug          = false',
    'snapshotter    = "{{ nerdctl_snapshotter | default(\'overlayfs\') }}"',
    'namespace      = "k8s.io"'
  ])
  // Not a YAML or Jinja file: not read, though it "defines" the variable.
  write(root, 'roles/container-engine/nerdctl/files/notes.txt', ['nerdctl_snapshotter: zfs'])
  write(root, 'roles/container-engine/nerdctl/README.md', ['nerdctl_snapshotter: zfs'])
  // Outside roles/ and inventory/sample/group_vars: not read.
  write(root, 'extra_playbooks/vars.yml', ['nerdctl_snapshotter: zfs', 'only_outside: 1'])
  write(root, 'inventory/local/group_vars/all.yml', ['nerdctl_snapshotter: zfs', 'only_outside: 1'])
  write(root, 'a.yml', ['nerdctl_snapshotter: zfs', 'only_outside: 1'])
  write(root, GROUP_VARS, ['---', 'loadbalancer_apiserver_localhost: true'])
  return root
}

describe('variableLocator', () => {
  it('finds a definition at the start of a line in role defaults', () => {
    const locate = variableLocator(fakeKubespray())
    expect(locate(['containerd_snapshotter'])).toEqual({ path: CONTAINERD_DEFAULTS, line: 3 })
  })

  it('finds a use in a template when nothing defines the variable, ignoring other files', () => {
    const locate = variableLocator(fakeKubespray())
    expect(locate(['nerdctl_snapshotter'])).toEqual({ path: NERDCTL_TEMPLATE, line: 2 })
  })

  it('prefers a definition over a use that comes earlier in the tree', () => {
    const locate = variableLocator(fakeKubespray())
    expect(locate(['loadbalancer_apiserver_localhost'])).toEqual({ path: GROUP_VARS, line: 2 })
  })

  it('takes the first variable of the list that is found', () => {
    const locate = variableLocator(fakeKubespray())
    expect(locate(['nerdctl_snapshotter', 'containerd_snapshotter'])).toEqual({
      path: NERDCTL_TEMPLATE,
      line: 2
    })
    expect(locate(['containerd_snapshotter', 'nerdctl_snapshotter'])).toEqual({
      path: CONTAINERD_DEFAULTS,
      line: 3
    })
    expect(locate(['nerdctl_image_pull_command', 'no_such_variable', 'nerdctl_snapshotter'])).toEqual({
      path: NERDCTL_TEMPLATE,
      line: 2
    })
  })

  it('matches whole names only', () => {
    const locate = variableLocator(fakeKubespray())
    expect(locate(['containerd_snapshotter_extra'])).toEqual({ path: CONTAINERD_DEFAULTS, line: 4 })
    expect(locate(['containerd'])).toBeNull()
    expect(locate(['nerdctl'])).toBeNull()
  })

  it('is null for unknown variables, variables only outside the searched tree, and an empty list', () => {
    const locate = variableLocator(fakeKubespray())
    expect(locate(['no_such_variable'])).toBeNull()
    expect(locate(['only_outside'])).toBeNull()
    expect(locate([])).toBeNull()
  })

  it('is null for every variable without a checkout, or for a tree without roles', () => {
    expect(variableLocator(null)(['containerd_snapshotter'])).toBeNull()
    expect(variableLocator(join(tempDir(), 'missing'))(['containerd_snapshotter'])).toBeNull()
  })

  it('reads the tree once, on the first lookup', () => {
    const root = tempDir()
    const locate = variableLocator(root)
    write(root, CONTAINERD_DEFAULTS, ['containerd_snapshotter: overlayfs'])
    expect(locate(['containerd_snapshotter'])).toEqual({ path: CONTAINERD_DEFAULTS, line: 1 })
    write(root, NERDCTL_TEMPLATE, ['{{ nerdctl_snapshotter }}'])
    expect(locate(['nerdctl_snapshotter'])).toBeNull()
  })
})
