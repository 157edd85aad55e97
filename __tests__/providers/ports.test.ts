import { createSocket, type Socket } from 'node:dgram'
import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from '@jest/globals'
import { freeTcpPort, freeUdpPort } from '../../src/providers/qemu/ports.js'

const open: (Server | Socket)[] = []

afterEach(() => {
  for (const s of open.splice(0)) s.close()
})

function bindTcp(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    open.push(server)
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const a = server.address()
      resolve(typeof a === 'object' && a !== null ? a.port : -1)
    })
  })
}

function bindUdp(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4')
    open.push(socket)
    socket.once('error', reject)
    socket.bind(port, '127.0.0.1', () => resolve(socket.address().port))
  })
}

describe('free ports', () => {
  it('freeTcpPort returns ports that can be bound on 127.0.0.1, distinct while held', async () => {
    const a = await freeTcpPort()
    expect(a).toBeGreaterThanOrEqual(1024)
    expect(a).toBeLessThanOrEqual(65535)
    expect(await bindTcp(a)).toBe(a)
    const b = await freeTcpPort()
    expect(b).not.toBe(a)
    expect(await bindTcp(b)).toBe(b)
  })

  it('freeUdpPort returns ports that can be bound on 127.0.0.1, distinct while held', async () => {
    const a = await freeUdpPort()
    expect(a).toBeGreaterThanOrEqual(1024)
    expect(a).toBeLessThanOrEqual(65535)
    expect(await bindUdp(a)).toBe(a)
    const b = await freeUdpPort()
    expect(b).not.toBe(a)
    expect(await bindUdp(b)).toBe(b)
  })
})
