/**
 * CSV traces: `jobid,tenant,arrival,slots,work[,deadline]`, the reduction of
 * cluster traces such as Microsoft's Philly trace.
 *
 * Format (RFC 4180 subset):
 * - UTF-8 text; a byte-order mark is ignored; lines end in LF or CRLF; blank
 *   lines are ignored.
 * - The first non-blank line is the header: column names, any order,
 *   case-insensitive. Required: `jobid`, `tenant`, `arrival` (seconds),
 *   `slots`, `work` (slot-seconds). Optional: `deadline` (absolute seconds;
 *   an empty field means none), `placementSensitivity`, `weight`,
 *   `priority`. Any other column is an error.
 * - `slots` is an integer gang size, or `min..max` for an elastic job.
 * - A field may be quoted with `"` (a `""` inside is one quote); a quoted
 *   field cannot span lines. Numbers are plain decimals (`12`, `1.5`,
 *   `1e3`); `NaN`, `Infinity`, hex and empty numbers are errors.
 *
 * Hostile input: the text is at most `traceCharsMax` characters and each line
 * at most `traceLineCharsMax`; at most `jobsMax` rows. Every row is validated
 * as a job (`model.ts`), with the cluster's size unknown (checked again when
 * simulated); duplicate ids and a tenant given two weights are errors. All
 * problems are collected and the first `violationsListedMax` reported with
 * their line numbers in one `TraceError`.
 */
import { LimitError } from '../storage/device/index.js';
import { TraceError, type TraceProblem } from './errors.js';
import { clusterSlotsMax, jobsMax, resolveJob, violationsListedMax, type Cluster, type JobSpec } from './model.js';

/** Longest trace text, in UTF-16 code units (256 Mi). */
export const traceCharsMax = 256 * 1024 * 1024;
/** Longest line, in UTF-16 code units. */
export const traceLineCharsMax = 4096;

const requiredColumns = ['jobid', 'tenant', 'arrival', 'slots', 'work'] as const;
const optionalColumns = ['deadline', 'placementsensitivity', 'weight', 'priority'] as const;
type Column = (typeof requiredColumns)[number] | (typeof optionalColumns)[number];
const columnNames: Record<Column, string> = {
  jobid: 'jobid',
  tenant: 'tenant',
  arrival: 'arrival',
  slots: 'slots',
  work: 'work',
  deadline: 'deadline',
  placementsensitivity: 'placementSensitivity',
  weight: 'weight',
  priority: 'priority',
};

/** The widest cluster: rows are checked against it; the real one is checked at simulation. */
const anyCluster: Cluster = { machines: 1, slotsPerMachine: clusterSlotsMax, racks: 1, machinesPerRack: 1, slots: clusterSlotsMax };

const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Splits one line into fields; returns an error message for a malformed line. */
function splitLine(line: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return 'unterminated quoted field';
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ',') return `unexpected character after a quoted field at column ${i + 1}`;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return `a quote inside an unquoted field at column ${i + 1 + value.indexOf('"')}`;
      fields.push(value.trim());
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}

