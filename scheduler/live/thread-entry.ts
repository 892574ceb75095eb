/**
 * The entry point of a pool thread (see thread-pool.ts for the messages):
 * imports the handler module, runs attempts as the main thread asks, and
 * gives each a context whose calls become messages.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface RunMessage {
  readonly type: 'run';
  readonly id: number;
  readonly job: unknown;
  readonly epoch: number;
}

type MainMessage =
  | RunMessage
  | { readonly type: 'abort'; readonly id: number; readonly reason: string }
  | { readonly type: 'tx-result'; readonly id: number; readonly request: number; readonly ok: boolean; readonly value?: unknown; readonly error?: { message: string; name?: string; code?: string } };

/** What a handler in a thread receives. */
export interface ThreadJobContext {
  readonly job: unknown;
  readonly epoch: number;
  readonly signal: AbortSignal;
  heartbeat(): void;
  progress(value: number): void;
  /** Applies `writes` fenced and memoized in the main thread; resolves to `result` (or an earlier attempt's). */
  transaction<T>(writes: readonly ({ key: unknown; value: unknown } | { key: unknown; del: true })[], result?: T): Promise<T>;
}

function serializeError(error: unknown): { message: string; name?: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { message: error.message, name: error.name, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { message: String(error) };
}

async function runThread(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('thread-entry runs only in a worker thread');
  const moduleUrl = (workerData as { module: string }).module;
  let handler: ((ctx: ThreadJobContext) => unknown) | undefined;
  let loadError: unknown;
  try {
    const mod = (await import(moduleUrl)) as { default?: unknown; handler?: unknown };
    const candidate = typeof mod.default === 'function' ? mod.default : mod.handler;
    if (typeof candidate === 'function') handler = candidate as (ctx: ThreadJobContext) => unknown;
    else loadError = new Error(`handler module ${moduleUrl} exports no default or 'handler' function`);
  } catch (error) {
    loadError = error;
  }
  const controllers = new Map<number, AbortController>();
  const requests = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  let nextRequest = 1;

  const run = async (message: RunMessage): Promise<void> => {
    const controller = new AbortController();
    controllers.set(message.id, controller);
    const ctx: ThreadJobContext = {
      job: message.job,
      epoch: message.epoch,
      signal: controller.signal,
      heartbeat: () => port.postMessage({ type: 'heartbeat', id: message.id }),
      progress: (value: number) => {
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw new RangeError(`progress must be a number in 0..1, got ${String(value)}`);
        port.postMessage({ type: 'progress', id: message.id, value });
      },
      transaction: <T>(writes: readonly unknown[], result?: T): Promise<T> => {
        const request = nextRequest++;
        return new Promise<T>((resolve, reject) => {
          requests.set(request, { resolve: resolve as (value: unknown) => void, reject });
          port.postMessage({ type: 'tx', id: message.id, request, writes, result });
        });
      },
    };
    try {
      if (handler === undefined) throw loadError;
      const value = await handler(ctx);
      port.postMessage({ type: 'done', id: message.id, value });
    } catch (error) {
      port.postMessage({ type: 'error', id: message.id, error: serializeError(error) });
    } finally {
      controllers.delete(message.id);
    }
  };

  port.on('message', (message: MainMessage) => {
    switch (message.type) {
      case 'run':
        void run(message);
        return;
      case 'abort':
        controllers.get(message.id)?.abort(new Error(message.reason));
        return;
      case 'tx-result': {
        const pending = requests.get(message.request);
        if (pending === undefined) return;
        requests.delete(message.request);
        if (message.ok) pending.resolve(message.value);
        else {
          const e = new Error(message.error?.message ?? 'transaction failed');
          if (message.error?.name !== undefined) Object.defineProperty(e, 'name', { value: message.error.name });
          if (message.error?.code !== undefined) Object.defineProperty(e, 'code', { value: message.error.code });
          pending.reject(e);
        }
        return;
      }
      default: {
        const never: never = message;
        void never;
      }
    }
  });
}

void runThread();
