import { describe, it, expect } from '@jest/globals'
import { findSignature } from '../../src/diagnose/signatures.js'
import { renderFailureDetails, renderSkipReasons } from '../../src/report/details.js'
import { cellResult as result } from '../builders.js'

const HOSTILE_EXCERPT = [
  'ctr: failed to mount /tmp/containerd-mount123: invalid argument | exit 1 | again',
  '```',
  '</details>',
  '<script>alert(1)</script>',
  '````',
  'end'
].join('\n')

const einval = findSignature('overlayfs-mount-einval')
if (einval === undefined) throw new Error('catalogue lost overlayfs-mount-einval')

describe('renderFailureDetails', () => {
  const failed = result(
    'debian-11/overlayfs/nerdctl/kubespray',
    {
      status: 'fail',
      signature: einval.id,
      message: 'mount | failed | <script>x</script> `code`',
      excerpt: HOSTILE_EXCERPT
    },
    { logs: ['cells/debian-11/serial.log', 'cells/debian-11/ansible|`x`.log'] }
  )

  it('explains a failure: id, tier, signature, root cause, fix, message and logs', () => {
    const md = renderFailureDetails(failed, { excerpt: true })
    expect(md.startsWith('<details><summary>❌ <b>debian-11/overlayfs/nerdctl/kubespray</b>: Z1 ')).toBe(true)
    expect(md).toContain('- **Tier:** join')
    expect(md).toContain(`(\`${einval.id}\`)`)
    expect(md).toContain(einval.rootCause)
    expect(md).toContain(einval.fix)
    expect(md).toContain('- **Logs:** `cells/debian-11/serial.log`, ``cells/debian-11/ansible|`x`.log``')
    expect(md.endsWith('\n\n</details>')).toBe(true)
  })

  it('escapes the message, and fences the excerpt so it cannot close the block or the details', () => {
    const md = renderFailureDetails(failed, { excerpt: true })
    const message = md.split('\n').find(l => l.startsWith('- **Message:**')) ?? ''
    expect(message).not.toMatch(/[|<>`]/)
    expect(md).toContain('`````\n' + HOSTILE_EXCERPT + '\n`````')
    expect(md.split('</details>')).toHaveLength(3) // the excerpt's, inside the fence, and ours
    expect(md.lastIndexOf('</details>')).toBe(md.length - '</details>'.length)
  })

  it('leaves out the excerpt when told to', () => {
    const md = renderFailureDetails(failed, { excerpt: false })
    expect(md).not.toContain('alert(1)')
    expect(md).not.toContain('```')
    expect(md).toContain('- **Message:**')
  })

  it('explains an error without a signature', () => {
    const md = renderFailureDetails(
      result(
        'd/zfs/ctr/kubespray',
        { status: 'error', message: 'qemu exited', excerpt: 'kvm: permission denied' },
        { tier: null }
      ),
      { excerpt: true }
    )
    expect(md).toContain('⚠️ <b>d/zfs/ctr/kubespray</b>: harness error')
    expect(md).toContain('- **Tier:** none (no tier ran)')
    expect(md).toContain('```\nkvm: permission denied\n```')
    expect(md).not.toContain('Signature')
  })

  it('explains a flaky cell by its failed attempts', () => {
    const md = renderFailureDetails(
      result('d/zfs/ctr/kubespray', {
        status: 'flaky',
        failedAttempts: 2,
        signature: 'overlayfs-rename-whiteout'
      }),
      { excerpt: true }
    )
    expect(md).toContain('🔁 <b>d/zfs/ctr/kubespray</b>: passed after 2 failed attempt(s), Z2')
    expect(md).toContain('- **Failed attempts:** 2')
    expect(md).toContain('OpenZFS 2.1 lets the overlay mount')
  })

  it('says when a signature id is not in the catalogue', () => {
    const md = renderFailureDetails(
      result('d/zfs/ctr/kubespray', { status: 'fail', signature: 'newer', message: 'm' }),
      {
        excerpt: true
      }
    )
    expect(md).toContain(': ? unknown signature</summary>')
    expect(md).toContain("`newer`, which this version's catalogue does not know")
    expect(md).not.toContain('Root cause')
  })

  it('renders nothing for a pass or a skip', () => {
    expect(renderFailureDetails(result('d/zfs/ctr/kubespray', { status: 'pass' }), { excerpt: true })).toBe(
      ''
    )
    expect(
      renderFailureDetails(result('d/zfs/ctr/kubespray', { status: 'skipped', reason: 'r' }), {
        excerpt: true
      })
    ).toBe('')
  })
})

describe('renderSkipReasons', () => {
  it('puts 200 cells skipped for one reason on one line, as a count', () => {
    const results = Array.from({ length: 200 }, (_, i) =>
      result(`img-${i}/zfs/ctr/kubespray`, { status: 'skipped', reason: 'host has no /dev/kvm' })
    )
    const md = renderSkipReasons(results)
    expect(md).toBe('- **200 cells:** host has no /dev/kvm (`*`)')
  })

  it('groups by identical reason in order of first appearance and lists short groups by id', () => {
    const results = [
      result('a/zfs/ctr/kubespray', { status: 'skipped', reason: 'no KVM' }),
      result('b/zfs/ctr/kubespray', { status: 'pass' }),
      result('c/zfs/ctr/kubespray', { status: 'skipped', reason: 'image | build failed' }),
      result('d/zfs/ctr/kubespray', { status: 'skipped', reason: 'no KVM' })
    ]
    expect(renderSkipReasons(results).split('\n')).toEqual([
      '- **2 cells:** no KVM (`a/zfs/ctr/kubespray`, `d/zfs/ctr/kubespray`)',
      '- **1 cell:** image &#124; build failed (`c/zfs/ctr/kubespray`)'
    ])
  })

  it('lists ids up to the limit and counts beyond it', () => {
    const results = [
      ...['a', 'b', 'c'].map(i => result(`${i}/zfs/ctr/fixed`, { status: 'skipped', reason: 'r' })),
      result('a/zfs/ctr/kubespray', { status: 'pass' })
    ]
    expect(renderSkipReasons(results, 3)).toContain('`c/zfs/ctr/fixed`')
    // Beyond the limit, the pattern that matches exactly the skipped cells among the run's.
    expect(renderSkipReasons(results, 2)).toBe('- **3 cells:** r (`*/*/*/fixed`)')
  })

  it('is empty when nothing was skipped', () => {
    expect(renderSkipReasons([result('a/zfs/ctr/kubespray', { status: 'pass' })])).toBe('')
  })
})
