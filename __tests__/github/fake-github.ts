import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  readonly method: string
  /** pathname only, as sent (still percent-encoded) */
  readonly path: string
  readonly query: Record<string, string>
  /** lower-case names */
  readonly headers: Record<string, string | undefined>
  /** parsed JSON when the content is JSON, else the raw string ('' when none) */
  readonly body: unknown
}

export interface FakeComment {
  id: number
  issue: number
  body: string
  login: string
}

export interface FakeIssue {
  number: number
  title: string
  body: string
  labels: string[]
  state: 'open' | 'closed'
  state_reason: string | null
  login: string
  pull_request?: boolean
}

export interface FakeCheckRun {
  id: number
  name: string
  head_sha: string
  status: string
  conclusion: string | null
  output: { title: string; summary: string; text?: string }
  annotations: unknown[]
}

export interface FakePull {
  number: number
  headSha: string
  /** "owner/name" of the head repo, e.g. a fork */
  headRepo: string
  state: 'open' | 'closed'
}

export interface FakeArtifact {
  id: number
  runId: number
  name: string
  zip: Buffer
}

export interface FailureRule {
  method: string
  path: RegExp
  status: number
  body?: unknown
  headers?: Record<string, string>
  /** default 1; Infinity = always */
  times?: number
}

export interface FakeGitHub {
  /** REST base URL, e.g. http://127.0.0.1:PORT */
  readonly url: string
  /** value for ACTIONS_RESULTS_URL */
  readonly resultsUrl: string
  readonly owner: string
  readonly repo: string
  readonly requests: RecordedRequest[]
  readonly comments: FakeComment[]
  readonly issues: FakeIssue[]
  readonly checkRuns: FakeCheckRun[]
  readonly pulls: FakePull[]
  readonly artifacts: FakeArtifact[]
  /** login GET /user returns; null makes GET /user answer 403 as GitHub does for GITHUB_TOKEN. Mutable. */
  login: string | null
  /** the login that authors comments/issues created through the API ('github-actions[bot]' when login is null, else login, until set). Mutable. */
  author: string
  /** run id artifacts uploaded through the results service belong to (default 42). Mutable. */
  uploadRunId: number
  fail(rule: FailureRule): void
  addComment(issue: number, body: string, login: string): FakeComment
  addIssue(issue: Partial<FakeIssue> & { title: string; body: string }): FakeIssue
  addPull(pull: FakePull): void
  addArtifact(runId: number, name: string, zip: Buffer): FakeArtifact
  /** requests whose method and path match */
  requestsTo(method: string, path: RegExp): RecordedRequest[]
  close(): Promise<void>
}

export interface FakeGitHubOptions {
  owner?: string
  repo?: string
  login?: string | null
  perPageMax?: number
}

/** An unsigned JWT with the `scp` claim `Actions.Results:<runBackendId>:<jobBackendId>` that @actions/artifact parses (it only decodes, never verifies). */
export function runtimeToken(runBackendId = 'run-backend-id', jobBackendId = 'job-backend-id'): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const claims = {
    scp: `Actions.ExampleScope Actions.Results:${runBackendId}:${jobBackendId}`,
    iat: now,
    exp: now + 3600
  }
  return `${part({ typ: 'JWT', alg: 'none' })}.${part(claims)}.`
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const fake = new FakeGitHubServer(server, `http://127.0.0.1:${port}`, options)
  server.on('request', (req: IncomingMessage, res: ServerResponse) => fake.dispatch(req, res))
  return fake
}

/** GitHub's limit on issue and comment bodies. */
const MAX_BODY = 65536
/** GitHub's limit on a check run's output.summary and output.text. */
const MAX_OUTPUT = 65535
const MAX_ANNOTATIONS = 50
const ARTIFACT_SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/'
const CHECK_STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending']
const CONCLUSIONS = [
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'success',
  'skipped',
  'stale',
  'timed_out'
]
const ANNOTATION_LEVELS = ['notice', 'warning', 'failure']

/** A handler's answer: returned when it succeeds, thrown from validation deep inside it. */
class Reply extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {}
  ) {
    super(`HTTP ${status}`)
  }
}

const notFound = (): Reply => new Reply(404, { message: 'Not Found' })
const invalid = (message: string, errors?: unknown[]): Reply =>
  new Reply(422, errors === undefined ? { message } : { message, errors })
