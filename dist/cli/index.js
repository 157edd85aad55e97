#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 459:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  x: () => (/* binding */ cli)
});

// UNUSED EXPORTS: EXIT

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: ./src/cleanup/ledger.ts

/**
 * Everything a run creates outside its output directory is written down here before it is created, and
 * crossed out once removed. If the run dies before its own cleanup (SIGKILL, a crashed runner step), the
 * action's post step — or the next CLI run — sweeps what is left.
 */
/** The action's state key under which main tells the post step where its ledger is. */
const LEDGER_STATE = 'cleanup-ledger';
class CleanupLedger {
    path;
    constructor(path) {
        this.path = path;
    }
    add(resource) {
        this.write([...this.read().filter(r => !same(r, resource)), resource]);
    }
    remove(resource) {
        const left = this.read().filter(r => !same(r, resource));
        if (left.length === 0)
            (0,external_node_fs_namespaceObject.rmSync)(this.path, { force: true });
        else
            this.write(left);
    }
    read() {
        if (!(0,external_node_fs_namespaceObject.existsSync)(this.path))
            return [];
        try {
            return JSON.parse((0,external_node_fs_namespaceObject.readFileSync)(this.path, 'utf8'));
        }
        catch {
            return [];
        }
    }
    write(resources) {
        (0,external_node_fs_namespaceObject.writeFileSync)(this.path, JSON.stringify(resources));
    }
}
/** Removes every resource still listed; failures are warnings, never errors (this runs during cleanup). */
function sweep(ledger, log) {
    let removed = 0;
    for (const resource of ledger.read()) {
        try {
            release(resource);
            removed++;
            ledger.remove(resource);
        }
        catch (e) {
            log.warning(`could not remove ${describe(resource)}: ${e.message}`);
        }
    }
    return removed;
}
function release(resource) {
    switch (resource.kind) {
        case 'dir':
            (0,external_node_fs_namespaceObject.rmSync)(resource.path, { recursive: true, force: true });
            return;
        default: {
            const never = resource.kind;
            throw new Error(`unknown resource ${String(never)}`);
        }
    }
}
function describe(resource) {
    return `${resource.kind} ${resource.path}`;
}
function same(a, b) {
    return a.kind === b.kind && a.path === b.path;
}

;// CONCATENATED MODULE: ./src/cleanup/run-scope.ts



/**
 * Runs `body` with a work directory recorded in the ledger and with SIGINT/SIGTERM turned into an abort
 * signal, so the pipeline stops starting cells, closes its sessions and still reports what finished.
 */
async function withRunScope(tempRoot, ledger, log, body) {
    const controller = new AbortController();
    const onSignal = (signal) => {
        log.warning(`${signal} received: stopping after the current step and cleaning up`);
        controller.abort(new Error(signal));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const workDir = (0,external_node_fs_namespaceObject.mkdtempSync)((0,external_node_path_namespaceObject.join)(tempRoot, 'zfs-join-matrix-'));
    const resource = { kind: 'dir', path: workDir };
    ledger.add(resource);
    try {
        return await body({ workDir, signal: controller.signal });
    }
    finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        try {
            release(resource);
            ledger.remove(resource);
        }
        catch (e) {
            log.warning(`could not remove ${describe(resource)}: ${e.message}`);
        }
    }
}

;// CONCATENATED MODULE: ./src/plan/axes.ts
/**
 * The values each axis of the matrix can take. Declared once: inputs validate against these,
 * the plan expands them, the report orders its columns by them.
 */
const SNAPSHOTTERS = ['overlayfs', 'zfs', 'native'];
/** The image tool kubespray pulls with (`image_command_tool`, or a ctr pull command override). */
const TOOLS = ['nerdctl', 'crictl', 'ctr'];
/** Tiers from shallow to deep; a cell's result is decided by the deepest tier that really ran. */
const TIERS = ['lint', 'probe', 'join', 'rejoin'];
function tierIndex(tier) {
    return TIERS.indexOf(tier);
}
function isOneOf(values, value) {
    return values.includes(value);
}

;// CONCATENATED MODULE: ./src/inputs/errors.ts
function problem(input, message) {
    return { input, message };
}
/** Every problem found in one pass, so the user fixes them all at once. */
class InputErrors extends Error {
    problems;
    constructor(problems) {
        super(`${problems.length} invalid input${problems.length === 1 ? '' : 's'}:\n` +
            problems.map(p => `  ${formatProblem(p)}`).join('\n'));
        this.problems = problems;
        this.name = 'InputErrors';
    }
}
function formatProblem(p) {
    return `${p.input}: ${p.message}`;
}
/** Quotes a user's value for an error message, cut short so a pasted blob does not flood the log. */
function shown(value) {
    const cut = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return JSON.stringify(cut);
}

;// CONCATENATED MODULE: ./src/inputs/spec.ts
const INPUTS = [
    {
        name: 'images',
        description: 'Node images (kernel + OpenZFS + containerd) to test, comma or newline separated.',
        default: 'debian-11, debian-12, debian-12-zfs23, debian-13'
    },
    {
        name: 'snapshotters',
        description: 'containerd snapshotters to test: overlayfs, zfs, native.',
        default: 'overlayfs, zfs, native'
    },
    {
        name: 'tools',
        description: 'Image tools kubespray pulls with: nerdctl, crictl, ctr.',
        default: 'nerdctl, crictl, ctr'
    },
    {
        name: 'tiers',
        description: 'How deep each cell is tested: lint (static), probe (one VM per image), join (real kubespray), rejoin.',
        default: 'lint, probe'
    },
    {
        name: 'include',
        description: 'Only cells matching one of these patterns (image/snapshotter/tool, `*` wildcards, e.g. `debian-12/*/nerdctl`).',
        default: ''
    },
    {
        name: 'exclude',
        description: 'Drop cells matching any of these patterns (same form as include).',
        default: ''
    },
    {
        name: 'kubespray-path',
        description: 'The kubespray checkout to lint and join with. Lint and join cells are skipped when it is not a kubespray tree.',
        default: '',
        actionDefault: '${{ github.workspace }}'
    },
    {
        name: 'kubespray-ref',
        description: 'Git ref of kubespray to test (lint and join tiers); empty tests the checkout as it is.',
        default: ''
    },
    {
        name: 'baseline',
        description: 'A results.json from an earlier run: cells that passed there and fail now are regressions.',
        default: ''
    },
    {
        name: 'write-baseline',
        description: "Write this run's results as a baseline file at this path.",
        default: ''
    },
    {
        name: 'fail-on',
        description: 'When the step fails: regressions (against the baseline), failures (any failing cell), never.',
        default: 'regressions'
    },
    {
        name: 'mode',
        description: 'all (plan, run, report), plan (emit the cells as a strategy.matrix), run (one shard), report (merge shards and report).',
        default: 'all'
    },
    {
        name: 'shard',
        description: 'With mode run or all: run only shard i of n (`i/n`, 1-based).',
        default: ''
    },
    {
        name: 'shards',
        description: 'With mode plan: how many jobs to split the cells into (1-256); default one per image.',
        default: ''
    },
    {
        name: 'cell-timeout',
        description: 'Time limit for one cell in one tier (`90s`, `20m`, `1h`; a bare number is seconds).',
        default: '20m'
    },
    {
        name: 'retries',
        description: 'Extra attempts for a failing cell (0-5); a cell that passes on a retry is reported flaky.',
        default: '0'
    },
    {
        name: 'comment-mode',
        description: 'Sticky pull-request comment: always, changes (only when the matrix changed), failures (only when a cell fails), off.',
        default: 'always'
    },
    {
        name: 'title',
        description: 'Title of the matrix; one sticky comment and one check run per title.',
        default: 'ZFS join matrix'
    },
    {
        name: 'github-token',
        description: 'Token for comments, check runs and issues. Never printed.',
        default: '',
        actionDefault: '${{ github.token }}',
        secret: true
    },
    {
        name: 'output-dir',
        description: "Where results.jsonl, results.json, report.md, junit.xml and the cells' logs are written.",
        default: 'zfs-join-results'
    }
];
const INPUT_NAMES = INPUTS.map(i => i.name);
const OUTPUTS = [
    {
        name: 'matrix',
        description: 'mode plan: JSON for `strategy.matrix` (`{"include":[{"shard":"1/4",…}]}`).'
    },
    { name: 'cells', description: 'Number of cells planned (in this shard).' },
    { name: 'passed', description: 'Cells that passed (flaky ones included).' },
    { name: 'failed', description: 'Cells that failed.' },
    { name: 'errored', description: 'Cells that could not be tested because the harness itself failed.' },
    { name: 'skipped', description: 'Cells skipped, each with its reason in the report.' },
    { name: 'regressions', description: 'Cells that passed in the baseline and fail now.' },
    { name: 'conclusion', description: 'success or failure, by `fail-on`.' },
    { name: 'results-json', description: 'Path of results.json.' },
    { name: 'report-md', description: 'Path of report.md.' },
    { name: 'junit-xml', description: 'Path of junit.xml.' }
];

;// CONCATENATED MODULE: ./src/inputs/cli-args.ts



const COMMANDS = ['plan', 'run', 'report'];
/** `mode` comes from the command; `github-token` from the environment, so it never sits in shell history. */
const NOT_FLAGS = ['mode', 'github-token'];
const FLAGS = INPUT_NAMES.filter(n => !NOT_FLAGS.includes(n));
/**
 * Maps `zfs-join-matrix <command> --input value …` onto the same raw inputs the action reads, so both
 * go through one parser. Flags are the action's input names; `--name=value` works too.
 */