/** Parses a CSV trace into job specs (in file order). Throws `TraceError` or `LimitError`. */
export function parseTraceCsv(text: string): JobSpec[] {
  if (typeof text !== 'string') throw new TraceError([{ line: 0, message: 'a trace must be text' }], 0);
  if (text.length > traceCharsMax) throw new LimitError('trace length in characters', traceCharsMax, text.length);
  const problems: TraceProblem[] = [];
  let more = 0;
  const problem = (line: number, message: string) => {
    if (problems.length < violationsListedMax) problems.push({ line, message });
    else more++;
  };
  const jobs: JobSpec[] = [];
  const seen = new Map<string, number>();
  const tenantWeight = new Map<string, { weight: number; line: number }>();
  let columns: Column[] | undefined;
  let lineNo = 0;
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (position <= text.length) {
    let end = text.indexOf('\n', position);
    if (end < 0) end = text.length;
    let line = text.slice(position, end);
    position = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      if (end === text.length) break;
      continue;
    }
    if (line.length > traceLineCharsMax) {
      problem(lineNo, `line is ${line.length} characters, over the limit of ${traceLineCharsMax}`);
      continue;
    }
    const fields = splitLine(line);
    if (typeof fields === 'string') {
      problem(lineNo, fields);
      continue;
    }
    if (columns === undefined) {
      const names = fields.map((f) => f.trim().toLowerCase());
      const known = new Set<string>([...requiredColumns, ...optionalColumns]);
      const bad = names.filter((n) => !known.has(n));
      const repeated = names.filter((n, k) => names.indexOf(n) !== k);
      const missing = requiredColumns.filter((c) => !names.includes(c));
      if (bad.length > 0) problem(lineNo, `unknown column${bad.length > 1 ? 's' : ''} ${bad.map((b) => JSON.stringify(b)).join(', ')} (expected ${[...requiredColumns, ...optionalColumns.map((c) => columnNames[c])].join(',')})`);
      if (repeated.length > 0) problem(lineNo, `repeated column ${JSON.stringify(repeated[0])}`);
      if (missing.length > 0) problem(lineNo, `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the header is required)`);
      if (problems.length > 0) break;
      columns = names as Column[];
      continue;
    }
    if (jobs.length + 1 > jobsMax) throw new LimitError('trace rows', jobsMax, jobs.length + 1);
    if (fields.length !== columns.length) {
      problem(lineNo, `${fields.length} fields, the header has ${columns.length}`);
      continue;
    }
    const row = new Map<Column, string>();
    columns.forEach((c, k) => row.set(c, fields[k] as string));
    const spec: { -readonly [K in keyof JobSpec]: JobSpec[K] } = { id: row.get('jobid') as string, tenant: row.get('tenant') as string, arrival: NaN, work: NaN };
    let rowOk = true;
    const num = (column: Column, optional: boolean): number | undefined => {
      const raw = row.get(column);
      if (raw === undefined || (optional && raw === '')) return undefined;
      if (!numberPattern.test(raw)) {
        problem(lineNo, `${columnNames[column]} ${JSON.stringify(raw.slice(0, 40))} is not a number`);
        rowOk = false;
        return undefined;
      }
      return Number(raw);
    };
    spec.arrival = num('arrival', false) as number;
    spec.work = num('work', false) as number;
    const slots = row.get('slots') as string;
    const range = /^(\d+)\.\.(\d+)$/.exec(slots);
    if (range !== null) {
      spec.minSlots = Number(range[1]);
      spec.maxSlots = Number(range[2]);
    } else if (/^\d+$/.test(slots)) spec.slots = Number(slots);
    else {
      problem(lineNo, `slots ${JSON.stringify(slots.slice(0, 40))} is not an integer or a min..max range`);
      rowOk = false;
    }
    const deadline = num('deadline', true);
    if (deadline !== undefined) spec.deadline = deadline;
    const sensitivity = num('placementsensitivity', true);
    if (sensitivity !== undefined) spec.placementSensitivity = sensitivity;
    const weight = num('weight', true);
    if (weight !== undefined) spec.weight = weight;
    const priority = num('priority', true);
    if (priority !== undefined) spec.priority = priority;
    if (!rowOk) continue;
    const job = resolveJob(spec, anyCluster, (message) => problem(lineNo, message));
    if (job === undefined) continue;
    const first = seen.get(job.id);
    if (first !== undefined) problem(lineNo, `jobid ${JSON.stringify(job.id)} repeats line ${first}`);
    else seen.set(job.id, lineNo);
    const known = tenantWeight.get(job.tenant);
    if (known === undefined) tenantWeight.set(job.tenant, { weight: job.weight, line: lineNo });
    else if (known.weight !== job.weight) problem(lineNo, `weight ${job.weight} differs from tenant ${JSON.stringify(job.tenant)}'s weight ${known.weight} on line ${known.line}`);
    jobs.push(spec);
  }
  if (columns === undefined && problems.length === 0) problem(0, 'the trace is empty (a header line is required)');
  if (problems.length > 0) throw new TraceError(problems, more);
  return jobs;
}

function quote(field: string): string {
  return /[",\r\n]|^\s|\s$/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/**
 * Formats jobs as a CSV trace. Optional columns are written only when some
 * job needs them. Numbers are written in JavaScript's shortest round-trip
 * form, so `parseTraceCsv(formatTraceCsv(jobs))` gives the same jobs.
 */
export function formatTraceCsv(jobs: readonly JobSpec[]): string {
  const has = {
    deadline: jobs.some((j) => j.deadline !== undefined),
    placementSensitivity: jobs.some((j) => j.placementSensitivity !== undefined && j.placementSensitivity !== 1),
    weight: jobs.some((j) => j.weight !== undefined && j.weight !== 1),
    priority: jobs.some((j) => j.priority !== undefined && j.priority !== 0),
  };
  const header = ['jobid', 'tenant', 'arrival', 'slots', 'work'];
  for (const [name, present] of Object.entries(has)) if (present) header.push(name);
  const lines = [header.join(',')];
  for (const j of jobs) {
    const slots = j.slots !== undefined ? String(j.slots) : `${String(j.minSlots)}..${String(j.maxSlots)}`;
    const fields = [quote(String(j.id)), quote(j.tenant), String(j.arrival), slots, String(j.work)];
    if (has.deadline) fields.push(j.deadline === undefined ? '' : String(j.deadline));
    if (has.placementSensitivity) fields.push(String(j.placementSensitivity ?? 1));
    if (has.weight) fields.push(String(j.weight ?? 1));
    if (has.priority) fields.push(String(j.priority ?? 0));
    lines.push(fields.join(','));
  }
  return `${lines.join('\n')}\n`;
}