const tooLong = (resource: string, limit: number): Reply =>
  invalid('Validation Failed', [
    { resource, code: 'custom', field: 'body', message: `body is too long (maximum is ${limit} characters)` }
  ])
const twirpError = (status: number, code: string, msg: string): Reply => new Reply(status, { code, msg })

/** Characters as GitHub counts them (code points, not UTF-16 units). */
const length = (text: string): number => Array.from(text).length

type Json = Record<string, unknown>

function asObject(body: unknown): Json {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Json) : {}
}

function optionalString(body: Json, key: string): string | undefined {
  const value = body[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string')
    throw invalid(`Invalid request.\n\nFor '${key}', ${JSON.stringify(value)} is not a string.`)
  return value
}

/**
 * A scalar field of a twirp JSON request. The client sends proto field names (snake_case); the JSON
 * (camelCase) names are accepted too. int64 and the wrapper types (StringValue, Int64Value) arrive as strings.
 */
function protoField(body: Json, snake: string): string | undefined {
  const camel = snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
  const value = body[snake] ?? body[camel]
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined
}

function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) throw invalid("Invalid request.\n\nFor 'labels', the value is not an array.")
  return value.map(label => {
    if (typeof label === 'string') return label
    const name = asObject(label).name
    if (typeof name === 'string') return name
    throw invalid('Invalid request.\n\nA label must be a string or an object with a name.')
  })
}

function decodeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_m, entity: string) =>
    entity === 'lt' ? '<' : entity === 'gt' ? '>' : entity === 'amp' ? '&' : entity === 'quot' ? '"' : "'"
  )
}