function parseCliArgs(argv, env) {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help')
        return { kind: 'help' };
    if (argv.includes('--version'))
        return { kind: 'version' };
    const [first, ...rest] = argv;
    const problems = [];
    if (!isOneOf(COMMANDS, first)) {
        return {
            kind: 'invalid',
            problems: [problem('command', `${shown(first)} is not one of ${COMMANDS.join(', ')}`)]
        };
    }
    const inputs = {};
    for (let i = 0; i < rest.length; i++) {
        const arg = rest[i];
        const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
        if (m === null) {
            problems.push(problem('arguments', `${shown(arg)} is not a --flag; flags are ${FLAGS.map(f => `--${f}`).join(', ')}`));
            continue;
        }
        const name = m[1];
        if (!isOneOf(FLAGS, name)) {
            const near = closest(name, FLAGS);
            const hint = near === undefined ? `flags are ${FLAGS.map(f => `--${f}`).join(', ')}` : `did you mean --${near}?`;
            problems.push(problem(`--${name}`, `is not a flag; ${hint}`));
            if (m[2] === undefined && rest[i + 1] !== undefined && !rest[i + 1].startsWith('--'))
                i++;
            continue;
        }
        const value = m[2] ?? rest[++i];
        if (value === undefined) {
            problems.push(problem(name, 'needs a value'));
            continue;
        }
        if (inputs[name] !== undefined)
            problems.push(problem(name, 'is given more than once'));
        inputs[name] = value;
    }
    if (problems.length > 0)
        return { kind: 'invalid', problems };
    return {
        kind: 'command',
        command: first,
        inputs: {
            ...inputs,
            mode: first === 'run' ? (inputs.shard ? 'run' : 'all') : first,
            'github-token': env.GITHUB_TOKEN ?? ''
        }
    };
}
/** The flag a typo most likely meant: within two edits, else none. */
function closest(name, candidates) {
    const scored = candidates.map(c => ({ c, d: editDistance(name, c) })).sort((a, b) => a.d - b.d);
    return scored[0] !== undefined && scored[0].d <= 2 ? scored[0].c : undefined;
}
function editDistance(a, b) {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++) {
            next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        row = next;
    }
    return row[b.length];
}
function helpText() {
    const width = Math.max(...FLAGS.map(f => f.length)) + 4;
    const flags = INPUTS.filter(i => FLAGS.includes(i.name)).map(i => `  --${i.name.padEnd(width - 2)}${i.description}${i.default ? ` [default: ${i.default}]` : ''}`);
    return [
        'Usage: zfs-join-matrix <plan|run|report> [--flag value]...',
        '',
        'Tests kubespray joins of nodes whose containerd state is on ZFS, for every',
        'snapshotter x image tool x kernel/OpenZFS image, and reports a pass/fail matrix.',
        '',
        'Commands:',
        '  plan     print the cells as JSON for strategy.matrix (and write plan.json)',
        '  run      run the cells and write results.jsonl, results.json, report.md, junit.xml',
        '  report   merge the results found under --output-dir and report them',
        '',
        "Flags (the action's inputs):",
        ...flags,
        '',
        'GITHUB_TOKEN in the environment is used for posting; it is never printed.',
        'Exit status: 0 success, 1 the gate failed (see --fail-on) or the run broke, 2 invalid input.'
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/images/catalogue.ts
const IMAGES = [
    {
        name: 'debian-11',
        suite: 'bullseye',
        zfsSource: 'contrib',
        expected: { kernelSeries: '5.10', openzfsSeries: '2.0' },
        description: 'Debian 11, kernel 5.10, OpenZFS 2.0: overlayfs cannot mount on ZFS (no RENAME_WHITEOUT)'
    },
    {
        name: 'debian-12',
        suite: 'bookworm',
        zfsSource: 'contrib',
        expected: { kernelSeries: '6.1', openzfsSeries: '2.1' },
        description: 'Debian 12, kernel 6.1, OpenZFS 2.1: overlayfs mounts, renaming a lower-layer file fails'
    },
    {
        name: 'debian-12-zfs23',
        suite: 'bookworm',
        zfsSource: 'backports',
        expected: { kernelSeries: '6.1', openzfsSeries: '2.3' },
        description: 'Debian 12 kernel with OpenZFS 2.3 from bookworm-backports: overlayfs works'
    },
    {
        name: 'debian-13',
        suite: 'trixie',
        zfsSource: 'contrib',
        expected: { kernelSeries: '6.12', openzfsSeries: '2.3' },
        description: 'Debian 13, kernel 6.12, OpenZFS 2.3: overlayfs works'
    }
];
const IMAGE_NAMES = IMAGES.map(i => i.name);
function findImage(name) {
    return IMAGES.find(i => i.name === name);
}

;// CONCATENATED MODULE: ./src/plan/pattern.ts
const PART = /^[A-Za-z0-9._*-]+$/;
/** Returns the pattern, or a sentence saying what is wrong with it. */
function parseCellPattern(text) {
    const raw = text.split('/');
    if (raw.length > 3)
        return 'has more than three parts (image/snapshotter/tool)';
    const bad = raw.find(p => !PART.test(p));
    if (bad !== undefined) {
        return bad === ''
            ? 'has an empty part'
            : `part "${bad}" may only hold letters, digits, ".", "_", "-" and "*"`;
    }
    const globs = [...raw, '*', '*'].slice(0, 3).map(globToRegExp);
    return { text, parts: globs };
}
function matchesCell(pattern, cell) {
    const [image, snapshotter, tool] = pattern.parts;
    return image.test(cell.image) && snapshotter.test(cell.snapshotter) && tool.test(cell.tool);
}
function globToRegExp(glob) {
    const body = glob
        .split('*')
        .map(s => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
        .join('.*');
    return new RegExp(`^${body}$`);
}

;// CONCATENATED MODULE: ./src/plan/cell.ts

function makeCell(image, snapshotter, tool) {
    return { id: `${image}/${snapshotter}/${tool}`, image, snapshotter, tool };
}
/** Parses an id back into a cell; undefined when it is not of the form image/snapshotter/tool. */
function parseCellId(id) {
    const parts = id.split('/');
    if (parts.length !== 3)
        return undefined;
    const [image, snapshotter, tool] = parts;
    if (image === '' || !isOneOf(SNAPSHOTTERS, snapshotter) || !isOneOf(TOOLS, tool))
        return undefined;
    return makeCell(image, snapshotter, tool);
}

;// CONCATENATED MODULE: ./src/plan/plan.ts


/** Every combination, image-major, so the cells of one image (one VM) stay together. */
function expandAxes(axes) {
    return axes.images.flatMap(image => axes.snapshotters.flatMap(snapshotter => axes.tools.map(tool => makeCell(image.name, snapshotter, tool))));
}
function filterCells(cells, include, exclude) {
    return cells.filter(cell => (include.length === 0 || include.some(p => matchesCell(p, cell))) &&
        !exclude.some(p => matchesCell(p, cell)));
}
function planCells(selection) {
    return filterCells(expandAxes(selection.axes), selection.include, selection.exclude);
}

;// CONCATENATED MODULE: ./src/plan/shard.ts
/** GitHub allows at most 256 jobs in one matrix. */
const MAX_SHARDS = 256;
function formatShard(shard) {
    return `${shard.index}/${shard.count}`;
}
/**
 * Splits the ordered cells into `count` contiguous, near-equal chunks. Contiguous because the plan is
 * image-major: cells of one image mostly share a shard, so a job boots few VMs. Pure and deterministic:
 * `mode: run` recomputes the same split from the same inputs.
 */
function partition(cells, count) {
    return Array.from({ length: count }, (_, i) => cells.slice(Math.floor((i * cells.length) / count), Math.floor(((i + 1) * cells.length) / count)));
}
function selectShard(cells, shard) {
    return partition(cells, shard.count)[shard.index - 1] ?? [];
}
/** One job per image unless told otherwise, never more jobs than cells or than GitHub allows. */
function defaultShardCount(cells) {
    const images = new Set(cells.map(c => c.image)).size;
    return Math.max(1, Math.min(images, cells.length, MAX_SHARDS));
}
/** The JSON a workflow feeds to `strategy.matrix` with `fromJSON`. */
function strategyMatrix(cells, count) {
    return {
        include: partition(cells, count).map((chunk, i) => ({
            shard: formatShard({ index: i + 1, count }),
            name: [...new Set(chunk.map(c => c.image))].join(' ') || 'empty',
            cells: chunk.map(c => c.id).join(' ')
        }))
    };
}

;// CONCATENATED MODULE: ./src/version.ts
/** Kept in step with package.json by a test. */
const GENERATOR = { name: 'zfs-join-matrix', version: '0.1.0' };

;// CONCATENATED MODULE: ./src/results/cell-result.ts
const CELL_STATUSES = ['pass', 'fail', 'error', 'skipped', 'flaky'];
function isPassing(status) {
    return status === 'pass' || status === 'flaky';
}
function isFailing(status) {
    return status === 'fail' || status === 'error';
}
/** Human text for any outcome: the failure message, the skip reason, or nothing for a pass. */
function outcomeText(o) {
    switch (o.status) {
        case 'pass':
            return '';
        case 'flaky':
            return `passed after ${o.failedAttempts} failed attempt(s) (${o.signature})`;
        case 'fail':
        case 'error':
            return o.message;
        case 'skipped':
            return o.reason;
        default: {
            const never = o;
            return never;
        }
    }
}
/** The signature id of a failure (or of the failed attempts of a flaky cell). */
function outcomeSignature(o) {
    return o.status === 'fail' || o.status === 'flaky' ? o.signature : undefined;
}

;// CONCATENATED MODULE: ./src/results/results-document.ts



const RESULTS_SCHEMA = 'zfs-join-matrix/results/v1';
function makeResultsDocument(title, cells, now) {
    return { schema: RESULTS_SCHEMA, title, generatedAt: now.toISOString(), generator: GENERATOR, cells };
}
/** Thrown with the JSON path of the first thing wrong, e.g. `cells[3].status`. */
class SchemaError extends Error {
}
function parseResultsDocument(value) {
    const doc = object(value, '$');
    if (doc.schema !== RESULTS_SCHEMA) {
        throw new SchemaError(`schema: expected "${RESULTS_SCHEMA}", found ${JSON.stringify(doc.schema)}`);
    }
    if (!Array.isArray(doc.cells))
        throw new SchemaError('cells: expected an array');
    return {
        schema: RESULTS_SCHEMA,
        title: string(doc.title, 'title'),
        generatedAt: string(doc.generatedAt, 'generatedAt'),
        generator: {
            name: string(object(doc.generator, 'generator').name, 'generator.name'),
            version: string(object(doc.generator, 'generator').version, 'generator.version')
        },
        cells: doc.cells.map((c, i) => parseCellResult(c, `cells[${i}]`))
    };
}
/** Validates one cell result (a results.jsonl line or an element of results.json). */
function parseCellResult(value, at) {
    const c = object(value, at);
    string(c.id, `${at}.id`);
    string(c.image, `${at}.image`);
    oneOf(SNAPSHOTTERS, c.snapshotter, `${at}.snapshotter`);
    oneOf(TOOLS, c.tool, `${at}.tool`);
    if (c.tier !== null)
        oneOf(TIERS, c.tier, `${at}.tier`);
    number(c.durationSeconds, `${at}.durationSeconds`);
    object(c.versions, `${at}.versions`);
    if (!Array.isArray(c.logs))
        throw new SchemaError(`${at}.logs: expected an array`);
    if (!Array.isArray(c.tiers))
        throw new SchemaError(`${at}.tiers: expected an array`);
    c.tiers.forEach((t, i) => parseOutcome(object(t, `${at}.tiers[${i}]`), `${at}.tiers[${i}]`));
    parseOutcome(c, at);
    return c;
}
function parseOutcome(o, at) {
    const status = oneOf(CELL_STATUSES, o.status, `${at}.status`);
    switch (status) {
        case 'pass':
            return;
        case 'flaky':
            number(o.failedAttempts, `${at}.failedAttempts`);
            string(o.signature, `${at}.signature`);
            return;
        case 'fail':
            string(o.signature, `${at}.signature`);
            string(o.message, `${at}.message`);
            return;
        case 'error':
            string(o.message, `${at}.message`);
            return;
        case 'skipped':
            string(o.reason, `${at}.reason`);
            return;
        default: {
            const never = status;
            throw new SchemaError(`${at}.status: ${String(never)}`);
        }
    }
}
function object(v, at) {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
        throw new SchemaError(`${at}: expected an object`);
    return v;
}
function string(v, at) {
    if (typeof v !== 'string')
        throw new SchemaError(`${at}: expected a string, found ${JSON.stringify(v)}`);
    return v;
}
function number(v, at) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new SchemaError(`${at}: expected a number, found ${JSON.stringify(v)}`);
    }
    return v;
}
function oneOf(values, v, at) {
    if (typeof v !== 'string' || !isOneOf(values, v)) {
        throw new SchemaError(`${at}: ${JSON.stringify(v)} is not one of ${values.join(', ')}`);
    }
    return v;
}

;// CONCATENATED MODULE: ./src/results/results-store.ts



const RESULTS_JSONL = 'results.jsonl';
const RESULTS_JSON = 'results.json';
/**
 * Appends one line per cell as it finishes, so a cancelled or timed-out job still leaves everything
 * that completed. Appending is synchronous: a SIGTERM right after a cell cannot lose its line.
 */
class ResultsJournal {
    path;
    constructor(path) {
        this.path = path;
        (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(path), { recursive: true });
    }
    append(result) {
        (0,external_node_fs_namespaceObject.appendFileSync)(this.path, `${JSON.stringify(result)}\n`);
    }
}
/** Reads a results.jsonl; a later line for the same cell replaces an earlier one. */
function readJournal(path) {
    const byId = new Map();
    (0,external_node_fs_namespaceObject.readFileSync)(path, 'utf8')
        .split('\n')
        .forEach((line, i) => {
        if (line.trim() === '')
            return;
        const where = `${path} line ${i + 1}`;
        let value;
        try {
            value = JSON.parse(line);
        }
        catch (e) {
            throw new Error(`Invalid JSON at ${where}: ${e.message}`);
        }
        const result = withLocation(where, () => parseCellResult(value, 'cell'));
        byId.set(result.id, result);
    });
    return [...byId.values()];
}
function readResultsFile(path) {
    let value;
    try {
        value = JSON.parse((0,external_node_fs_namespaceObject.readFileSync)(path, 'utf8'));
    }
    catch (e) {
        throw new Error(`Invalid JSON in ${path}: ${e.message}`);
    }
    return withLocation(path, () => parseResultsDocument(value));
}
/**
 * Collects every cell result under a directory, as `mode: report` finds the shards' downloaded
 * artifacts: each results.jsonl (or, lacking one, results.json) below it. When two shards report the
 * same cell, the one that finished last wins.
 */
function collectResults(root) {
    const byId = new Map();
    for (const file of findResultFiles(root)) {
        const cells = file.endsWith(RESULTS_JSONL) ? readJournal(file) : readResultsFile(file).cells;
        for (const cell of cells) {
            const seen = byId.get(cell.id);
            if (seen === undefined || seen.finishedAt <= cell.finishedAt)
                byId.set(cell.id, cell);
        }
    }
    return [...byId.values()];
}
function findResultFiles(dir) {
    if (!(0,external_node_fs_namespaceObject.existsSync)(dir))
        return [];
    const entries = (0,external_node_fs_namespaceObject.readdirSync)(dir).sort();
    const here = entries.includes(RESULTS_JSONL)
        ? [(0,external_node_path_namespaceObject.join)(dir, RESULTS_JSONL)]
        : entries.includes(RESULTS_JSON)
            ? [(0,external_node_path_namespaceObject.join)(dir, RESULTS_JSON)]
            : [];
    const below = entries
        .map(e => (0,external_node_path_namespaceObject.join)(dir, e))
        .filter(p => (0,external_node_fs_namespaceObject.statSync)(p).isDirectory())
        .flatMap(findResultFiles);
    return [...here, ...below];
}
function withLocation(where, parse) {
    try {
        return parse();
    }
    catch (e) {
        if (e instanceof SchemaError)
            throw new Error(`Invalid results at ${where}: ${e.message}`);
        throw e;
    }
}

;// CONCATENATED MODULE: ./src/inputs/config.ts
const MODES = ['all', 'plan', 'run', 'report'];
const COMMENT_MODES = ['always', 'changes', 'failures', 'off'];
const FAIL_ON = ['regressions', 'failures', 'never'];

;// CONCATENATED MODULE: ./src/inputs/values.ts


const ok = (value) => ({ ok: true, value });
const bad = (...problems) => ({ ok: false, problems });
/** Items separated by commas, spaces or newlines (YAML block scalars and one-liners both work). */
function splitList(text) {
    return text.split(/[\s,]+/).filter(s => s !== '');
}
function parseChoiceList(input, text, allowed) {
    const items = splitList(text);
    if (items.length === 0)
        return bad(problem(input, `is empty; list one or more of ${allowed.join(', ')}`));
    const problems = items
        .filter(item => !isOneOf(allowed, item))
        .map(item => problem(input, `${shown(item)} is not one of ${allowed.join(', ')}`));
    problems.push(...duplicates(input, items));
    return problems.length > 0 ? bad(...problems) : ok(items);
}
function duplicates(input, items) {
    return [...new Set(items.filter((item, i) => items.indexOf(item) !== i))].map(item => problem(input, `${shown(item)} is listed more than once`));
}
function parseChoice(input, text, allowed) {
    return isOneOf(allowed, text)
        ? ok(text)
        : bad(problem(input, `${shown(text)} is not one of ${allowed.join(', ')}`));
}
function parseInteger(input, text, min, max) {
    if (!/^-?\d+$/.test(text))
        return bad(problem(input, `${shown(text)} is not a whole number (${min} to ${max})`));
    const n = Number(text);
    return n < min || n > max ? bad(problem(input, `${shown(text)} is out of range: ${min} to ${max}`)) : ok(n);
}
const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1000 };
/** `90`, `90s`, `20m`, `1h30m`: a bare number is seconds. */
function parseDuration(input, text, maxMs) {
    const allowed = 'a duration such as 90s, 20m or 1h30m (a bare number is seconds)';
    let ms;
    if (/^\d+$/.test(text)) {
        ms = Number(text) * 1000;
    }
    else {
        const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
        if (m === null || text === '')
            return bad(problem(input, `${shown(text)} is not ${allowed}`));
        ms = Number(m[1] ?? 0) * UNIT_MS.h + Number(m[2] ?? 0) * UNIT_MS.m + Number(m[3] ?? 0) * UNIT_MS.s;
    }
    if (ms <= 0)
        return bad(problem(input, `${shown(text)} must be longer than zero`));
    if (ms > maxMs)
        return bad(problem(input, `${shown(text)} is longer than the ${maxMs / UNIT_MS.h}h a GitHub job may run`));
    return ok(ms);
}
/**
 * A git ref or commit as `git check-ref-format --allow-onelevel` would take it, and not an option
 * (a leading `-` would be read by git as a flag).
 */
