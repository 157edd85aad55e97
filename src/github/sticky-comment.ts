import type { CommentMode } from '../inputs/config.js'
import { readStateMarker } from '../report/markers.js'
import { sameLogin, type GitHubClient } from './client.js'

export interface StickyComment {
  readonly owner: string
  readonly repo: string
  readonly pullRequest: number
  /** The whole body, starting with `marker` and the state marker. */
  readonly body: string
  /** Identifies the one comment per matrix title. */
  readonly marker: string
  readonly mode: Exclude<CommentMode, 'off'>
  /** Whether a cell fails or errors, or the gate failed (for `failures`). */
  readonly failing: boolean
  /** Whose comments may be updated: the token's user. */
  readonly login: string
}

export type CommentOutcome =
  | { readonly kind: 'created' | 'updated'; readonly url: string }
  | { readonly kind: 'unchanged'; readonly url: string }
  | { readonly kind: 'not-needed'; readonly reason: string }

/**
 * Creates the sticky comment or updates it in place. The comment is the first one on the pull
 * request that carries the marker and was written by the token's user: another user's comment that
 * quotes the marker is never touched.
 *
 * `changes` rewrites only when the cells' statuses changed (the state marker differs), and creates
 * the comment when there is none. `failures` creates it only when something fails, but always updates
 * an existing one, so it never goes on showing failures that are fixed.
 */
export async function upsertStickyComment(client: GitHubClient, c: StickyComment): Promise<CommentOutcome> {
  const comments = await client.paginate(client.rest.issues.listComments, {
    owner: c.owner,
    repo: c.repo,
    issue_number: c.pullRequest,
    per_page: 100
  })
  const ours = comments.find(
    comment => comment.body?.includes(c.marker) === true && sameLogin(comment.user?.login ?? '', c.login)
  )
  if (ours === undefined) {
    if (c.mode === 'failures' && !c.failing) return { kind: 'not-needed', reason: 'no cell fails' }
    const created = await client.rest.issues.createComment({
      owner: c.owner,
      repo: c.repo,
      issue_number: c.pullRequest,
      body: c.body
    })
    return { kind: 'created', url: created.data.html_url }
  }
  if (c.mode === 'changes' && readStateMarker(ours.body ?? '') === readStateMarker(c.body)) {
    return { kind: 'unchanged', url: ours.html_url }
  }
  const updated = await client.rest.issues.updateComment({
    owner: c.owner,
    repo: c.repo,
    comment_id: ours.id,
    body: c.body
  })
  return { kind: 'updated', url: updated.data.html_url }
}
