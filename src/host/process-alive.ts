/** Whether a process of this pid exists (one we may not signal exists too): for locks and ledgers left by killed runs. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
