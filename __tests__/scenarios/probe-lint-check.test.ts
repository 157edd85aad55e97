import { describe, expect, it } from '@jest/globals'
import { cmd } from '../../src/exec/command.js'
import { cellVars, checkoutPull, groupVars } from '../../src/kubespray/cell-vars.js'
import { readKubesprayTree } from '../../src/kubespray/kubespray-tree.js'
import { makeCell } from '../../src/plan/cell.js'
import { predict } from '../../src/scenarios/lint/predict.js'
import { configOf } from '../../src/scenarios/probe/cell-config.js'
import { checkAgainstLint, checkoutCause } from '../../src/scenarios/probe/lint-check.js'
import { tempDir } from '../helpers.js'
import { renderFixture, type RenderLayout } from '../kubespray-fixtures.js'

function prediction(layout: RenderLayout, cell = makeCell('debian-13', 'zfs', 'ctr')) {
  const reading = readKubesprayTree(renderFixture(layout, tempDir()))
  if (reading.kind !== 'tree') throw new Error(reading.reason)
  return predict(reading.tree, groupVars({}, cellVars(cell, checkoutPull(reading.tree))))
}

/** A probe configuration as the render would give it: the files' snapshotters and the pull. */
function config(cri: string, nerdctl: string, pull: string[]) {
  const files = [
    {
      path: '/etc/containerd/config.toml',
      content: `version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "${cri}"\n`
    },
    { path: '/etc/nerdctl/nerdctl.toml', content: `snapshotter = "${nerdctl}"\n` }
  ]
  const command = cmd(pull[0]!, ...pull.slice(1))
  return configOf({ kind: 'checkout', description: 'fixture' }, files, command, {
    rendered: files,
    overlays: [],
    diff: '',
    evaluatedPull: pull.join(' ')
  })
}

const FORK_PULL = ['/usr/local/bin/ctr', '-n', 'k8s.io', 'images', 'pull', '--snapshotter=zfs', 'x']

describe("the probe's check of lint's prediction", () => {
  it('agrees when the rendered files, the pull and where the node unpacked all match', () => {
    expect(checkAgainstLint(prediction('fixed-fork'), config('zfs', 'zfs', FORK_PULL), ['zfs'])).toEqual({
      agrees: true,
      differences: []
    })
  })

  it('names every aspect that differs: a file, the pull tool, where the image landed', () => {
    const pull = ['/usr/local/bin/crictl', 'pull', 'x']
    expect(checkAgainstLint(prediction('fixed-fork'), config('zfs', 'native', pull), ['overlayfs'])).toEqual({
      agrees: false,
      differences: [
        'nerdctl snapshotter (rendered nerdctl.toml): lint predicted zfs, the probe saw native',
        'pull tool (evaluated pull command): lint predicted ctr, the probe saw crictl',
        'where the pull unpacked (node): lint predicted zfs, the probe saw overlayfs'
      ]
    })
  })

  it('a pull that failed says nothing of where it unpacked', () => {
    expect(checkAgainstLint(prediction('fixed-fork'), config('zfs', 'zfs', FORK_PULL), null).agrees).toBe(
      true
    )
  })

  it("a failed cell's cause names the checkout's lines for the CRI, nerdctl and the pull", () => {
    const cause = checkoutCause(prediction('v2.25'))
    expect(cause).toContain(
      'the CRI (kubelet, crictl): zfs (containerd\'s CRI snapshotter [plugins."io.containerd.grpc.v1.cri".containerd] (roles/container-engine/containerd/templates/config.toml.j2:'
    )
    expect(cause).toContain(
      "the pull (nerdctl_image_pull_command at roles/kubespray-defaults/defaults/main/download.yml:4, runs ctr): overlayfs (ctr without --snapshotter uses containerd's default, overlayfs)"
    )
  })
})
