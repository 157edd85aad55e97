/**
 * The classifier on evidence the probe tier collected on real nodes (fixtures/logs/probe), assembled as
 * runProbeCell reports it: the failing step's text, then the kernel log lines of the cell.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { classify, type Evidence } from '../../src/diagnose/classify.js'
import { containerOutput, failedChecks } from '../../src/scenarios/probe/container-check.js'

const evidence = (source: string, file: string): Evidence => ({
  source,
  text: readFileSync(join(import.meta.dirname, '../fixtures/logs/probe', file), 'utf8')
})

describe('classify on probe evidence', () => {
  it('Debian 11 (OpenZFS 2.0): the CRI cannot mount the sandbox’s overlay → overlayfs-mount-einval', () => {
    const d = classify([evidence('cri', 'debian-11-cri.log'), evidence('kernel', 'debian-11-kernel.log')])
    expect(d.signature.id).toBe('overlayfs-mount-einval')
    expect(d.signature.code).toBe('Z1')
    expect(d.alsoMatched).toEqual([])
    expect(d.excerpt).toEqual([
      expect.stringMatching(
        /^cri: CRI RunPodSandbox: UNKNOWN: .*failed to mount rootfs component &\{overlay overlay/
      ),
      'kernel: [   43.598916] overlayfs: upper fs missing required features.'
    ])
  })

  it('Debian 11: either piece alone is enough', () => {
    expect(classify([evidence('cri', 'debian-11-cri.log')]).signature.id).toBe('overlayfs-mount-einval')
    expect(classify([evidence('kernel', 'debian-11-kernel.log')]).signature.id).toBe('overlayfs-mount-einval')
  })

  it('Debian 12 (OpenZFS 2.1): the container runs but cannot rename a lower file → overlayfs-rename-whiteout', () => {
    const container = evidence('container', 'debian-12-container.log')
    const d = classify([container, evidence('kernel', 'debian-12-kernel.log')])
    expect(d.signature.id).toBe('overlayfs-rename-whiteout')
    expect(d.signature.code).toBe('Z2')
    expect(d.alsoMatched).toEqual([])
    expect(d.excerpt).toEqual(["container: mv: can't rename '/data/lower.txt': Invalid argument"])
    // The same output is what the container checks read: the rename is the one check that failed.
    expect(failedChecks(containerOutput(container.text)).map(c => c.marker)).toEqual(['ZJM-RENAME-LOWER-OK'])
  })

  it('Debian 12: the kernel warning alone is not the failure', () => {
    expect(classify([evidence('kernel', 'debian-12-kernel.log')]).signature.id).toBe('unknown')
  })

  it('the Debian 12 evidence is not mistaken for the Debian 11 failure, nor the reverse', () => {
    const d12 = classify([
      evidence('container', 'debian-12-container.log'),
      evidence('kernel', 'debian-12-kernel.log')
    ])
    expect(d12.alsoMatched).not.toContain('overlayfs-mount-einval')
    const d11 = classify([evidence('cri', 'debian-11-cri.log'), evidence('kernel', 'debian-11-kernel.log')])
    expect(d11.alsoMatched).not.toContain('overlayfs-rename-whiteout')
  })
})
