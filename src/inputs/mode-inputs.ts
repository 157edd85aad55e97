import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { isSshOption, parseHostArg } from '../doctor/doctor-target.js'
import type { DoctorNodes } from '../doctor/resolve-targets.js'
import type { Mode } from './config.js'
import { problem, shown, type InputProblem } from './errors.js'
import type { InputName } from './spec.js'
import { bad, duplicates, ok, splitList, type Parsed } from './values.js'

/** Where relative paths are resolved, and where `~` points. */
export interface ParseContext {
  /** Relative paths are resolved against this (the workspace in Actions, the cwd in the CLI). */
  readonly cwd: string
  /** The default image cache lives under it. */
  readonly home?: string
}

/** Paths and globs, resolved against the workspace; expanded by the diagnose mode, which reads them. */
export function parseLogs(text: string, cwd: string): Parsed<string[]> {
  const items = text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(s => s !== '')
  if (items.includes('-')) {
    return bad(problem('logs', '- (standard input) is for the CLI; the action reads files: name them'))
  }
  return { ok: true, value: items.map(i => resolve(cwd, i)) }
}

/** mode doctor's nodes: each host checked, the inventory and key must exist, options must be Name=value. */
export function parseDoctorNodes(text: (name: InputName) => string, ctx: ParseContext): Parsed<DoctorNodes> {
  const problems: InputProblem[] = []
  const hosts = splitList(text('hosts'))
  for (const h of hosts) {
    const t = parseHostArg(h)
    if (typeof t === 'string') problems.push(problem('hosts', t))
  }
  problems.push(...duplicates('hosts', hosts))
  const file = (name: 'inventory' | 'ssh-identity'): string | undefined => {
    const given = text(name)
    if (given === '') return undefined
    // A key is usually written under ~/.ssh; the runner does not expand `~` in inputs, so this does.
    const path = resolve(ctx.cwd, given.replace(/^~(?=\/)/, ctx.home ?? homedir()))
    if (!existsSync(path))
      problems.push(problem(name, `${shown(given)} does not exist (resolved to ${path})`))
    return path
  }
  const inventory = file('inventory')
  const identity = file('ssh-identity')
  const sshOptions = text('ssh-options')
    .split('\n')
    .map(o => o.trim())
    .filter(o => o !== '')
  for (const o of sshOptions) {
    if (!isSshOption(o)) problems.push(problem('ssh-options', `${shown(o)} is not Name=value`))
  }
  if (problems.length > 0) return bad(...problems)
  return ok({
    hosts,
    ...(inventory === undefined ? {} : { inventory }),
    ...(identity === undefined ? {} : { identity }),
    sshOptions
  })
}

export function doctorModeProblems(mode: Mode, d: DoctorNodes): InputProblem[] {
  if (mode !== 'doctor') {
    const given = [
      ['hosts', d.hosts.length > 0],
      ['inventory', d.inventory !== undefined],
      ['ssh-identity', d.identity !== undefined],
      ['ssh-options', d.sshOptions.length > 0]
    ] as const
    return given
      .filter(([, g]) => g)
      .map(([name]) => problem(name, `is for mode doctor; mode is ${shown(mode)}`))
  }
  if (d.hosts.length > 0 && d.inventory !== undefined)
    return [problem('inventory', 'is given with hosts: give the nodes one way, hosts or inventory')]
  if (d.hosts.length === 0 && d.inventory === undefined)
    return [
      problem('hosts', 'is empty, and so is inventory; mode doctor inspects the nodes one of them names')
    ]
  return []
}
