/**
 * The CRI client without a runtime: nothing listening on the socket. Everything else it does (the v1
 * and v1alpha2 API versions, the calls, the errors of a runtime that refuses) is tested against the
 * real containerd of each image by the VM suites (__tests__/vm/probe.test.ts: containerd 1.4 serves
 * only v1alpha2, 1.6 and later v1; OpenZFS 2.0's overlayfs mount error reaches the verdict as the
 * runtime's CriError), not against a stand-in server.
 */
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { writeProtos, type CriProtos } from '../../src/containerd/cri-api.js'
import { CriClient } from '../../src/containerd/cri-client.js'
import { tempDir } from '../helpers.js'
import { CRI_PROTO_TEXT } from './cri-proto.js'

function protos(): CriProtos {
  const dir = tempDir()
  writeProtos(dir, CRI_PROTO_TEXT, '0.32.3-1')
  return {
    files: { v1: join(dir, 'runtime-v1.proto'), v1alpha2: join(dir, 'runtime-v1alpha2.proto') },
    version: '0.32.3-1'
  }
}

describe('CriClient.connect', () => {
  it('nothing listening on the socket fails naming it', async () => {
    const socket = join(tempDir('zjm-cri-'), 'absent.sock')
    await expect(CriClient.connect(socket, protos())).rejects.toThrow(`the CRI at ${socket} did not answer: `)
  })
})
