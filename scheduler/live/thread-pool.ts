/**
 * Worker-thread pools: CPU-bound handlers run in `threads` worker threads,
 * so they do not block the event loop that schedules, heartbeats and
 * commits.
 *
 * The handler is a module (path or URL) whose default export, or `handler`
 * export, is the handler; each thread imports it once. Messages:
 *
 * ```
 * main → thread   { type: 'run', id, job, epoch }        start an attempt
 *                 { type: 'abort', id, reason }          the attempt lost its lease
 *                 { type: 'tx-result', id, request, ok, value | error }
 * thread → main   { type: 'heartbeat', id }
 *                 { type: 'progress', id, value }
 *                 { type: 'tx', id, request, writes, result }   ctx.transaction (writes as data)
 *                 { type: 'done', id, value } | { type: 'error', id, error }
 * ```
 *
 * In a thread, `ctx.transaction(writes, result?)` takes the writes as data
 * (`[{ key, value } | { key, del: true }]`; functions cannot cross threads)
 * and applies them in the main thread under the same fence and memo as an
 * in-process step; it resolves to `result` (or the memo of an earlier
 * attempt). A thread that exits fails its running attempts (they are
 * retried by their job's retry rules) and is replaced.
 */
import { Worker as NodeWorker } from 'node:worker_threads';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError } from '../../storage/device/index.js';
import type { Attempt } from './live-job.js';
import type { LiveScheduler } from './live-scheduler.js';
import type { ClosableEndpoint } from './worker.js';

/** A handler module: a path (absolute, or relative to the working directory) or a URL. */
export type HandlerModule = string | URL;

export function handlerModuleUrl(module: HandlerModule): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module.length === 0) throw new InvalidArgumentError('with threads, the handler must be a module path or URL');
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
  return pathToFileURL(path.resolve(module)).href;
}

interface ThreadSlot {
  worker: NodeWorker;
  readonly inFlight: Map<number, Attempt>;
}

type ThreadMessage =
  | { type: 'heartbeat'; id: number }
  | { type: 'progress'; id: number; value: number }
  | { type: 'tx'; id: number; request: number; writes: unknown; result: unknown }
  | { type: 'done'; id: number; value: unknown }
  | { type: 'error'; id: number; error: { message: string; name?: string; code?: string } };

function errorFrom(e: { message: string; name?: string; code?: string }): Error {
  const error = new Error(e.message);
  if (e.name !== undefined) Object.defineProperty(error, 'name', { value: e.name });
  if (e.code !== undefined) Object.defineProperty(error, 'code', { value: e.code });
  return error;
}

export class ThreadPoolEndpoint implements ClosableEndpoint {
  busy = 0;
  closing = false;
  private readonly slots: ThreadSlot[] = [];
  private readonly attempts = new Map<number, { attempt: Attempt; slot: ThreadSlot }>();
  private nextId = 1;
  private waiters: (() => void)[] = [];
  private disposed = false;
  private readonly entry = new URL('./thread-entry.js', import.meta.url);

  constructor(
    readonly kind: string,
    readonly concurrency: number,
    readonly leaseMs: number,
    private readonly moduleUrl: string,
    threads: number,
    private readonly host: LiveScheduler,
  ) {
    for (let i = 0; i < threads; i++) this.slots.push(this.spawn());
  }

  get inFlight(): number {
    return this.attempts.size;
  }

  private spawn(): ThreadSlot {
    const slot: ThreadSlot = { worker: new NodeWorker(this.entry, { workerData: { module: this.moduleUrl } }), inFlight: new Map() };
    slot.worker.on('message', (message: ThreadMessage) => this.onMessage(slot, message));
    slot.worker.on('error', () => undefined);
    slot.worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  start(attempt: Attempt): void {
    let slot = this.slots[0] as ThreadSlot;
    for (const s of this.slots) if (s.inFlight.size < slot.inFlight.size) slot = s;
    const id = this.nextId++;
    slot.inFlight.set(id, attempt);
    this.attempts.set(id, { attempt, slot });
    const signal = attempt.signal;
    signal.addEventListener('abort', () => {
      if (this.attempts.has(id)) slot.worker.postMessage({ type: 'abort', id, reason: String((signal.reason as Error | undefined)?.message ?? 'aborted') });
    });
    slot.worker.postMessage({ type: 'run', id, job: attempt.info, epoch: attempt.epoch });
  }

  private onMessage(slot: ThreadSlot, message: ThreadMessage): void {
    const entry = this.attempts.get(message.id);
    if (entry === undefined) return;
    const attempt = entry.attempt;
    switch (message.type) {
      case 'heartbeat':
        this.host.heartbeat(attempt);
        return;
      case 'progress':
        try {
          this.host.progress(attempt, message.value);
        } catch {
          // The thread validated the value; nothing to report back.
        }
        return;
      case 'tx': {
        const reply = (ok: boolean, value: unknown) => {
          if (slot.inFlight.has(message.id)) slot.worker.postMessage({ type: 'tx-result', id: message.id, request: message.request, ok, ...(ok ? { value } : { error: value }) });
        };
        this.host.transactionWrites(attempt, message.writes as never, message.result).then(
          (value) => reply(true, value),
          (error: unknown) => reply(false, { message: (error as Error)?.message ?? String(error), name: (error as Error)?.name, code: (error as { code?: string })?.code }),
        );
        return;
      }
      case 'done':
        this.finish(message.id, true, message.value);
        return;
      case 'error':
        this.finish(message.id, false, errorFrom(message.error));
        return;
      default: {
        const never: never = message;
        void never;
      }
    }
  }

  private finish(id: number, ok: boolean, value: unknown): void {
    const entry = this.attempts.get(id);
    if (entry === undefined) return;
    this.attempts.delete(id);
    entry.slot.inFlight.delete(id);
    this.host.settle(entry.attempt, ok, value);
    if (this.attempts.size === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  private onExit(slot: ThreadSlot, code: number): void {
    for (const id of [...slot.inFlight.keys()]) this.finish(id, false, new Error(`the worker thread running the job exited with code ${code}`));
    const i = this.slots.indexOf(slot);
    if (this.disposed || i < 0) return;
    this.slots[i] = this.spawn();
  }

  drained(): Promise<void> {
    if (this.attempts.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
