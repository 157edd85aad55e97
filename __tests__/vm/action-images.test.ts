/** The bundled action in `mode: images`, started as the runner starts it, against a real cached image. */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { tempDir } from '../helpers.js'
import { IMAGE_CACHE, MIRROR, vmTestsEnabled } from './vm-env.js'

const describeVm = vmTestsEnabled() ? describe : describe.skip
const root = resolve(import.meta.dirname, '../..')

describeVm('action, mode images', () => {
  it(
    'boots each image once, writes what the guest runs to the job summary, and leaves nothing running',
    () => {
      const dir = tempDir()
      mkdirSync(join(dir, 'runner-temp'))
      for (const f of ['output', 'state', 'summary']) writeFileSync(join(dir, f), '')
      const r = spawnSync('node', [join(root, 'dist/index.js')], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 20 * 60_000,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GITHUB_WORKSPACE: dir,
          RUNNER_TEMP: join(dir, 'runner-temp'),
          GITHUB_OUTPUT: join(dir, 'output'),
          GITHUB_STATE: join(dir, 'state'),
          GITHUB_STEP_SUMMARY: join(dir, 'summary'),
          INPUT_MODE: 'images',
          INPUT_IMAGES: 'debian-13',
          'INPUT_IMAGE-CACHE': IMAGE_CACHE,
          INPUT_MIRROR: MIRROR,
          'INPUT_RUNNER-SETUP': 'never'
        }
      })
      expect(r.stdout).toMatch(/qemu: using (KVM|TCG) \(/)
      expect({ status: r.status, tail: r.stdout.split('\n').slice(-15) }).toEqual({
        status: 0,
        tail: expect.anything()
      })
      expect(readFileSync(join(dir, 'summary'), 'utf8')).toMatch(
        /- debian-13: kernel 6\.12\.[^,]+, OpenZFS 2\.3\./
      )
      expect(spawnSync('pgrep', ['-f', join(dir, 'runner-temp')]).status).toBe(1)
      expect(readdirSync(join(dir, 'runner-temp'))).toEqual([])
    },
    20 * 60_000
  )
})