function parseGitRef(input, text) {
    const reasons = [
        [/^-/, 'may not start with "-"'],
        [/\.\./, 'may not contain ".."'],
        // git refuses control characters in ref names, as it does the characters listed.
        // eslint-disable-next-line no-control-regex
        [/[\s~^:?*[\\\x00-\x1f\x7f]/, 'may not contain spaces or any of ~ ^ : ? * [ \\'],
        [/@\{/, 'may not contain "@{"'],
        [
            /(^|\/)\.|\.lock$|\/$|\.$|\/\//,
            'is not a valid ref name (leading ".", trailing "/", "." or ".lock", or "//")'
        ]
    ];
    const why = reasons.find(([re]) => re.test(text));
    return why === undefined ? ok(text) : bad(problem(input, `${shown(text)} ${why[1]}`));
}

;// CONCATENATED MODULE: ./src/inputs/parse.ts












const SIX_HOURS_MS = 6 * 3_600_000;
const MAX_TITLE = 100;
/**
 * Validates every input before anything starts. Collects all problems and throws them together as
 * InputErrors; returns a Config only when there are none.
 */
function parseConfig(raw, ctx) {
    const problems = [];
    const text = (name) => {
        const given = raw[name]?.trim() ?? '';
        return given !== '' ? given : INPUTS.find(i => i.name === name).default;
    };
    const take = (parsed) => {
        if (parsed.ok)
            return parsed.value;
        problems.push(...parsed.problems);
        return undefined;
    };
    const optional = (name, parse) => text(name) === '' ? null : (take(parse(text(name))) ?? null);
    const mode = take(parseChoice('mode', text('mode'), MODES));
    const images = take(parseImages(text('images')));
    const snapshotters = take(parseChoiceList('snapshotters', text('snapshotters'), SNAPSHOTTERS));
    const tools = take(parseChoiceList('tools', text('tools'), TOOLS));
    const tiers = take(parseTiers(text('tiers')));
    const include = take(parsePatterns('include', text('include')));
    const exclude = take(parsePatterns('exclude', text('exclude')));
    const shard = optional('shard', t => parseShard(t));
    const shards = optional('shards', t => parseInteger('shards', t, 1, MAX_SHARDS));
    const cellTimeoutMs = take(parseDuration('cell-timeout', text('cell-timeout'), SIX_HOURS_MS));
    const retries = take(parseInteger('retries', text('retries'), 0, 5));
    const commentMode = take(parseChoice('comment-mode', text('comment-mode'), COMMENT_MODES));
    const failOn = take(parseChoice('fail-on', text('fail-on'), FAIL_ON));
    const title = take(parseTitle(text('title')));
    const kubesprayPath = optional('kubespray-path', t => existingDirectory('kubespray-path', (0,external_node_path_namespaceObject.resolve)(ctx.cwd, t), t));
    const kubesprayRef = optional('kubespray-ref', t => parseGitRef('kubespray-ref', t));
    const baseline = optional('baseline', t => parseBaseline((0,external_node_path_namespaceObject.resolve)(ctx.cwd, t), t));
    const writeBaseline = optional('write-baseline', t => writableFile('write-baseline', (0,external_node_path_namespaceObject.resolve)(ctx.cwd, t), t));
    const outputDir = take(outputDirectory((0,external_node_path_namespaceObject.resolve)(ctx.cwd, text('output-dir')), text('output-dir')));
    const githubToken = raw['github-token']?.trim() || null;
    if (mode !== undefined) {
        if (shard !== null && (mode === 'plan' || mode === 'report')) {
            problems.push(problem('shard', `is for mode run or all; mode is ${shown(mode)}`));
        }
        if (shards !== null && mode !== 'plan') {
            problems.push(problem('shards', `is for mode plan; mode is ${shown(mode)} (use shard: i/n there)`));
        }
    }
    // Patterns and shard counts can only be judged against the cells the valid axes produce.
    if (images && snapshotters && tools && include && exclude) {
        const all = expandAxes({ images, snapshotters, tools });
        problems.push(...patternsMatchingNothing('include', include, all));
        problems.push(...patternsMatchingNothing('exclude', exclude, all));
        const planned = filterCells(all, include, exclude);
        if (planned.length === 0 && (include.length > 0 || exclude.length > 0)) {
            problems.push(problem('exclude', 'leaves no cell to test: every planned cell is excluded'));
        }
        if (shard !== null && shard.count > planned.length) {
            problems.push(problem('shard', `${shown(`${shard.index}/${shard.count}`)} splits ${planned.length} cells into more shards than cells`));
        }
        else if (shard !== null && selectShard(planned, shard).length === 0) {
            problems.push(problem('shard', `${shown(`${shard.index}/${shard.count}`)} has no cells`));
        }
        if (shards !== null && shards > planned.length) {
            problems.push(problem('shards', `${shards} is more than the ${planned.length} planned cells`));
        }
    }
    if (problems.length > 0)
        throw new InputErrors(problems);
    return {
        mode: mode,
        title: title,
        axes: { images: images, snapshotters: snapshotters, tools: tools },
        tiers: tiers,
        include: include,
        exclude: exclude,
        kubesprayPath,
        kubesprayRef,
        baseline,
        writeBaseline,
        failOn: failOn,
        shard,
        shards,
        cellTimeoutMs: cellTimeoutMs,
        retries: retries,
        commentMode: commentMode,
        githubToken,
        outputDir: outputDir
    };
}
function parseImages(text) {
    const names = splitList(text);
    if (names.length === 0)
        return bad(problem('images', `is empty; list one or more of ${IMAGE_NAMES.join(', ')}`));
    const problems = names
        .filter(n => findImage(n) === undefined)
        .map(n => problem('images', `${shown(n)} is not one of ${IMAGE_NAMES.join(', ')}`));
    problems.push(...duplicates('images', names));
    if (problems.length > 0)
        return bad(...problems);
    // Keep the catalogue's order so rows read oldest OpenZFS first whatever order the user wrote.
    return ok(IMAGES.filter(i => names.includes(i.name)));
}
function parseTiers(text) {
    const parsed = parseChoiceList('tiers', text, TIERS);
    if (!parsed.ok)
        return parsed;
    const tiers = [...parsed.value].sort((a, b) => tierIndex(a) - tierIndex(b));
    if (tiers.includes('rejoin') && !tiers.includes('join')) {
        return bad(problem('tiers', '"rejoin" needs "join": it reruns a join that failed'));
    }
    return ok(tiers);
}
function parsePatterns(input, text) {
    const items = splitList(text);
    const problems = [];
    const patterns = [];
    for (const item of items) {
        const p = parseCellPattern(item);
        if (typeof p === 'string')
            problems.push(problem(input, `${shown(item)} ${p}`));
        else
            patterns.push(p);
    }
    problems.push(...duplicates(input, items));
    return problems.length > 0 ? bad(...problems) : ok(patterns);
}
function patternsMatchingNothing(input, patterns, cells) {
    return patterns
        .filter(p => !cells.some(c => matchesCell(p, c)))
        .map(p => problem(input, `${shown(p.text)} matches no cell of the planned axes (cells look like ${cells[0]?.id ?? 'image/snapshotter/tool'})`));
}
function parseShard(text) {
    const m = /^(\d+)\/(\d+)$/.exec(text);
    const form = `${shown(text)} is not of the form i/n (1 <= i <= n <= ${MAX_SHARDS}), e.g. 2/4`;
    if (m === null)
        return bad(problem('shard', form));
    const index = Number(m[1]);
    const count = Number(m[2]);
    if (index < 1 || count < 1 || index > count || count > MAX_SHARDS)
        return bad(problem('shard', form));
    return ok({ index, count });
}
function parseTitle(text) {
    if (/[\r\n]/.test(text))
        return bad(problem('title', 'must be a single line'));
    if (text.length > MAX_TITLE)
        return bad(problem('title', `is ${text.length} characters; at most ${MAX_TITLE}`));
    return ok(text);
}
function existingDirectory(input, path, given) {
    if (!(0,external_node_fs_namespaceObject.existsSync)(path))
        return bad(problem(input, `${shown(given)} does not exist (resolved to ${path})`));
    if (!(0,external_node_fs_namespaceObject.statSync)(path).isDirectory())
        return bad(problem(input, `${shown(given)} is not a directory`));
    return ok(path);
}
function parseBaseline(path, given) {
    if (!(0,external_node_fs_namespaceObject.existsSync)(path)) {
        return bad(problem('baseline', `${shown(given)} does not exist (resolved to ${path}); create one with write-baseline`));
    }
    try {
        return ok({ path, document: readResultsFile(path) });
    }
    catch (e) {
        return bad(problem('baseline', `${shown(given)} is not a results.json: ${e.message}`));
    }
}
function writableFile(input, path, given) {
    if ((0,external_node_fs_namespaceObject.existsSync)(path) && (0,external_node_fs_namespaceObject.statSync)(path).isDirectory())
        return bad(problem(input, `${shown(given)} is a directory`));
    const parent = nearestExisting((0,external_node_path_namespaceObject.dirname)(path));
    if (!(0,external_node_fs_namespaceObject.statSync)(parent).isDirectory())
        return bad(problem(input, `${shown(given)}: ${parent} is not a directory`));
    return ok(path);
}
function outputDirectory(path, given) {
    if ((0,external_node_fs_namespaceObject.existsSync)(path) && !(0,external_node_fs_namespaceObject.statSync)(path).isDirectory()) {
        return bad(problem('output-dir', `${shown(given)} exists and is not a directory`));
    }
    const parent = nearestExisting(path);
    if (!(0,external_node_fs_namespaceObject.statSync)(parent).isDirectory())
        return bad(problem('output-dir', `${shown(given)}: ${parent} is not a directory`));
    return ok(path);
}
function nearestExisting(path) {
    let p = path;
    while (!(0,external_node_fs_namespaceObject.existsSync)(p))
        p = (0,external_node_path_namespaceObject.dirname)(p);
    return p;
}

;// CONCATENATED MODULE: ./src/log/log.ts
/** Terminal output for the CLI: progress on stderr so stdout stays clean for `plan`'s JSON. */
function consoleLog(stream = process.stderr) {
    const write = (line) => void stream.write(`${line}\n`);
    return {
        info: write,
        warning: m => write(`warning: ${m}`),
        error: m => write(`error: ${m}`),
        // The runner prints a progress line when the cell ends; a terminal needs no group header.
        group: (_title, body) => body()
    };
}

;// CONCATENATED MODULE: ./src/publish/files.ts


const REPORT_MD = 'report.md';
const JUNIT_XML = 'junit.xml';
const PLAN_JSON = 'plan.json';
/** Writes a file, creating its directory; returns the path. */
function writeOutputFile(dir, name, content) {
    const path = (0,external_node_path_namespaceObject.join)(dir, name);
    writeAt(path, content);
    return path;
}
function writeAt(path, content) {
    (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(path), { recursive: true });
    (0,external_node_fs_namespaceObject.writeFileSync)(path, content);
}

;// CONCATENATED MODULE: ./src/report/baseline.ts

/**
 * Compares this run's results with a baseline's. Lists follow the order of `current`, except
 * `missingCells`, which follows `baseline`. When an id occurs twice in one list, the later result wins.
 */
function compareWithBaseline(current, baseline) {
    const before = new Map(baseline.map(r => [r.id, r]));
    const now = new Map(current.map(r => [r.id, r]));
    const regressions = [];
    const fixes = [];
    const newCells = [];
    const notRun = [];
    for (const r of now.values()) {
        const old = before.get(r.id);
        if (old === undefined) {
            newCells.push(r.id);
            continue;
        }
        if (old.status === 'pass' || old.status === 'flaky') {
            if (r.status === 'fail') {
                regressions.push({
                    id: r.id,
                    was: old.status,
                    now: 'fail',
                    signature: r.signature,
                    message: r.message
                });
            }
            else if (r.status === 'error') {
                regressions.push({ id: r.id, was: old.status, now: 'error', message: r.message });
            }
            else if (r.status === 'skipped') {
                notRun.push({ id: r.id, reason: r.reason });
            }
        }
        else if ((old.status === 'fail' || old.status === 'error') && isPassing(r.status)) {
            fixes.push({ id: r.id, was: old.status, now: r.status === 'flaky' ? 'flaky' : 'pass' });
        }
    }
    const missingCells = [...before.keys()].filter(id => !now.has(id));
    return { regressions, fixes, newCells, missingCells, notRun };
}
/**
 * Applies the `fail-on` policy. `regressions` fails only on regressions against the baseline, and
 * never without a baseline (there is nothing to regress from); `failures` fails on any failed or
 * errored cell; `never` only reports.
 */
function gateConclusion(failOn, counts, diff) {
    switch (failOn) {
        case 'regressions': {
            if (diff === undefined) {
                return {
                    failed: false,
                    reason: 'fail-on is "regressions" but no baseline was given, so no cell can regress.'
                };
            }
            const n = diff.regressions.length;
            if (n === 0)
                return { failed: false, reason: 'No regressions against the baseline.' };
            const ids = diff.regressions.map(r => r.id);
            const listed = ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');
            return {
                failed: true,
                reason: `${n} ${n === 1 ? 'cell' : 'cells'} passed in the baseline and fail now: ${listed}.`
            };
        }
        case 'failures': {
            const n = counts.failed + counts.errored;
            return n > 0
                ? { failed: true, reason: `${n} of ${counts.total} cells failed or errored.` }
                : { failed: false, reason: `No cell failed or errored (${counts.summaryLine()}).` };
        }
        case 'never':
            return { failed: false, reason: `fail-on is "never": reporting only (${counts.summaryLine()}).` };
        default: {
            const never = failOn;
            return never;
        }
    }
}

;// CONCATENATED MODULE: ./src/report/counts.ts
/**
 * Totals over a set of cell results. Every figure is computed from the results when read, so it
 * cannot drift from them.
 */
class MatrixCounts {
    results;
    constructor(results) {
        this.results = results;
    }
    get total() {
        return this.results.length;
    }
    /** Cells that passed, including those that needed a retry (flaky). */
    get passed() {
        return this.count('pass') + this.count('flaky');
    }
    get flaky() {
        return this.count('flaky');
    }
    get failed() {
        return this.count('fail');
    }
    /** Cells where the harness, not the join, failed. */
    get errored() {
        return this.count('error');
    }
    get skipped() {
        return this.count('skipped');
    }
    /**
     * E.g. `36 cells: 20 passed (1 flaky), 8 failed, 0 errors, 8 skipped`; the flaky part only when
     * there are any.
     */
    summaryLine() {
        const flaky = this.flaky > 0 ? ` (${this.flaky} flaky)` : '';
        return (`${plural(this.total, 'cell')}: ${this.passed} passed${flaky}, ${this.failed} failed, ` +
            `${plural(this.errored, 'error')}, ${this.skipped} skipped`);
    }
    count(status) {
        return this.results.filter(r => r.status === status).length;
    }
}
function plural(n, noun) {
    return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

;// CONCATENATED MODULE: ./src/diagnose/signatures.ts
const ZFS_FIX_VARIABLES = ['containerd_snapshotter', 'nerdctl_snapshotter'];
const SIGNATURES = [
    {
        id: 'zfs-snapshotter-not-a-dataset',
        code: 'Z3',
        title: 'zfs snapshotter root is not a ZFS dataset',
        patterns: [/must be a zfs filesystem to be used with the zfs snapshotter/, /snapshotter not loaded: zfs/],
        symptom: 'containerd skips the zfs snapshotter plugin; pulls fail with "snapshotter not loaded: zfs".',
        rootCause: "containerd's zfs snapshotter only loads when /var/lib/containerd/io.containerd.snapshotter.v1.zfs is the mountpoint of a ZFS dataset; kubespray does not create it.",
        fix: 'Create a dataset mounted there before containerd starts, e.g. `zfs create -o mountpoint=/var/lib/containerd/io.containerd.snapshotter.v1.zfs <pool>/containerd`, then restart containerd.',
        kubesprayVariables: ['containerd_snapshotter']
    },
    {
        id: 'overlayfs-mount-einval',
        code: 'Z1',
        title: 'overlayfs cannot mount with its upper dir on ZFS',
        patterns: [
            /overlayfs: upper fs missing required features/,
            /failed to mount \/tmp\/containerd-mount\d*: invalid argument/,
            /failed to mount rootfs component &\{overlay overlay.*invalid argument/
        ],
        symptom: 'Every container fails to start: ctr "failed to mount /tmp/containerd-mount…: invalid argument", CRI "failed to mount rootfs component &{overlay overlay …}: invalid argument"; the kernel logs "upper fs does not support RENAME_WHITEOUT".',
        rootCause: "OpenZFS 2.0 lacks what overlayfs requires of an upper filesystem (the kernel names RENAME_WHITEOUT), so every overlay mount with its upper dir on ZFS fails, and containerd's default snapshotter is overlayfs.",
        fix: 'Set `containerd_snapshotter: zfs` (with its dataset) or `native`, and `nerdctl_snapshotter` to the same value; or move the node to OpenZFS ≥ 2.2.',
        kubesprayVariables: ZFS_FIX_VARIABLES
    },
    {
        id: 'overlayfs-rename-whiteout',
        code: 'Z2',
        title: 'renaming a lower-layer file fails on overlayfs over ZFS',
        patterns: [/can't rename '[^']*': Invalid argument/, /cannot move '[^']*' to '[^']*': Invalid argument/],
        symptom: 'Containers start, but renaming or removing a file that comes from an image layer fails with "Invalid argument"; the kernel warns "upper fs does not support RENAME_WHITEOUT" on every mount.',
        rootCause: 'OpenZFS 2.1 lets the overlay mount but cannot create the whiteout a rename of a lower-layer file needs. Fixed in OpenZFS 2.2.',
        fix: 'Set `containerd_snapshotter: zfs` (with its dataset) or `native`, and `nerdctl_snapshotter` to the same value; or move the node to OpenZFS ≥ 2.2.',
        kubesprayVariables: ZFS_FIX_VARIABLES
    },
    {
        id: 'snapshot-missing-parent',
        code: 'S1',
        title: 'image unpacked into another snapshotter than the one in use',
        patterns: [/missing parent .*bucket: not found/, /failed to prepare extraction snapshot/],
        symptom: 'ctr/nerdctl: "failed to prepare extraction snapshot … missing parent … bucket: not found".',
        rootCause: "kubespray sets `containerd_snapshotter` only in the CRI section of containerd's config; nerdctl follows `nerdctl_snapshotter` (default overlayfs) and ctr its own default, so layers land in one snapshotter and are looked up in another.",
        fix: 'Set `nerdctl_snapshotter: "{{ containerd_snapshotter }}"`; if pulls use ctr, add `--snapshotter {{ containerd_snapshotter }}` to the pull command (`nerdctl_image_pull_command` override).',
        kubesprayVariables: ['nerdctl_snapshotter', 'nerdctl_image_pull_command']
    },
    {
        id: 'tool-snapshotter-mismatch',
        code: 'S2',
        title: 'the image tool and the CRI use different snapshotters',
        patterns: [/unpacked for snapshotter \S+ but the CRI uses \S+/],
        symptom: 'The pull succeeds, but the image is unpacked for a snapshotter kubelet does not use; the CRI must unpack it again, or fails to find it.',
        rootCause: 'nerdctl and ctr do not follow `containerd_snapshotter`: nerdctl reads `nerdctl_snapshotter` (default overlayfs), ctr pulls without `--snapshotter`.',
        fix: 'Set `nerdctl_snapshotter: "{{ containerd_snapshotter }}"` and pass `--snapshotter {{ containerd_snapshotter }}` in ctr pull commands.',
        kubesprayVariables: ['nerdctl_snapshotter', 'nerdctl_image_pull_command']
    },
    {
        id: 'nginx-proxy-not-running',
        code: 'J1',
        title: 'the nginx-proxy static pod never starts on the worker',
        patterns: [
            /nginx-proxy.*(ErrImagePull|ImagePullBackOff|CreateContainerError|RunContainerError|CrashLoopBackOff)/,
            /no running nginx-proxy container/
        ],
        symptom: 'kubelet cannot start the nginx-proxy static pod; nothing listens on localhost:6443 on the worker.',
        rootCause: 'Workers reach the apiserver through nginx-proxy (`loadbalancer_apiserver_localhost`); its image was pulled or unpacked with a snapshotter that cannot run it.',
        fix: "Fix the snapshotter first (see the Z and S signatures); check `crictl ps -a --name nginx-proxy` and kubelet's journal on the worker.",
        kubesprayVariables: ['containerd_snapshotter', 'nerdctl_snapshotter']
    },
    {
        id: 'apiserver-localhost-refused',
        code: 'J2',
        title: 'kubeadm join refused on 127.0.0.1:6443',
        patterns: [/dial tcp (127\.0\.0\.1|\[::1\]|localhost):6443: connect: connection refused/],
        symptom: '`kubeadm join` fails fetching kubeadm-config: "dial tcp 127.0.0.1:6443: connect: connection refused".',
        rootCause: 'nginx-proxy is not running on the worker, so the local apiserver endpoint is closed.',
        fix: 'Make nginx-proxy start (see J1); the join itself needs no change.',
        kubesprayVariables: ['loadbalancer_apiserver_localhost']
    },
    {
        id: 'kubelet-client-ca-missing',
        code: 'J3',
        title: 'kubelet fails on a missing /etc/kubernetes/ssl/ca.crt',
        patterns: [/unable to load client CA file \/etc\/kubernetes\/ssl\/ca\.crt/],
        symptom: 'After a failed join, kubelet restarts in a loop: "unable to load client CA file /etc/kubernetes/ssl/ca.crt".',
        rootCause: 'The failed join left kubelet configured (clientCAFile) without the certificates kubeadm join would have written; running scale.yml again does not repair it.',
        fix: 'Run `reset.yml --limit <node>` before `scale.yml` again, after fixing the snapshotter.',
        kubesprayVariables: []
    }
];
/** The id given to a failure no catalogue entry explains. */
const UNKNOWN_SIGNATURE = {
    id: 'unknown',
    code: '?',
    title: 'unrecognised failure',
    patterns: [],
    symptom: 'The cell failed with a message no known signature matches.',
    rootCause: "Not diagnosed: read the log lines quoted and the cell's logs.",
    fix: 'If this is a new ZFS/containerd failure, add a signature to src/diagnose/signatures.ts with a test on the log excerpt.',
    kubesprayVariables: []
};
function findSignature(id) {
    if (id === UNKNOWN_SIGNATURE.id)
        return UNKNOWN_SIGNATURE;
    return SIGNATURES.find(s => s.id === id);
}

;// CONCATENATED MODULE: ./src/report/escape.ts
/**
 * Making untrusted text (log excerpts, guest output, image names) safe to embed in Markdown and
 * XML. Every helper replaces every occurrence: a `replace('|', '\\|')` that only escapes the first
 * pipe is how a log line breaks a table (STYLE.md, "do not copy" #5).
 */
/** Characters that can start Markdown or HTML markup somewhere in GitHub Flavored Markdown. */
const MARKDOWN_SIGNIFICANT = /[\\`*_{}[\]<>()#+!|~&]/g;
/** Line breaks, which would let text start a new block (a list, a heading, a table row). */
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029]/g;
const BACKTICK_RUNS = /`+/g;
/**
 * Escapes `text` for use inside a Markdown paragraph, table cell or inline HTML element such as
 * `<summary>`, and folds line breaks into spaces so the text stays inline.
 *
 * Numeric character references are used rather than backslashes because they mean the same in every
 * context we write: GFM splits table rows before decoding them (so `&#124;` never ends a cell),
 * CommonMark never treats them as markup, and inside raw HTML the browser decodes them, where a
 * backslash would show literally.
 */
function escapeMarkdown(text) {
    return text.replace(LINE_BREAKS, ' ').replace(MARKDOWN_SIGNIFICANT, c => `&#${c.charCodeAt(0)};`);
}
/**
 * A fenced code block showing `text` verbatim. The fence is longer than the longest backtick run in
 * the text (at least three), so no line of the text can close it.
 */
function codeBlock(text) {
    const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
    const body = text.endsWith('\n') ? text : `${text}\n`;
    return `${fence}\n${body}${fence}`;
}
/**
 * An inline code span showing `text` verbatim (line breaks folded into spaces). Not for table cells:
 * GFM still splits a row on a `|` inside a code span.
 */
function codeSpan(text) {
    const flat = text.replace(LINE_BREAKS, ' ');
    if (flat === '')
        return '';
    const fence = '`'.repeat(longestBacktickRun(flat) + 1);
    // CommonMark strips one space from each side when both are present, so padding both sides keeps
    // a leading or trailing backtick (or space) of the text from merging with the fence.
    const pad = /^[` ]|[` ]$/.test(flat) ? ' ' : '';
    return `${fence}${pad}${flat}${pad}${fence}`;
}
const XML_SPECIAL = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '"': '&quot;',
    "'": '&apos;'
};
/** Everything outside XML 1.0's `Char` production; escaping cannot make these legal, only removing them. */
const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
/**
 * Escapes `text` for XML 1.0 element content and attribute values (either quote), and removes the
 * characters XML 1.0 does not allow at all (control characters from serial consoles, lone
 * surrogates), which would make JUnit consumers reject the whole file.
 */
function escapeXml(text) {
    return text.replace(XML_ILLEGAL, '').replace(/[&<>"']/g, c => XML_SPECIAL[c] ?? c);
}
/**
 * `text` cut to at most `maxChars` UTF-16 units, ending in `…` when it was cut. Cut before escaping,
 * so an escape sequence is never split. Never splits a surrogate pair.
 */
function shorten(text, maxChars) {
    if (text.length <= maxChars)
        return text;
    if (maxChars < 1)
        return '';
    let cut = text.slice(0, maxChars - 1);
    if (/[\uD800-\uDBFF]$/.test(cut))
        cut = cut.slice(0, -1);
    return `${cut}…`;
}
function longestBacktickRun(text) {
    let longest = 0;
    for (const run of text.matchAll(BACKTICK_RUNS))
        longest = Math.max(longest, run[0].length);
    return longest;
}

;// CONCATENATED MODULE: ./src/report/junit.ts



/**
 * The results as JUnit XML: one `<testsuite>` per image (in order of first appearance), one
 * `<testcase>` per cell named `<snapshotter>/<tool>`. A flaky cell counts as passed; its failed
 * attempts are noted in `<system-out>`, with the log paths of every cell.
 */
function renderJUnit(title, results) {
    const byImage = new Map();
    for (const r of results) {
        const cells = byImage.get(r.image) ?? [];
        cells.push(r);
        byImage.set(r.image, cells);
    }
    const suites = [...byImage].map(([image, cells]) => [`  <testsuite ${suiteAttributes(image, cells)}>`, ...cells.map(testcase), '  </testsuite>'].join('\n'));
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites ${suiteAttributes(title, results)}>`,
        ...suites,
        '</testsuites>',
        ''
    ].join('\n');
}
function suiteAttributes(name, cells) {
    const counts = new MatrixCounts(cells);
    const time = cells.reduce((sum, c) => sum + seconds(c.durationSeconds), 0);
    return (`name="${escapeXml(name)}" tests="${counts.total}" failures="${counts.failed}" ` +
        `errors="${counts.errored}" skipped="${counts.skipped}" time="${time.toFixed(3)}"`);
}
function testcase(r) {
    const name = `${r.snapshotter}/${r.tool}`;
    const time = seconds(r.durationSeconds).toFixed(3);
    const open = `    <testcase classname="${escapeXml(r.image)}" name="${escapeXml(name)}" time="${time}"`;
    const children = [...outcomeElements(r), ...systemOut(r)];
    return children.length === 0 ? `${open}/>` : [`${open}>`, ...children, '    </testcase>'].join('\n');
}
function outcomeElements(r) {
    switch (r.status) {
        case 'pass':
        case 'flaky':
            return [];
        case 'skipped':
            return [`      <skipped message="${escapeXml(r.reason)}"/>`];
        case 'fail': {
            const signature = findSignature(r.signature);
            const text = [
                `Tier: ${r.tier ?? 'none'}`,
                `Signature: ${signature?.title ?? 'not in this catalogue'} (${r.signature})`,
                ...(signature === undefined ? [] : [`Root cause: ${signature.rootCause}`, `Fix: ${signature.fix}`]),
                ...(r.excerpt === undefined ? [] : ['', r.excerpt])
            ].join('\n');
            const attributes = `message="${escapeXml(r.message)}" type="${escapeXml(r.signature)}"`;
            return [`      <failure ${attributes}>${escapeXml(text)}</failure>`];
        }
        case 'error': {
            const text = [`Tier: ${r.tier ?? 'none'}`, ...(r.excerpt === undefined ? [] : ['', r.excerpt])].join('\n');
            return [
                `      <error message="${escapeXml(r.message)}" type="harness-error">${escapeXml(text)}</error>`
            ];
        }
        default: {
            const never = r;
            return never;
        }
    }
}
function systemOut(r) {
    const lines = [];
    if (r.status === 'flaky') {
        const title = findSignature(r.signature)?.title ?? 'not in this catalogue';
        lines.push(`Passed after ${r.failedAttempts} failed attempt(s): ${title} (${r.signature})`);
    }
    if (r.logs.length > 0)
        lines.push('Logs:', ...r.logs.map(path => `  ${path}`));
    return lines.length === 0 ? [] : [`      <system-out>${escapeXml(lines.join('\n'))}</system-out>`];
}
/** JUnit consumers reject a negative or non-numeric time; a missing duration is better shown as 0. */
function seconds(value) {
    return Number.isFinite(value) && value > 0 ? value : 0;
}

;// CONCATENATED MODULE: ./src/report/symbols.ts

/** How each status is drawn in the matrix, the legend and the details. */
const STATUS_SYMBOLS = {
    pass: '✅',
    flaky: '🔁',
    fail: '❌',
    error: '⚠️',
    skipped: '⏭️'
};
/** A planned cell with no result yet (the run was cancelled, or is still going). */
const NOT_RUN_SYMBOL = '⏳';
/** A snapshotter × tool combination that was not planned for this image. */
const NOT_PLANNED_SYMBOL = '·';
/** The short code of a signature id, `?` when this catalogue does not know the id. */
function signatureCode(id) {
    return findSignature(id)?.code ?? '?';
}
/** The matrix cell text for an outcome: its symbol, plus the signature code for fail and flaky. */
function outcomeLabel(o) {
    switch (o.status) {
        case 'fail':
        case 'flaky':
            return `${STATUS_SYMBOLS[o.status]} ${signatureCode(o.signature)}`;
        case 'pass':
        case 'error':
        case 'skipped':
            return STATUS_SYMBOLS[o.status];
        default: {
            const never = o;
            return never;
        }
    }
}

;// CONCATENATED MODULE: ./src/report/details.ts



/**
 * A collapsible `<details>` section explaining one failed, errored or flaky cell: tier, signature,
 * root cause and fix, message, excerpt and log paths. Empty for a cell that passed or was skipped.
 */
function renderFailureDetails(result, opts) {
    const tier = `- **Tier:** ${result.tier ?? 'none (no tier ran)'}`;
    switch (result.status) {
        case 'pass':
        case 'skipped':
            return '';
        case 'fail': {
            const signature = findSignature(result.signature);
            const title = escapeMarkdown(signature?.title ?? 'unknown signature');
            return section(`${summaryPrefix(result)}: ${signatureCode(result.signature)} ${title}`, [
                tier,
                signatureLine(result.signature, signature),
                `- **Message:** ${escapeMarkdown(result.message)}`,
                ...explanation(signature),
                ...logsLine(result)
            ], opts.excerpt ? result.excerpt : undefined);
        }
        case 'error':
            return section(`${summaryPrefix(result)}: harness error`, [tier, `- **Message:** ${escapeMarkdown(result.message)}`, ...logsLine(result)], opts.excerpt ? result.excerpt : undefined);
        case 'flaky': {
            const signature = findSignature(result.signature);
            return section(`${summaryPrefix(result)}: passed after ${result.failedAttempts} failed attempt(s), ` +
                signatureCode(result.signature), [
                tier,
                `- **Failed attempts:** ${result.failedAttempts}`,
                signatureLine(result.signature, signature),
                ...explanation(signature),
                ...logsLine(result)
            ], undefined);
        }
        default: {
            const never = result;
            return never;
        }
    }
}
/**
 * The skipped cells grouped by identical reason, one list item per reason, so that 200 cells skipped
 * for one reason take one line. Cell ids are listed only for groups of at most `listUpTo` cells
 * (default 5); larger groups show the count alone. Empty when nothing was skipped.
 */
function renderSkipReasons(results, listUpTo = 5) {
    const byReason = new Map();
    for (const r of results) {
        if (r.status !== 'skipped')
            continue;
        const ids = byReason.get(r.reason) ?? [];
        ids.push(r.id);
        byReason.set(r.reason, ids);
    }
    return [...byReason]
        .map(([reason, ids]) => {
        const count = `**${ids.length} ${ids.length === 1 ? 'cell' : 'cells'}:** ${escapeMarkdown(reason)}`;
        return ids.length <= listUpTo ? `- ${count} (${ids.map(codeSpan).join(', ')})` : `- ${count}`;
    })
        .join('\n');
}
function summaryPrefix(result) {
    return `${STATUS_SYMBOLS[result.status]} <b>${escapeMarkdown(result.id)}</b>`;
}
function signatureLine(id, signature) {
    return signature === undefined
        ? `- **Signature:** ${codeSpan(id)}, which this version's catalogue does not know`
        : `- **Signature:** ${escapeMarkdown(signature.title)} (${codeSpan(id)})`;
}
/** The catalogue's own Markdown (it quotes commands in code spans), so it is not escaped. */
function explanation(signature) {
    if (signature === undefined)
        return [];
    return [`- **Root cause:** ${signature.rootCause}`, `- **Fix:** ${signature.fix}`];
}
function logsLine(result) {
    return result.logs.length === 0 ? [] : [`- **Logs:** ${result.logs.map(codeSpan).join(', ')}`];
}
/**
 * Blank lines around the Markdown body matter: without them GitHub treats the body as part of the
 * HTML block and renders it raw.
 */
function section(summary, lines, excerpt) {
    const parts = [`<details><summary>${summary}</summary>`, lines.join('\n')];
    if (excerpt !== undefined && excerpt !== '')
        parts.push(`Log excerpt:\n\n${codeBlock(excerpt)}`);
    parts.push('</details>');
    return parts.join('\n\n');
}

;// CONCATENATED MODULE: ./src/report/matrix-table.ts






/**
 * One result per cell, in the order cells first appear; when a cell has several results (a resumed
 * run appends again) the last one wins, as it finished last.
 */
function latestResults(results) {
    const latest = new Map();
    for (const r of results)
        latest.set(key(r), r);
    return [...latest.values()];
}
/**
 * The pass/fail matrix as a Markdown table: one row per image (in plan order), one column per
 * snapshotter × tool combination planned (in SNAPSHOTTERS then TOOLS order).
 *
 * A result for a cell the plan does not contain is shown anyway (its row or column is added) rather
 * than hidden: the table is the one part of the report that is never shortened, so it must show
 * every result.
 */
function renderMatrixTable(results, planned) {
    const latest = new Map(latestResults(results).map(r => [key(r), r]));
    const plannedKeys = new Set(planned.map(key));
    const everyCell = [...planned, ...results];
    if (everyCell.length === 0)
        return '_No cells planned._';
    const images = [...new Set(everyCell.map(c => c.image))];
    const columns = SNAPSHOTTERS.flatMap(snapshotter => TOOLS.filter(tool => everyCell.some(c => c.snapshotter === snapshotter && c.tool === tool)).map(tool => ({
        snapshotter,
        tool
    })));
    const cellText = (image, column) => {
        const k = key({ image, ...column });
        const result = latest.get(k);
        if (result !== undefined)
            return outcomeLabel(result);
        return plannedKeys.has(k) ? NOT_RUN_SYMBOL : NOT_PLANNED_SYMBOL;
    };
    const header = `| image | ${columns.map(c => `${c.snapshotter}<br>${c.tool}`).join(' | ')} |`;
    const separator = `| --- | ${columns.map(() => ':-:').join(' | ')} |`;
    const rows = images.map(image => `| ${escapeMarkdown(image)}<br>${imageVersions(image, results)} | ` +
        `${columns.map(c => cellText(image, c)).join(' | ')} |`);
    return [header, separator, ...rows].join('\n');
}
/**
 * What the symbols mean, and every signature code the table shows with its title and id, in
 * catalogue order (root causes first).
 */
function renderLegend(results) {
    const symbols = `**Legend:** ${STATUS_SYMBOLS.pass} pass · ${STATUS_SYMBOLS.flaky} flaky (passed on a retry) · ` +
        `${STATUS_SYMBOLS.fail} fail · ${STATUS_SYMBOLS.error} error (the harness failed, not the join) · ` +
        `${STATUS_SYMBOLS.skipped} skipped · ${NOT_RUN_SYMBOL} not run yet · \`${NOT_PLANNED_SYMBOL}\` not planned`;
    const shown = new Set();
    for (const r of latestResults(results)) {
        const id = outcomeSignature(r);
        if (id !== undefined)
            shown.add(id);
    }
    const known = [...SIGNATURES, UNKNOWN_SIGNATURE].filter(s => shown.has(s.id));
    const strangers = [...shown].filter(id => findSignature(id) === undefined);
    const lines = [
        ...known.map(s => `- **${s.code}** ${escapeMarkdown(s.title)} (${codeSpan(s.id)})`),
        ...strangers.map(id => `- **?** a signature this version does not know (${codeSpan(id)})`)
    ];
    return lines.length === 0 ? symbols : `${symbols}\n\n${lines.join('\n')}`;
}
/**
 * The versions read inside the guest; failing that, the catalogue's expected series, marked so that
 * nobody takes a guess for a measurement.
 */
function imageVersions(image, results) {
    const ofImage = results.filter(r => r.image === image);
    const kernel = ofImage.find(r => r.versions.kernel !== undefined)?.versions.kernel;
    const openzfs = ofImage.find(r => r.versions.openzfs !== undefined)?.versions.openzfs;
    const expected = findImage(image)?.expected;
    if (kernel === undefined && openzfs === undefined) {
        if (expected === undefined)
            return 'versions unknown';
        const series = `kernel ${expected.kernelSeries} · OpenZFS ${expected.openzfsSeries}`;
        return `${escapeMarkdown(series)} (expected; not booted)`;
    }
    const part = (label, read, series) => {
        if (read !== undefined)
            return `${label} ${escapeMarkdown(read)}`;
        if (series !== undefined)
            return `${label} ${escapeMarkdown(series)} (expected; not read)`;
        return `${label} unknown`;
    };
    return [
        part('kernel', kernel, expected?.kernelSeries),
        part('OpenZFS', openzfs, expected?.openzfsSeries)
    ].join(' · ');
}
function key(c) {
    return `${c.image}/${c.snapshotter}/${c.tool}`;
}

;// CONCATENATED MODULE: ./src/report/report-markdown.ts





/** The most a pull-request comment or check-run summary may hold. */
const GITHUB_MARKDOWN_LIMIT = 65536;
/** Longest failure message quoted in the baseline section; the details section has the rest. */
const GATE_MESSAGE_CHARS = 200;
/**
 * The whole report as GitHub Markdown of at most `maxChars` characters (default
 * {@link GITHUB_MARKDOWN_LIMIT}). Length is measured in UTF-16 units, which never undercounts
 * GitHub's characters.
 *
 * When the full report is too long it degrades, and never cuts the table: first the log excerpts
 * go, then the details of the last failing cells (replaced by a count pointing at results.json),
 * then all details, then the baseline section shrinks to ids and then to counts, and the skip
 * reasons, footer and legend go. Only if the title, summary and table alone exceed `maxChars` is
 * the result longer than `maxChars`.
 */
function renderReport(input, maxChars = GITHUB_MARKDOWN_LIMIT) {
    const results = latestResults(input.results);
    const failing = detailsOrder(results, input.gate);
    const withExcerpts = failing.map(r => renderFailureDetails(r, { excerpt: true }));
    const withoutExcerpts = failing.map(r => renderFailureDetails(r, { excerpt: false }));
    const parts = {
        heading: `## ${escapeMarkdown(input.title)}`,
        summary: new MatrixCounts(results).summaryLine(),
        table: renderMatrixTable(results, input.planned),
        legend: renderLegend(results),
        skipReasons: renderSkipReasons(results),
        footer: input.footer ?? ''
    };
    const render = (shape) => compose(parts, input.gate, shape.excerpts ? withExcerpts : withoutExcerpts, shape);
    const fits = (shape) => render(shape).length <= maxChars;
    const n = failing.length;
    const full = {
        excerpts: true,
        detailCount: n,
        gate: 'full',
        skipReasons: true,
        footer: true,
        legend: true,
        note: false
    };
    const noExcerpts = { ...full, excerpts: false };
    if (fits(full))
        return render(full);
    if (fits(noExcerpts))
        return render(noExcerpts);
    // More details make a longer report (a section is longer than the digit the count line may lose),
    // so the largest count that fits can be found by bisection.
    let fitting = 0;
    let tooMany = n;
    while (tooMany - fitting > 1) {
        const mid = Math.floor((fitting + tooMany) / 2);
        if (fits({ ...noExcerpts, detailCount: mid }))
            fitting = mid;
        else
            tooMany = mid;
    }
    const noDetails = { ...noExcerpts, detailCount: 0 };
    const fallbacks = [
        { ...noExcerpts, detailCount: fitting },
        noDetails,
        { ...noDetails, gate: 'ids', note: true },
        { ...noDetails, gate: 'ids', skipReasons: false, note: true },
        { ...noDetails, gate: 'ids', skipReasons: false, footer: false, note: true },
        { ...noDetails, gate: 'counts', skipReasons: false, footer: false, note: true },
        { ...noDetails, gate: 'counts', skipReasons: false, footer: false, legend: false, note: true },
        { ...noDetails, gate: 'counts', skipReasons: false, footer: false, legend: false, note: false }
    ];
    const shape = fallbacks.find(fits);
    if (shape !== undefined)
        return render(shape);
    // What is left may still exceed maxChars; the table is returned whole all the same.
    return [parts.heading, parts.summary, parts.table].join('\n\n') + '\n';
}
function compose(parts, gate, details, shape) {
    const sections = [parts.heading, parts.summary];
    if (gate !== undefined)
        sections.push(renderGate(gate, shape.gate));
    sections.push(parts.table);
    if (shape.legend)
        sections.push(parts.legend);
    if (shape.skipReasons && parts.skipReasons !== '') {
        sections.push(`### Skipped cells\n\n${parts.skipReasons}`);
    }
    if (details.length > 0) {
        const shown = details.slice(0, shape.detailCount);
        const more = details.length - shown.length;
        const moreLine = more > 0 ? [`… and ${more} more failing cells: see results.json`] : [];
        sections.push(['### Failures', ...shown, ...moreLine].join('\n\n'));
    }
    if (shape.note)
        sections.push("_Sections were left out to fit GitHub's size limit: see results.json._");
    if (shape.footer && parts.footer !== '')
        sections.push(parts.footer);
    return sections.join('\n\n') + '\n';
}
/** Regressions first (they are why anyone reads the report), then failures and errors, then flaky cells. */
function detailsOrder(results, gate) {
    const regressed = new Set(gate?.regressions.map(r => r.id));
    const rank = (r) => {
        if (regressed.has(r.id))
            return 0;
        return r.status === 'flaky' ? 2 : 1;
    };
    return results
        .filter(r => r.status === 'fail' || r.status === 'error' || r.status === 'flaky')
        .map((r, index) => ({ r, index }))
        .sort((a, b) => rank(a.r) - rank(b.r) || a.index - b.index)
        .map(({ r }) => r);
}
function renderGate(diff, level) {
    const lines = ['### Compared with the baseline'];
    const ids = (list) => list.map(codeSpan).join(', ');
    const n = diff.regressions.length;
    const regressions = `${STATUS_SYMBOLS.fail} ${n} ${n === 1 ? 'regression' : 'regressions'}`;
    if (n === 0)
        lines.push(`**${STATUS_SYMBOLS.pass} No regressions against the baseline.**`);
    else if (level === 'full') {
        lines.push(`**${regressions}:** passed in the baseline, fail now.`, diff.regressions
            .map(r => {
            const what = r.signature !== undefined ? signatureCode(r.signature) : 'error';
            const message = escapeMarkdown(shorten(r.message, GATE_MESSAGE_CHARS));
            return `- ${STATUS_SYMBOLS[r.now]} ${codeSpan(r.id)} (${what}): ${message}`;
        })
            .join('\n'));
    }
    else if (level === 'ids')
        lines.push(`**${regressions}:** ${ids(diff.regressions.map(r => r.id))}`);
    else
        lines.push(`**${regressions}** against the baseline.`);
    const listed = (label, list) => level === 'counts' ? `**${label}:** ${list.length}` : `**${label}, ${list.length}:** ${ids(list)}`;
    if (diff.fixes.length > 0) {
        lines.push(listed('Fixed (failed in the baseline, pass now)', diff.fixes.map(f => f.id)));
    }
    if (diff.newCells.length > 0)
        lines.push(listed('New cells (not in the baseline)', diff.newCells));
    if (diff.missingCells.length > 0) {
        lines.push(listed('Missing cells (in the baseline, not in this run)', diff.missingCells));
    }
    if (diff.notRun.length > 0) {
        const label = 'Not run (passed in the baseline, skipped now)';
        lines.push(level === 'full'
            ? `**${label}, ${diff.notRun.length}:**\n` +
                diff.notRun.map(r => `- ${codeSpan(r.id)}: ${escapeMarkdown(r.reason)}`).join('\n')
            : listed(label, diff.notRun.map(r => r.id)));
    }
    return lines.join('\n\n');
}

;// CONCATENATED MODULE: ./src/diagnose/classify.ts

const MAX_EXCERPT_LINES = 8;
/** Lines worth quoting when nothing in the catalogue matches. */
const SUSPICIOUS = /\b(error|failed|fatal|refused|invalid argument|denied|no such file|timed? ?out|panic)\b/i;
function classify(evidence, catalogue = SIGNATURES) {
    const lines = evidence.flatMap(e => e.text.split(/\r?\n/).map(line => ({ source: e.source, line })));
    const matches = catalogue
        .map(signature => ({
        signature,
        hits: lines.filter(({ line }) => signature.patterns.some(p => p.test(line)))
    }))
        .filter(m => m.hits.length > 0);
    const [first, ...rest] = matches;
    if (first === undefined) {
        const suspicious = lines.filter(({ line }) => SUSPICIOUS.test(line)).slice(-MAX_EXCERPT_LINES);
        return { signature: UNKNOWN_SIGNATURE, alsoMatched: [], excerpt: suspicious.map(quote) };
    }
    return {
        signature: first.signature,
        alsoMatched: rest.map(m => m.signature.id),
        excerpt: first.hits.slice(0, MAX_EXCERPT_LINES).map(quote)
    };
}
function quote({ source, line }) {
    return `${source}: ${line.trim()}`;
}

;// CONCATENATED MODULE: ./src/run/attempts.ts


/**
 * Runs one cell in one tier: each attempt under the cell timeout, failed attempts retried, failures
 * diagnosed into a signature. A pass after failed attempts is flaky, never plain pass.
 */
async function runAttempts(session, cell, policy, logDirFor) {
    const failed = [];
    let versions = {};
    const logs = [];
    for (let attempt = 1; attempt <= policy.retries + 1; attempt++) {
        if (policy.signal.aborted) {
            return { outcome: { status: 'error', message: 'cancelled' }, attempts: attempt - 1, versions, logs };
        }
        const result = await attemptWithTimeout(session, cell, attempt, policy, logDirFor(attempt));
        versions = { ...versions, ...result.versions };
        logs.push(...result.logs);
        const outcome = diagnose(result.verdict);
        if (outcome.status === 'pass') {
            const first = failed[0];
            if (first === undefined)
                return { outcome, attempts: attempt, versions, logs };
            const signature = first.status === 'fail' ? first.signature : UNKNOWN_SIGNATURE.id;
            return {
                outcome: { status: 'flaky', failedAttempts: failed.length, signature },
                attempts: attempt,
                versions,
                logs
            };
        }
        if (outcome.status === 'skipped')
            return { outcome, attempts: attempt, versions, logs };
        failed.push(outcome);
    }
    return { outcome: failed.at(-1), attempts: failed.length, versions, logs };
}
function diagnose(verdict) {
    switch (verdict.kind) {
        case 'pass':
            return { status: 'pass' };
        case 'skipped':
            return { status: 'skipped', reason: verdict.reason };
        case 'fail': {
            const d = classify(verdict.evidence);
            return { status: 'fail', signature: d.signature.id, message: verdict.message, ...excerpt(d.excerpt) };
        }
        case 'error':
            return { status: 'error', message: verdict.message, ...excerpt(classify(verdict.evidence).excerpt) };
        default: {
            const never = verdict;
            throw new Error(`unknown verdict ${JSON.stringify(never)}`);
        }
    }
}
function excerpt(lines) {
    return lines.length > 0 ? { excerpt: lines.join('\n') } : {};
}
/**
 * Races the attempt against the cell timeout. On timeout the attempt's signal is aborted so the scenario
 * kills its commands; we do not wait for a scenario that ignores it.
 */
async function attemptWithTimeout(session, cell, attempt, policy, logDir) {
    const controller = new AbortController();
    const onCancel = () => controller.abort(new Error('cancelled'));
    policy.signal.addEventListener('abort', onCancel, { once: true });
    let timer;
    const timedOut = new Promise(resolve => {
        timer = setTimeout(() => {
            controller.abort(new Error('timed out'));
            resolve(harnessError(`timed out after ${formatMs(policy.timeoutMs)} (cell-timeout)`));
        }, policy.timeoutMs);
    });
    const running = session
        .run(cell, { attempt, signal: controller.signal, logDir })
        .catch((e) => harnessError(`the scenario crashed: ${e instanceof Error ? e.message : String(e)}`));
    try {
        return await Promise.race([running, timedOut]);
    }
    finally {
        clearTimeout(timer);
        policy.signal.removeEventListener('abort', onCancel);
    }
}
function harnessError(message) {
    return { verdict: { kind: 'error', message, evidence: [] }, versions: {}, logs: [] };
}
function formatMs(ms) {
    if (ms % 3_600_000 === 0)
        return `${ms / 3_600_000}h`;
    if (ms % 60_000 === 0)
        return `${ms / 60_000}m`;
    return `${ms / 1000}s`;
}

;// CONCATENATED MODULE: ./src/run/decide.ts

/**
 * Folds a cell's tier outcomes into the one that decides it.
 * - The deepest tier that really ran decides: reality beats a shallower prediction.
 * - A pass never stands in for a deeper tier that was requested and skipped: the cell is then skipped,
 *   with both facts in the reason (a lint pass is not a probe pass).
 * - A failure stands even when a deeper tier was skipped: it was really observed.
 */
function decideCell(requested, outcomes) {
    const ordered = [...outcomes].sort((a, b) => tierIndex(a.tier) - tierIndex(b.tier));
    const ran = ordered.filter(o => o.status !== 'skipped');
    const deepestRan = ran.at(-1);
    const deepestSkip = [...ordered].reverse().find(o => o.status === 'skipped');
    if (deepestRan === undefined) {
        if (deepestSkip === undefined) {
            return {
                outcome: { status: 'skipped', reason: `no tier ran (requested: ${requested.join(', ')})` },
                tier: null
            };
        }
        return { outcome: strip(deepestSkip), tier: deepestSkip.tier };
    }
    const failing = deepestRan.status === 'fail' || deepestRan.status === 'error';
    if (!failing && deepestSkip !== undefined && tierIndex(deepestSkip.tier) > tierIndex(deepestRan.tier)) {
        return {
            outcome: {
                status: 'skipped',
                reason: `${deepestRan.tier} passed; ${deepestSkip.tier} skipped: ${deepestSkip.reason}`
            },
            tier: deepestSkip.tier
        };
    }
    return { outcome: strip(deepestRan), tier: deepestRan.tier };
}
/** The outcome alone, without the tier bookkeeping fields. */
function strip(o) {
    const { tier: _tier, attempts: _attempts, durationSeconds: _d, ...outcome } = o;
    return outcome;
}

;// CONCATENATED MODULE: ./src/run/progress.ts

/** `[7/36] probe debian-12/zfs/nerdctl … fail 12.3s overlayfs-rename-whiteout: mv failed` */
function formatProgress(done, total, tier, cell, outcome) {
    const detail = [outcomeSignature(outcome), outcomeText(outcome)]
        .filter(s => s !== undefined && s !== '')
        .join(': ');
    const line = `[${done}/${total}] ${tier} ${cell.id} … ${outcome.status} ${outcome.durationSeconds.toFixed(1)}s`;
    return detail === '' ? line : `${line} (${firstLine(detail)})`;
}
function firstLine(text) {
    const line = text.split('\n')[0] ?? '';
    return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

;// CONCATENATED MODULE: ./src/run/run-cells.ts






/**
 * Runs the cells image by image, and within an image tier by tier, so one VM (or control plane) serves
 * every cell of its image. After each cell in each tier the cell's updated result goes to the journal.
 */
async function runCells(cells, deps) {
    const { config, log, signal } = deps;
    const now = deps.now ?? (() => new Date());
    const total = cells.length * config.tiers.length;
    const outcomes = new Map();
    const results = new Map();
    let done = 0;
    for (const [imageName, imageCells] of groupByImage(cells)) {
        const image = findImage(imageName);
        if (image === undefined)
            throw new Error(`image ${imageName} is not in the catalogue`);
        for (const tier of config.tiers) {
            if (signal.aborted)
                break;
            const imageLogDir = (0,external_node_path_namespaceObject.join)(config.outputDir, 'logs', imageName);
            (0,external_node_fs_namespaceObject.mkdirSync)(imageLogDir, { recursive: true });
            const opened = await openSafely(deps.scenarioFor(tier), image, {
                config,
                log,
                signal,
                imageLogDir,
                workDir: deps.workDir
            });
            try {
                for (const cell of imageCells) {
                    if (signal.aborted)
                        break;
                    done++;
                    const started = Date.now();
                    const tierOutcome = await log.group(`[${done}/${total}] ${tier} ${cell.id}`, async () => {
                        const run = await runTier(opened, cell, tier, deps);
                        const durationSeconds = (Date.now() - started) / 1000;
                        return {
                            ...run,
                            outcome: { ...run.outcome, tier, attempts: run.attempts, durationSeconds }
                        };
                    });
                    log.info(formatProgress(done, total, tier, cell, tierOutcome.outcome));
                    const cellOutcomes = [...(outcomes.get(cell.id) ?? []), tierOutcome.outcome];
                    outcomes.set(cell.id, cellOutcomes);
                    const previous = results.get(cell.id);
                    const result = buildResult(cell, config, cellOutcomes, {
                        versions: { ...previous?.versions, ...tierOutcome.versions },
                        logs: [...(previous?.logs ?? []), ...tierOutcome.logs.map(p => (0,external_node_path_namespaceObject.relative)(config.outputDir, p))],
                        finishedAt: now().toISOString()
                    });
                    results.set(cell.id, result);
                    deps.journal.append(result);
                }
            }
            finally {
                if (opened.kind === 'ready')
                    await closeSafely(opened.session, tier, imageName, log);
            }
        }
    }
    return cells.flatMap(c => results.get(c.id) ?? []);
}
async function openSafely(scenario, image, context) {
    try {
        return await scenario.open(image, context);
    }
    catch (e) {
        return {
            kind: 'broken',
            message: `could not prepare ${image.name} for ${scenario.tier}: ${e.message}`
        };
    }
}
async function runTier(opened, cell, tier, deps) {
    const { config, signal } = deps;
    switch (opened.kind) {
        case 'unavailable':
            return {
                outcome: { status: 'skipped', reason: opened.reason },
                attempts: 0,
                versions: {},
                logs: []
            };
        case 'broken':
            return {
                outcome: { status: 'error', message: opened.message },
                attempts: 0,
                versions: {},
                logs: []
            };
        case 'ready':
            return runAttempts(opened.session, cell, { retries: config.retries, timeoutMs: config.cellTimeoutMs, signal }, attempt => {
                const dir = (0,external_node_path_namespaceObject.join)(config.outputDir, 'logs', cell.image, cell.snapshotter, cell.tool, tier, `attempt-${attempt}`);
                (0,external_node_fs_namespaceObject.mkdirSync)(dir, { recursive: true });
                return dir;
            });
        default: {
            const never = opened;
            throw new Error(`unexpected ${JSON.stringify(never)}`);
        }
    }
}
async function closeSafely(session, tier, image, log) {
    try {
        await session.close();
    }
    catch (e) {
        log.warning(`cleanup of ${tier} on ${image} failed: ${e.message}`);
    }
}
function buildResult(cell, config, outcomes, extra) {
    const decided = decideCell(config.tiers, outcomes);
    return {
        id: cell.id,
        image: cell.image,
        snapshotter: cell.snapshotter,
        tool: cell.tool,
        ...decided.outcome,
        tier: decided.tier,
        durationSeconds: outcomes.reduce((s, o) => s + o.durationSeconds, 0),
        tiers: outcomes,
        ...extra
    };
}
function groupByImage(cells) {
    const groups = new Map();
    for (const cell of cells)
        groups.set(cell.image, [...(groups.get(cell.image) ?? []), cell]);
    return groups;
}

;// CONCATENATED MODULE: ./src/pipeline.ts













/** GitHub's step summary takes 1 MiB; at up to 4 bytes a character this many always fit. */
const SUMMARY_MAX_CHARS = 262_144;
/** What report.md may hold: it is read by people and pasted into comments; keep it comment-sized. */
const COMMENT_MAX_CHARS = 65_536;
/** Config → Plan → (Provision → Scenario → Diagnose)* → Results → Report, per `mode`. */
async function runPipeline(config, deps) {
    switch (config.mode) {
        case 'plan':
            return emitPlan(config, deps);
        case 'run':
            return runMode(config, deps, false);
        case 'all':
            return runMode(config, deps, true);
        case 'report':
            return reportMode(config, deps);
        default: {
            const never = config.mode;
            throw new Error(`unknown mode ${String(never)}`);
        }
    }
}
function emitPlan(config, deps) {
    const cells = planCells(config);
    const count = config.shards ?? defaultShardCount(cells);
    const matrix = strategyMatrix(cells, count);
    const json = JSON.stringify(matrix);
    const path = writeOutputFile(config.outputDir, PLAN_JSON, `${JSON.stringify(matrix, null, 2)}\n`);
    deps.outputs.set('matrix', json);
    deps.outputs.set('cells', String(cells.length));
    deps.log.info(`Planned ${cells.length} cells in ${count} shard(s); strategy.matrix written to ${path}`);
    return { failed: false, reason: `planned ${cells.length} cells` };
}
async function runMode(config, deps, report) {
    const all = planCells(config);
    const cells = config.shard === null ? all : selectShard(all, config.shard);
    const journalPath = (0,external_node_path_namespaceObject.join)(config.outputDir, RESULTS_JSONL);
    // A journal belongs to one run: lines left by an earlier run in the same directory would mix in.
    (0,external_node_fs_namespaceObject.rmSync)(journalPath, { force: true });
    const journal = new ResultsJournal(journalPath);
    const shardText = config.shard === null ? '' : ` (shard ${formatShard(config.shard)} of ${all.length} cells)`;
    deps.log.info(`Running ${cells.length} cells × tiers ${config.tiers.join(', ')}${shardText}`);
    deps.outputs.set('cells', String(cells.length));
    const results = await runCells(cells, { ...deps, config, journal });
    const finished = readJournal(journalPath);
    if (deps.signal.aborted)
        deps.log.warning(`Cancelled: reporting the ${finished.length} cells that finished`);
    const published = await publish(config, deps, finished.length > 0 ? finished : results, cells, report);
    if (deps.signal.aborted)
        return { failed: true, reason: 'cancelled' };
    return published;
}
function reportMode(config, deps) {
    const results = collectResults(config.outputDir);
    if (results.length === 0) {
        throw new Error(`mode report found no ${RESULTS_JSONL} or ${RESULTS_JSON} under ${config.outputDir}: download the shards' artifacts there first`);
    }
    const planned = planCells(config);
    const known = new Set(planned.map(c => c.id));
    const extra = results.filter(r => !known.has(r.id)).flatMap(r => parseCellId(r.id) ?? []);
    deps.log.info(`Merged ${results.length} cell results from ${config.outputDir}`);
    return publish(config, deps, results, [...planned, ...extra], true);
}
/** Writes results.json, report.md, junit.xml, the summary and outputs; applies the gate when `gate`. */
async function publish(config, deps, results, planned, gate) {
    const now = deps.now ?? (() => new Date());
    const counts = new MatrixCounts(results);
    const diff = gate && config.baseline !== null
        ? compareWithBaseline(results, config.baseline.document.cells)
        : undefined;
    const document = makeResultsDocument(config.title, results, now());
    const resultsPath = writeOutputFile(config.outputDir, RESULTS_JSON, `${JSON.stringify(document, null, 2)}\n`);
    const reportInput = { title: config.title, results, planned, gate: diff };
    const reportPath = writeOutputFile(config.outputDir, REPORT_MD, renderReport(reportInput, COMMENT_MAX_CHARS));
    const junitPath = writeOutputFile(config.outputDir, JUNIT_XML, renderJUnit(config.title, results));
    if (config.writeBaseline !== null) {
        writeAt(config.writeBaseline, `${JSON.stringify(document, null, 2)}\n`);
        deps.log.info(`Baseline written to ${config.writeBaseline}`);
    }
    await deps.outputs.summary(renderReport(reportInput, SUMMARY_MAX_CHARS));
    const conclusion = gate
        ? gateConclusion(config.failOn, counts, diff)
        : { failed: false, reason: 'shard run: the report job applies the gate' };
    deps.outputs.set('passed', String(counts.passed));
    deps.outputs.set('failed', String(counts.failed));
    deps.outputs.set('errored', String(counts.errored));
    deps.outputs.set('skipped', String(counts.skipped));
    deps.outputs.set('regressions', String(diff?.regressions.length ?? 0));
    deps.outputs.set('conclusion', conclusion.failed ? 'failure' : 'success');
    deps.outputs.set('results-json', resultsPath);
    deps.outputs.set('report-md', reportPath);
    deps.outputs.set('junit-xml', junitPath);
    deps.log.info(counts.summaryLine());
    deps.log.info(`Report: ${reportPath}`);
    return conclusion;
}

;// CONCATENATED MODULE: ./src/scenarios/registry.ts
/**
 * Picks the scenario for each tier: the one place that knows which implementations exist.
 * A tier without one yields a scenario whose cells are skipped with the reason, never passed.
 */
function scenarioFor(tier) {
    switch (tier) {
        case 'lint':
            return unavailable(tier, 'the lint tier (static analysis of the kubespray checkout) is not implemented yet');
        case 'probe':
            return unavailable(tier, 'the probe tier needs the qemu node provider, which is not implemented yet');
        case 'join':
            return unavailable(tier, 'the join tier needs the qemu node provider, which is not implemented yet');
        case 'rejoin':
            return unavailable(tier, 'the rejoin tier needs the join tier, which is not implemented yet');
        default: {
            const never = tier;
            throw new Error(`no scenario for tier ${String(never)}`);
        }
    }
}
function unavailable(tier, reason) {
    return { tier, open: () => Promise.resolve({ kind: 'unavailable', reason }) };
}

;// CONCATENATED MODULE: ./src/cli-main.ts












const EXIT = { ok: 0, failed: 1, invalid: 2 };
/** The CLI over the same pipeline as the action. Returns the exit status. */
async function cli(argv, io) {
    const log = consoleLog(io.stderr);
    const request = parseCliArgs(argv, io.env);
    switch (request.kind) {
        case 'help':
            io.stdout.write(`${helpText()}\n`);
            return EXIT.ok;
        case 'version':
            io.stdout.write(`${GENERATOR.version}\n`);
            return EXIT.ok;
        case 'invalid':
            return invalid(request.problems, io, log);
        case 'command':
            break;
        default: {
            const never = request;
            throw new Error(`unknown request ${JSON.stringify(never)}`);
        }
    }
    let config;
    try {
        config = parseConfig(request.inputs, { cwd: io.cwd });
    }
    catch (e) {
        if (e instanceof InputErrors)
            return invalid(e.problems, io, log);
        throw e;
    }
    const tempRoot = io.tempRoot ?? (0,external_node_os_namespaceObject.tmpdir)();
    sweepDeadRuns(tempRoot, log);
    const ledger = new CleanupLedger((0,external_node_path_namespaceObject.join)(tempRoot, `${LEDGER_PREFIX}${process.pid}.ledger.json`));
    // `plan` prints its matrix on stdout (and nothing else there), so it can be piped into jq.
    const outputs = {
        set: (name, value) => void (name === 'matrix' && io.stdout.write(`${value}\n`)),
        summary: () => Promise.resolve()
    };
    try {
        const result = await withRunScope(tempRoot, ledger, log, scope => runPipeline(config, { log, outputs, scenarioFor: scenarioFor, signal: scope.signal, workDir: scope.workDir }));
        if (result.failed)
            log.error(result.reason);
        return result.failed ? EXIT.failed : EXIT.ok;
    }
    catch (e) {
        log.error(e instanceof Error ? e.message : String(e));
        return EXIT.failed;
    }
}
const LEDGER_PREFIX = 'zfs-join-matrix-cli-';
function invalid(problems, io, log) {
    for (const p of problems)
        log.error(formatProblem(p));
    io.stderr.write(`Run 'zfs-join-matrix --help' for the flags and their values.\n`);
    return EXIT.invalid;
}
/** A CLI run killed outright (SIGKILL, a closed terminal) leaves a ledger whose pid is gone: clean it up now. */
function sweepDeadRuns(tempRoot, log) {
    for (const name of (0,external_node_fs_namespaceObject.readdirSync)(tempRoot)) {
        const m = new RegExp(`^${LEDGER_PREFIX}(\\d+)\\.ledger\\.json$`).exec(name);
        if (m === null || isAlive(Number(m[1])))
            continue;
        const removed = sweep(new CleanupLedger((0,external_node_path_namespaceObject.join)(tempRoot, name)), log);
        if (removed > 0)
            log.info(`Removed ${removed} resource(s) left by an earlier run (pid ${m[1]})`);
    }
}
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (e) {
        return e.code === 'EPERM';
    }
}


/***/ }),

/***/ 581:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _cli_main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(459);

process.exitCode = await (0,_cli_main_js__WEBPACK_IMPORTED_MODULE_0__/* .cli */ .x)(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd()
});

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(581);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
