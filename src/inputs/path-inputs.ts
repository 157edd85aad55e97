import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { problem, shown, type InputProblem } from './errors.js'
import type { InputName } from './spec.js'
import { bad, ok, type Parsed } from './values.js'

/*
 * The path inputs, judged on the file system before anything is created (a bad path fails the run in
 * its first second, never after the VMs): the only input checks that look at the disk, with
 * input-files.ts, which reads the two files whose content is an input.
 */

/** The kernel's own filesystems: nothing is kept there, and Node's recursive mkdir loops under /proc. */
const KERNEL_FILESYSTEMS = ['/proc', '/sys', '/dev']

/**
 * Why a path input cannot be used at all, judged before anything is created: under a kernel filesystem
 * (its nearest existing ancestor resolved, so a symlink into one is caught too), or, for a path the run
 * writes, an ancestor it cannot write in.
 */
export function pathProblem(
  input: InputName,
  path: string,
  given: string,
  writes: boolean
): InputProblem | undefined {
  const ancestor = nearestExisting(path)
  let real = ancestor
  try {
    real = realpathSync(ancestor)
  } catch {
    // Unresolvable: the checks below name it.
  }
  const candidate = ancestor === path ? real : join(real, relative(ancestor, path))
  const kernel = KERNEL_FILESYSTEMS.find(k => candidate === k || candidate.startsWith(`${k}/`))
  if (kernel !== undefined)
    return problem(
      input,
      `${shown(given)} is under ${kernel}, a kernel filesystem (resolved to ${candidate}); name a directory on disk`
    )
  if (!writes) return undefined
  const target = existsSync(path) ? path : ancestor
  try {
    accessSync(target, constants.W_OK)
  } catch {
    return problem(input, `${shown(given)} cannot be written: ${target} is not writable by this user`)
  }
  return undefined
}

export function existingDirectory(input: InputName, path: string, given: string): Parsed<string> {
  const unusable = pathProblem(input, path, given, false)
  if (unusable !== undefined) return bad(unusable)
  if (!existsSync(path)) return bad(problem(input, `${shown(given)} does not exist (resolved to ${path})`))
  if (!statSync(path).isDirectory()) return bad(problem(input, `${shown(given)} is not a directory`))
  return ok(path)
}

export function writableFile(input: InputName, path: string, given: string): Parsed<string> {
  const unusable = pathProblem(input, path, given, true)
  if (unusable !== undefined) return bad(unusable)
  if (existsSync(path) && statSync(path).isDirectory())
    return bad(problem(input, `${shown(given)} is a directory`))
  const parent = nearestExisting(dirname(path))
  if (!statSync(parent).isDirectory())
    return bad(problem(input, `${shown(given)}: ${parent} is not a directory`))
  return ok(path)
}

export function outputDirectory(input: InputName, path: string, given: string): Parsed<string> {
  const unusable = pathProblem(input, path, given, true)
  if (unusable !== undefined) return bad(unusable)
  if (existsSync(path) && !statSync(path).isDirectory()) {
    return bad(problem(input, `${shown(given)} exists and is not a directory`))
  }
  const parent = nearestExisting(path)
  if (!statSync(parent).isDirectory())
    return bad(problem(input, `${shown(given)}: ${parent} is not a directory`))
  return ok(path)
}

function nearestExisting(path: string): string {
  let p = path
  while (!existsSync(p)) p = dirname(p)
  return p
}
