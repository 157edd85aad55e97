import { describe, expect, it } from '@jest/globals'
import {
  cellVars,
  checkoutPull,
  NO_CHECKOUT_PULL,
  transferUnpackConfig
} from '../../src/kubespray/cell-vars.js'
import { readKubesprayTree } from '../../src/kubespray/kubespray-tree.js'
import { makeCell } from '../../src/plan/cell.js'
import { tempDir } from '../helpers.js'
import { renderFixture, type RenderLayout } from '../kubespray-fixtures.js'

function pullOf(layout: RenderLayout) {
  const reading = readKubesprayTree(renderFixture(layout, tempDir()))
  if (reading.kind !== 'tree') throw new Error(reading.reason)
  return checkoutPull(reading.tree)
}

const AXES = { container_manager: 'containerd', containerd_snapshotter: 'zfs' }
const UPSTREAM_CTR =
  '{{ bin_dir }}/ctr -n k8s.io images pull{% if containerd_registries_mirrors is defined %} --hosts-dir {{ containerd_cfg_dir }}/certs.d{%- endif -%}'

describe('cellVars: the matrix sets only its axes', () => {
  it('every cell sets containerd_snapshotter and image_command_tool, nothing more for nerdctl and crictl', () => {
    for (const layout of ['v2.21', 'master', 'fixed-fork'] as const) {
      const pull = pullOf(layout)
      expect(cellVars(makeCell('x', 'zfs', 'nerdctl'), pull)).toEqual({
        ...AXES,
        image_command_tool: 'nerdctl'
      })
      expect(cellVars(makeCell('x', 'zfs', 'crictl'), pull)).toEqual({
        ...AXES,
        image_command_tool: 'crictl'
      })
    }
  })

  it('the ctr cell puts a ctr pull only on a checkout whose own pull does not run ctr', () => {
    expect(cellVars(makeCell('x', 'zfs', 'ctr'), pullOf('master'))).toEqual({
      ...AXES,
      image_command_tool: 'nerdctl',
      nerdctl_image_pull_command: UPSTREAM_CTR
    })
    // v2.24–2.27 and their forks pull with ctr already: their own command is what is tested.
    for (const layout of ['v2.25', 'fixed-fork'] as const) {
      expect(cellVars(makeCell('x', 'zfs', 'ctr'), pullOf(layout))).toEqual({
        ...AXES,
        image_command_tool: 'nerdctl'
      })
    }
  })

  it('fixed adds the known fix on top: nerdctl_snapshotter, the transfer service told, and --snapshotter where the ctr pull has none', () => {
    const fix = { ...AXES, nerdctl_snapshotter: 'zfs', containerd_extra_args: transferUnpackConfig('zfs') }
    expect(cellVars(makeCell('x', 'zfs', 'ctr', 'fixed'), pullOf('master'))).toEqual({
      ...fix,
      image_command_tool: 'nerdctl',
      nerdctl_image_pull_command: UPSTREAM_CTR.replace('images pull', 'images pull --snapshotter zfs')
    })
    // v2.25's own ctr pull gets the flag, for the ctr cell and for the nerdctl cell that pulls with it.
    const v225 = pullOf('v2.25')
    for (const tool of ['ctr', 'nerdctl'] as const) {
      expect(cellVars(makeCell('x', 'zfs', tool, 'fixed'), v225)).toEqual({
        ...fix,
        image_command_tool: 'nerdctl',
        nerdctl_image_pull_command: `${v225.nerdctlPull!.replace('images pull', 'images pull --snapshotter zfs')}`
      })
    }
    // The fork's pull passes --snapshotter already: nothing is added to it.
    expect(cellVars(makeCell('x', 'zfs', 'ctr', 'fixed'), pullOf('fixed-fork'))).toEqual({
      ...fix,
      image_command_tool: 'nerdctl'
    })
  })

  it("fixed keeps the user's own containerd_extra_args, the transfer service's table after them", () => {
    const user = {
      containerd_extra_args: '[plugins."io.containerd.monitor.v1.cgroups"]\n  no_prometheus = true'
    }
    expect(
      cellVars(makeCell('x', 'native', 'crictl', 'fixed'), pullOf('master'), user).containerd_extra_args
    ).toBe(
      `${user.containerd_extra_args}\n[[plugins."io.containerd.transfer.v1.local".unpack_config]]\n  platform = "linux/{{ image_arch | default('amd64') }}"\n  snapshotter = "native"`
    )
    // The kubespray variant leaves the user's value alone (it is a group var, below the cell's).
    expect(
      cellVars(makeCell('x', 'native', 'crictl'), pullOf('master'), user).containerd_extra_args
    ).toBeUndefined()
  })

  it('without a checkout (the model), the ctr cell gets upstream v2.24–2.27 ctr pull', () => {
    expect(cellVars(makeCell('x', 'zfs', 'ctr'), NO_CHECKOUT_PULL).nerdctl_image_pull_command).toBe(
      UPSTREAM_CTR
    )
    expect(cellVars(makeCell('x', 'zfs', 'ctr'))).toEqual(
      cellVars(makeCell('x', 'zfs', 'ctr'), NO_CHECKOUT_PULL)
    )
  })
})