function storageError(status: number, code: string, message: string): Reply {
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`
  return new Reply(status, xml, { 'content-type': 'application/xml', 'x-ms-error-code': code })
}

interface PendingUpload {
  readonly blocks: Map<string, Buffer>
  committed: Buffer | null
}

interface Rule extends FailureRule {
  remaining: number
}

interface Route {
  readonly method: string
  readonly path: RegExp
  readonly handle: (request: RecordedRequest, params: string[]) => Reply
}

class FakeGitHubServer implements FakeGitHub {
  readonly resultsUrl: string
  readonly owner: string
  readonly repo: string
  readonly requests: RecordedRequest[] = []
  readonly comments: FakeComment[] = []
  readonly issues: FakeIssue[] = []
  readonly checkRuns: FakeCheckRun[] = []
  readonly pulls: FakePull[] = []
  readonly artifacts: FakeArtifact[] = []
  login: string | null
  uploadRunId = 42

  private authorOverride: string | null = null
  private lastId = 1000
  private readonly perPageMax: number
  private readonly rules: Rule[] = []
  private readonly createdAt = new Map<number, string>()
  /** Artifacts between CreateArtifact and FinalizeArtifact, by name. */
  private readonly uploads = new Map<string, PendingUpload>()
  private readonly repoRoutes: Route[]

  constructor(
    private readonly server: Server,
    readonly url: string,
    options: FakeGitHubOptions
  ) {
    this.resultsUrl = `${url}/`
    this.owner = options.owner ?? 'octo'
    this.repo = options.repo ?? 'kubespray'
    this.login = options.login === undefined ? 'octocat' : options.login
    this.perPageMax = options.perPageMax ?? 100
    this.repoRoutes = this.routes()
  }

  get author(): string {
    return this.authorOverride ?? this.login ?? 'github-actions[bot]'
  }

  set author(login: string) {
    this.authorOverride = login
  }

  fail(rule: FailureRule): void {
    this.rules.push({ ...rule, remaining: rule.times ?? 1 })
  }

  addComment(issue: number, body: string, login: string): FakeComment {
    const comment = { id: this.nextId(), issue, body, login }
    this.comments.push(comment)
    return comment
  }

  addIssue(issue: Partial<FakeIssue> & { title: string; body: string }): FakeIssue {
    const added: FakeIssue = {
      number: this.nextIssueNumber(),
      labels: [],
      state: 'open',
      state_reason: null,
      login: this.author,
      ...issue
    }
    this.issues.push(added)
    return added
  }

  addPull(pull: FakePull): void {
    this.pulls.push({ ...pull })
  }

  addArtifact(runId: number, name: string, zip: Buffer): FakeArtifact {
    const artifact = { id: this.nextId(), runId, name, zip }
    this.artifacts.push(artifact)
    this.createdAt.set(artifact.id, new Date().toISOString())
    return artifact
  }

  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter(r => r.method === method.toUpperCase() && matches(path, r.path))
  }

  async close(): Promise<void> {
    const closed = new Promise<void>(resolve => this.server.close(() => resolve()))
    // Keep-alive sockets of undici and the Azure pipeline would otherwise hold close() open.
    this.server.closeAllConnections()
    await closed
  }

  dispatch(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { message: `fake GitHub: ${String(error)}` })
      else res.destroy()
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks)
    const request = this.record(req, raw)
    const isRest = !['/_blob/', '/_upload/', '/twirp/'].some(prefix => request.path.startsWith(prefix))
    let reply: Reply
    try {
      reply = this.reply(request, raw)
    } catch (error) {
      if (!(error instanceof Reply)) throw error
      reply = error
    }
    const rateLimit: Record<string, string> = isRest
      ? {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4999',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600)
        }
      : {}
    send(res, reply.status, reply.body, { ...rateLimit, ...reply.headers })
  }

  private reply(request: RecordedRequest, raw: Buffer): Reply {
    const injected = this.injectedFailure(request)
    if (injected !== undefined) return injected
    const { path } = request
    if (path.startsWith('/_blob/')) return this.download(request)
    if (path.startsWith('/_upload/')) return this.upload(request, raw)
    if (path.startsWith('/twirp/')) return this.twirp(request)
    return this.rest(request)
  }

  private record(req: IncomingMessage, raw: Buffer): RecordedRequest {
    const url = new URL(req.url ?? '/', this.url)
    const headers: Record<string, string | undefined> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
    }
    const text = raw.toString('utf8')
    let body: unknown = text
    if (text !== '' && /json/i.test(headers['content-type'] ?? '')) {
      try {
        body = JSON.parse(text)
      } catch {
        body = text
      }
    }
    const request: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body
    }
    this.requests.push(request)
    return request
  }

  private injectedFailure(request: RecordedRequest): Reply | undefined {
    const rule = this.rules.find(
      r => r.remaining > 0 && r.method.toUpperCase() === request.method && matches(r.path, request.path)
    )
    if (rule === undefined) return undefined
    rule.remaining--
    return new Reply(rule.status, rule.body ?? { message: `${rule.status} injected` }, rule.headers)
  }

  private rest(request: RecordedRequest): Reply {
    if (!/^(token|bearer)\s+\S/i.test(request.headers.authorization ?? '')) {
      throw new Reply(401, { message: 'Requires authentication' })
    }
    if (request.path === '/user' && request.method === 'GET') {
      if (this.login === null) throw new Reply(403, { message: 'Resource not accessible by integration' })
      return new Reply(200, { login: this.login, id: 1, type: accountType(this.login) })
    }
    const repoPath = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(request.path)
    if (repoPath === null) throw notFound()
    const [, owner = '', repo = '', rest = ''] = repoPath
    // GitHub matches owner and repository names case-insensitively.
    if (owner.toLowerCase() !== this.owner.toLowerCase() || repo.toLowerCase() !== this.repo.toLowerCase()) {
      throw notFound()
    }
    for (const route of this.repoRoutes) {
      if (route.method !== request.method) continue
      const match = route.path.exec(rest)
      if (match === null) continue
      return route.handle(request, match.slice(1))
    }
    throw notFound()
  }

  private routes(): Route[] {
    const route = (method: string, path: RegExp, handle: Route['handle']): Route => ({ method, path, handle })
    return [
      route('GET', /^\/issues\/(\d+)\/comments$/, (r, [n]) => {
        const issue = Number(n)
        return this.list(
          r,
          this.comments.filter(c => c.issue === issue).map(c => this.commentJson(c))
        )
      }),
      route('POST', /^\/issues\/(\d+)\/comments$/, (r, [n]) => {
        // Any issue number is accepted: tests often comment on pull requests they never registered.
        const body = this.commentBody(r.body)
        return new Reply(201, this.commentJson(this.addComment(Number(n), body, this.author)))
      }),
      route('GET', /^\/issues\/comments\/(\d+)$/, (_r, [id]) => {
        return new Reply(200, this.commentJson(this.comment(Number(id))))
      }),
      route('PATCH', /^\/issues\/comments\/(\d+)$/, (r, [id]) => {
        const comment = this.comment(Number(id))
        comment.body = this.commentBody(r.body)
        return new Reply(200, this.commentJson(comment))
      }),
      route('POST', /^\/check-runs$/, r => {
        const body = asObject(r.body)
        const name = optionalString(body, 'name')
        const headSha = optionalString(body, 'head_sha')
        if (!name || !headSha) throw invalid('Invalid request.\n\n"name" and "head_sha" are required.')
        const run: FakeCheckRun = {
          id: this.nextId(),
          name,
          head_sha: headSha,
          status: 'queued',
          conclusion: null,
          output: { title: '', summary: '' },
          annotations: []
        }
        this.applyCheckRun(run, body)
        this.checkRuns.push(run)
        return new Reply(201, this.checkRunJson(run))
      }),
      route('GET', /^\/check-runs\/(\d+)$/, (_r, [id]) => {
        return new Reply(200, this.checkRunJson(this.checkRun(Number(id))))
      }),
      route('PATCH', /^\/check-runs\/(\d+)$/, (r, [id]) => {
        const run = this.checkRun(Number(id))
        this.applyCheckRun(run, asObject(r.body))
        return new Reply(200, this.checkRunJson(run))
      }),
      route('GET', /^\/issues$/, r => {
        const state = r.query.state ?? 'open'
        const labels = (r.query.labels ?? '')
          .split(',')
          .map(l => l.trim())
          .filter(l => l !== '')
        const creator = r.query.creator
        const found = this.issues.filter(
          i =>
            (state === 'all' || i.state === state) &&
            labels.every(l => i.labels.includes(l)) &&
            (creator === undefined || i.login === creator)
        )
        return this.list(
          r,
          this.newestFirst(r, found).map(i => this.issueJson(i))
        )
      }),
      route('POST', /^\/issues$/, r => {
        const body = asObject(r.body)
        const title = optionalString(body, 'title')
        if (!title) throw invalid('Invalid request.\n\n"title" wasn\'t supplied.')
        const text = optionalString(body, 'body') ?? ''
        if (length(text) > MAX_BODY) throw tooLong('Issue', MAX_BODY)
        const labels = body.labels === undefined ? [] : labelNames(body.labels)
        const issue = this.addIssue({ title, body: text, labels, login: this.author })
        return new Reply(201, this.issueJson(issue))
      }),
      route('GET', /^\/issues\/(\d+)$/, (_r, [n]) => {
        return new Reply(200, this.issueJson(this.issue(Number(n))))
      }),
      route('PATCH', /^\/issues\/(\d+)$/, (r, [n]) => {
        const issue = this.issue(Number(n))
        this.applyIssue(issue, asObject(r.body))
        return new Reply(200, this.issueJson(issue))
      }),
      route('GET', /^\/pulls$/, r => {
        const state = r.query.state ?? 'open'
        const found = this.pulls.filter(p => state === 'all' || p.state === state)
        return this.list(
          r,
          this.newestFirst(r, found).map(p => this.pullJson(p))
        )
      }),
      route('GET', /^\/pulls\/(\d+)$/, (_r, [n]) => {
        const pull = this.pulls.find(p => p.number === Number(n))
        if (pull === undefined) throw notFound()
        return new Reply(200, this.pullJson(pull))
      }),
      route('GET', /^\/commits\/([^/]+)\/pulls$/, (r, [sha]) => {
        // GitHub leaves pull requests from forks out of this list.
        const self = `${this.owner}/${this.repo}`.toLowerCase()
        const found = this.pulls.filter(p => p.headSha === sha && p.headRepo.toLowerCase() === self)
        return this.list(
          r,
          found.map(p => this.pullJson(p))
        )
      }),
      route('GET', /^\/actions\/runs\/(\d+)\/artifacts$/, (r, [runId]) => {
        return this.listArtifacts(r, a => a.runId === Number(runId))
      }),
      route('GET', /^\/actions\/artifacts$/, r => {
        return this.listArtifacts(r, () => true)
      }),
      route('GET', /^\/actions\/artifacts\/(\d+)$/, (_r, [id]) => {
        return new Reply(200, this.artifactJson(this.artifact(Number(id))))
      }),
      route('GET', /^\/actions\/artifacts\/(\d+)\/zip$/, (_r, [id]) => {
        const artifact = this.artifact(Number(id))
        return new Reply(302, '', { location: this.blobUrl(artifact) })
      })
    ]
  }

  /** One page of `items` with GitHub's Link header; `wrap` builds the body of endpoints that answer an object. */
  private list(
    request: RecordedRequest,
    items: readonly unknown[],
    wrap?: (page: unknown[]) => unknown
  ): Reply {
    const requested = Number.parseInt(request.query.per_page ?? '', 10)
    const perPage = Math.min(this.perPageMax, requested > 0 ? requested : 30)
    const page = Math.max(1, Number.parseInt(request.query.page ?? '', 10) || 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const slice = items.slice((page - 1) * perPage, page * perPage)
    const link = (to: number, rel: string): string => {
      const url = new URL(request.path, this.url)
      for (const [key, value] of Object.entries(request.query)) url.searchParams.set(key, value)
      url.searchParams.set('page', String(to))
      return `<${url.href}>; rel="${rel}"`
    }
    const links: string[] = []
    if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'))
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    if (page > 1) links.push(link(1, 'first'))
    return new Reply(
      200,
      wrap === undefined ? slice : wrap(slice),
      links.length > 0 ? { link: links.join(', ') } : {}
    )
  }

  private listArtifacts(request: RecordedRequest, keep: (artifact: FakeArtifact) => boolean): Reply {
    const name = request.query.name
    const found = this.artifacts.filter(a => keep(a) && (name === undefined || a.name === name))
    return this.list(
      request,
      found.map(a => this.artifactJson(a)),
      page => ({ total_count: found.length, artifacts: page })
    )
  }

  private newestFirst<T extends { number: number }>(request: RecordedRequest, items: T[]): T[] {
    const sorted = [...items].sort((a, b) => b.number - a.number)
    return request.query.direction === 'asc' ? sorted.reverse() : sorted
  }

  private commentBody(body: unknown): string {
    const text = optionalString(asObject(body), 'body')
    if (text === undefined) throw invalid('Invalid request.\n\n"body" wasn\'t supplied.')
    if (length(text) > MAX_BODY) throw tooLong('IssueComment', MAX_BODY)
    return text
  }

  private applyCheckRun(run: FakeCheckRun, body: Json): void {
    const status = optionalString(body, 'status')
    const conclusion = optionalString(body, 'conclusion')
    if (status !== undefined && !CHECK_STATUSES.includes(status))
      throw invalid(`Invalid request.\n\nstatus ${status}`)
    if (conclusion !== undefined && !CONCLUSIONS.includes(conclusion)) {
      throw invalid(`Invalid request.\n\nconclusion ${conclusion}`)
    }
    if (status === 'completed' && conclusion === undefined && run.conclusion === null) {
      throw invalid(
        'Invalid request.\n\nNo subschema in "anyOf" matched: "conclusion" is required when status is completed.'
      )
    }
    const output = body.output === undefined ? undefined : asObject(body.output)
    const annotations = output?.annotations ?? []
    if (!Array.isArray(annotations)) throw invalid('Invalid request.\n\noutput.annotations is not an array.')
    if (annotations.length > MAX_ANNOTATIONS) {
      throw invalid('Validation Failed: annotations: only 50 per request', [
        { resource: 'CheckRun', code: 'custom', field: 'annotations', message: 'only 50 per request' }
      ])
    }
    for (const annotation of annotations) {
      const a = asObject(annotation)
      const complete =
        typeof a.path === 'string' &&
        typeof a.start_line === 'number' &&
        typeof a.end_line === 'number' &&
        typeof a.message === 'string' &&
        typeof a.annotation_level === 'string' &&
        ANNOTATION_LEVELS.includes(a.annotation_level)
      if (!complete) {
        throw invalid(
          `Invalid request.\n\nAn annotation needs path, start_line, end_line, message and annotation_level (notice, warning or failure): ${JSON.stringify(annotation)}`
        )
      }
    }
    if (output !== undefined) {
      const title = optionalString(output, 'title')
      const summary = optionalString(output, 'summary')
      const text = optionalString(output, 'text')
      if (title === undefined || summary === undefined) {
        throw invalid('Invalid request.\n\n"title" and "summary" are required keys in output.')
      }
      for (const [field, value] of [
        ['summary', summary],
        ['text', text]
      ] as const) {
        if (value !== undefined && length(value) > MAX_OUTPUT) {
          throw invalid('Invalid request.', [
            {
              resource: 'CheckRun',
              code: 'custom',
              field: `output.${field}`,
              message: `is too long (maximum is ${MAX_OUTPUT} characters)`
            }
          ])
        }
      }
      run.output = text === undefined ? { title, summary } : { title, summary, text }
      run.annotations.push(...(annotations as unknown[]))
    }
    const name = optionalString(body, 'name')
    if (name) run.name = name
    const headSha = optionalString(body, 'head_sha')
    if (headSha) run.head_sha = headSha
    if (conclusion !== undefined) {
      // A conclusion completes the run, as on GitHub.
      run.conclusion = conclusion
      run.status = 'completed'
    } else if (status !== undefined) {
      run.status = status
    }
  }

  private applyIssue(issue: FakeIssue, body: Json): void {
    const title = optionalString(body, 'title')
    const text = optionalString(body, 'body')
    const state = optionalString(body, 'state')
    const reason = optionalString(body, 'state_reason')
    if (text !== undefined && length(text) > MAX_BODY) throw tooLong('Issue', MAX_BODY)
    if (state !== undefined && state !== 'open' && state !== 'closed')
      throw invalid(`Invalid request.\n\nstate ${state}`)
    if (reason !== undefined && !['completed', 'not_planned', 'reopened', 'duplicate'].includes(reason)) {
      throw invalid(`Invalid request.\n\nstate_reason ${reason}`)
    }
    if (title !== undefined) issue.title = title
    if (text !== undefined) issue.body = text
    if (body.labels !== undefined) issue.labels = labelNames(body.labels)
    if (state === 'closed' && issue.state === 'open') issue.state_reason = reason ?? 'completed'
    else if (state === 'open' && issue.state === 'closed') issue.state_reason = reason ?? 'reopened'
    else if (reason !== undefined) issue.state_reason = reason
    if (state !== undefined) issue.state = state
  }

  private comment(id: number): FakeComment {
    const comment = this.comments.find(c => c.id === id)
    if (comment === undefined) throw notFound()
    return comment
  }

  private checkRun(id: number): FakeCheckRun {
    const run = this.checkRuns.find(c => c.id === id)
    if (run === undefined) throw notFound()
    return run
  }

  private issue(number: number): FakeIssue {
    const issue = this.issues.find(i => i.number === number)
    if (issue === undefined) throw notFound()
    return issue
  }

  private artifact(id: number): FakeArtifact {
    const artifact = this.artifacts.find(a => a.id === id)
    if (artifact === undefined) throw notFound()
    return artifact
  }

  private get htmlBase(): string {
    return `https://github.com/${this.owner}/${this.repo}`
  }

  private get apiBase(): string {
    return `${this.url}/repos/${this.owner}/${this.repo}`
  }

  private commentJson(c: FakeComment): Json {
    return {
      id: c.id,
      body: c.body,
      user: { login: c.login, type: accountType(c.login) },
      html_url: `${this.htmlBase}/issues/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${this.apiBase}/issues/${c.issue}`
    }
  }

  private checkRunJson(run: FakeCheckRun): Json {
    return {
      id: run.id,
      name: run.name,
      head_sha: run.head_sha,
      status: run.status,
      conclusion: run.conclusion,
      html_url: `${this.htmlBase}/runs/${run.id}`,
      output: { ...run.output, text: run.output.text ?? null, annotations_count: run.annotations.length }
    }
  }

  private issueJson(issue: FakeIssue): Json {
    const json: Json = {
      number: issue.number,
      title: issue.title,
      body: issue.body,
      labels: issue.labels.map(name => ({ name })),
      state: issue.state,
      state_reason: issue.state_reason,
      user: { login: issue.login, type: accountType(issue.login) },
      html_url: `${this.htmlBase}/${issue.pull_request === true ? 'pull' : 'issues'}/${issue.number}`
    }
    if (issue.pull_request === true) {
      json.pull_request = {
        url: `${this.apiBase}/pulls/${issue.number}`,
        html_url: `${this.htmlBase}/pull/${issue.number}`
      }
    }
    return json
  }

  private pullJson(pull: FakePull): Json {
    const full = `${this.owner}/${this.repo}`
    return {
      number: pull.number,
      state: pull.state,
      head: {
        sha: pull.headSha,
        ref: 'branch',
        repo: { full_name: pull.headRepo, fork: pull.headRepo !== full }
      },
      base: { ref: 'main', repo: { full_name: full } },
      html_url: `${this.htmlBase}/pull/${pull.number}`
    }
  }

  private artifactJson(a: FakeArtifact): Json {
    return {
      id: a.id,
      name: a.name,
      size_in_bytes: a.zip.length,
      url: `${this.apiBase}/actions/artifacts/${a.id}`,
      archive_download_url: `${this.apiBase}/actions/artifacts/${a.id}/zip`,
      expired: false,
      digest: `sha256:${sha256(a.zip)}`,
      created_at: this.createdAt.get(a.id),
      workflow_run: { id: a.runId }
    }
  }

  private blobUrl(artifact: FakeArtifact): string {
    return `${this.url}/_blob/artifact-${artifact.id}.zip?sig=secret`
  }

  private download(request: RecordedRequest): Reply {
    const match = /^\/_blob\/artifact-(\d+)\.zip$/.exec(request.path)
    const artifact = this.artifacts.find(a => a.id === Number(match?.[1]))
    if (request.method !== 'GET' || artifact === undefined)
      throw storageError(404, 'BlobNotFound', 'The specified blob does not exist.')
    // Like a SAS URL, the signature is the only credential; an Authorization header is ignored.
    if (request.query.sig !== 'secret')
      throw storageError(403, 'AuthenticationFailed', 'Signature did not match.')
    return new Reply(200, artifact.zip, {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename=${encodeURIComponent(artifact.name)}.zip; filename*=UTF-8''${encodeURIComponent(artifact.name)}.zip`
    })
  }

  /** Block blob writes as @azure/storage-blob makes them: stage blocks and commit a block list, or one Put Blob. */
  private upload(request: RecordedRequest, raw: Buffer): Reply {
    const name = decodeURIComponent(request.path.slice('/_upload/'.length))
    const pending = this.uploads.get(name)
    if (request.query.sig !== 'upload' || pending === undefined) {
      throw storageError(403, 'AuthenticationFailed', 'Server failed to authenticate the request.')
    }
    if (request.method !== 'PUT')
      throw storageError(405, 'UnsupportedHttpVerb', "The resource doesn't support the specified HTTP verb.")
    const { comp, blockid } = request.query
    if (comp === 'block') {
      if (!blockid) throw storageError(400, 'MissingRequiredQueryParameter', 'blockid is required.')
      pending.blocks.set(blockid, raw)
      return new Reply(201, '', this.storageHeaders(request))
    }
    if (comp === 'blocklist') {
      const xml = raw.toString('utf8')
      const ids = [...xml.matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map(m =>
        decodeXml(m[2] ?? '')
      )
      const parts: Buffer[] = []
      for (const id of ids) {
        const block = pending.blocks.get(id)
        if (block === undefined)
          throw storageError(400, 'InvalidBlockList', 'The specified block list is invalid.')
        parts.push(block)
      }
      pending.committed = Buffer.concat(parts)
      pending.blocks.clear()
      return new Reply(201, '', { ...this.storageHeaders(request), 'x-ms-request-server-encrypted': 'true' })
    }
    if (comp !== undefined)
      throw storageError(400, 'InvalidQueryParameterValue', `comp=${comp} is not supported here.`)
    if (request.headers['x-ms-blob-type'] !== 'BlockBlob') {
      throw storageError(
        400,
        'MissingRequiredHeader',
        "An HTTP header that's mandatory for this request is not specified."
      )
    }
    pending.committed = raw
    return new Reply(201, '', { ...this.storageHeaders(request), 'x-ms-request-server-encrypted': 'true' })
  }

  private storageHeaders(request: RecordedRequest): Record<string, string> {
    return {
      etag: `"0x${this.nextId().toString(16).toUpperCase().padStart(15, '8')}"`,
      'last-modified': new Date().toUTCString(),
      'x-ms-request-id': randomUUID(),
      'x-ms-version': request.headers['x-ms-version'] ?? '2026-02-06',
      date: new Date().toUTCString()
    }
  }

  private twirp(request: RecordedRequest): Reply {
    if (!/^Bearer\s+\S/i.test(request.headers.authorization ?? '')) {
      throw twirpError(401, 'unauthenticated', 'missing or invalid bearer token')
    }
    if (request.method !== 'POST' || !request.path.startsWith(ARTIFACT_SERVICE)) {
      throw twirpError(404, 'bad_route', `no handler for path "${request.path}"`)
    }
    const body = asObject(request.body)
    const name = protoField(body, 'name')
    const runBackendId = protoField(body, 'workflow_run_backend_id')
    const jobBackendId = protoField(body, 'workflow_job_run_backend_id')
    const method = request.path.slice(ARTIFACT_SERVICE.length)
    if (!runBackendId || !jobBackendId) {
      throw twirpError(
        400,
        'invalid_argument',
        'workflow_run_backend_id and workflow_job_run_backend_id are required'
      )
    }
    const inRun = (a: FakeArtifact): boolean => a.runId === this.uploadRunId
    switch (method) {
      case 'CreateArtifact': {
        if (!name) throw twirpError(400, 'invalid_argument', 'name is required')
        if (this.artifacts.some(a => inRun(a) && a.name === name)) {
          throw twirpError(
            409,
            'already_exists',
            'an artifact with this name already exists on the workflow run'
          )
        }
        this.uploads.set(name, { blocks: new Map(), committed: null })
        // The real service answers proto field names; @actions/artifact masks `signed_upload_url` only under that name.
        return new Reply(200, {
          ok: true,
          signed_upload_url: `${this.url}/_upload/${encodeURIComponent(name)}?sig=upload`
        })
      }
      case 'FinalizeArtifact': {
        const pending = name === undefined ? undefined : this.uploads.get(name)
        if (name === undefined || pending?.committed == null) {
          throw twirpError(404, 'not_found', `no uploaded blob for artifact ${JSON.stringify(name)}`)
        }
        const size = protoField(body, 'size')
        if (size !== undefined && size !== String(pending.committed.length)) {
          throw twirpError(
            400,
            'invalid_argument',
            `size ${size} but ${pending.committed.length} bytes were uploaded`
          )
        }
        const hash = protoField(body, 'hash')
        if (hash !== undefined && hash !== `sha256:${sha256(pending.committed)}`) {
          throw twirpError(400, 'invalid_argument', `hash ${hash} does not match the uploaded bytes`)
        }
        this.uploads.delete(name)
        const artifact = this.addArtifact(this.uploadRunId, name, pending.committed)
        return new Reply(200, { ok: true, artifact_id: String(artifact.id) })
      }
      case 'ListArtifacts': {
        const nameFilter = protoField(body, 'name_filter')
        const idFilter = protoField(body, 'id_filter')
        const found = this.artifacts.filter(
          a =>
            inRun(a) &&
            (nameFilter === undefined || a.name === nameFilter) &&
            (idFilter === undefined || String(a.id) === idFilter)
        )
        return new Reply(200, {
          artifacts: found.map(a => ({
            workflow_run_backend_id: runBackendId,
            workflow_job_run_backend_id: jobBackendId,
            database_id: String(a.id),
            name: a.name,
            size: String(a.zip.length),
            created_at: this.createdAt.get(a.id),
            digest: `sha256:${sha256(a.zip)}`
          }))
        })
      }
      case 'GetSignedArtifactURL': {
        const artifact = this.artifacts.find(a => inRun(a) && a.name === name)
        if (artifact === undefined)
          throw twirpError(404, 'not_found', `artifact ${JSON.stringify(name)} not found`)
        return new Reply(200, { signed_url: this.blobUrl(artifact) })
      }
      default:
        throw twirpError(404, 'bad_route', `no handler for path "${request.path}"`)
    }
  }

  private nextId(): number {
    return ++this.lastId
  }

  private nextIssueNumber(): number {
    return Math.max(0, ...this.issues.map(i => i.number), ...this.pulls.map(p => p.number)) + 1
  }
}

function matches(pattern: RegExp, path: string): boolean {
  // A global or sticky pattern keeps lastIndex between calls; start every test afresh.
  pattern.lastIndex = 0
  return pattern.test(path)
}

function accountType(login: string): 'Bot' | 'User' {
  return login.endsWith('[bot]') ? 'Bot' : 'User'
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const payload = Buffer.isBuffer(body)
    ? body
    : typeof body === 'string'
      ? Buffer.from(body)
      : Buffer.from(JSON.stringify(body))
  const jsonHeaders: Record<string, string> =
    Buffer.isBuffer(body) || typeof body === 'string'
      ? {}
      : { 'content-type': 'application/json; charset=utf-8' }
  res.writeHead(status, {
    ...jsonHeaders,
    'x-github-request-id': randomUUID(),
    ...headers,
    'content-length': String(payload.length)
  })
  res.end(payload)
}
