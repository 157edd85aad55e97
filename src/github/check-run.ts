import type { Annotation } from '../report/annotations.js'
import type { GitHubClient } from './client.js'

/** The check-runs API takes at most this many annotations per request. */
export const ANNOTATIONS_PER_REQUEST = 50

export interface CheckRun {
  readonly owner: string
  readonly repo: string
  /** The matrix title: one check run per title and commit. */
  readonly name: string
  readonly headSha: string
  readonly conclusion: 'success' | 'failure'
  /** One line, e.g. the counts. */
  readonly title: string
  /** Markdown, at most 65,535 characters. */
  readonly summary: string
  readonly annotations: readonly Annotation[]
}

/**
 * Creates a completed check run with the first 50 annotations, then adds the rest 50 at a time by
 * updating it (GitHub appends annotations on update). Returns the run's page.
 */
export async function publishCheckRun(client: GitHubClient, run: CheckRun): Promise<string> {
  const batches: (readonly Annotation[])[] = []
  for (let i = 0; i < run.annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(run.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST))
  }
  const output = (annotations: readonly Annotation[] | undefined) => ({
    title: run.title,
    summary: run.summary,
    ...(annotations === undefined ? {} : { annotations: [...annotations] })
  })
  const created = await client.rest.checks.create({
    owner: run.owner,
    repo: run.repo,
    name: run.name,
    head_sha: run.headSha,
    status: 'completed',
    conclusion: run.conclusion,
    output: output(batches[0])
  })
  for (const batch of batches.slice(1)) {
    await client.rest.checks.update({
      owner: run.owner,
      repo: run.repo,
      check_run_id: created.data.id,
      output: output(batch)
    })
  }
  return created.data.html_url ?? ''
}
