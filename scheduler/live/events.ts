/**
 * Job events: a small typed emitter. Listeners run synchronously after the
 * transition they report has been committed (not necessarily made durable).
 * A listener that throws does not disturb the scheduler: the error goes to
 * the `error` listeners, or, when there are none, is rethrown on a later
 * tick as an uncaught exception (as Node's EventEmitter would surface it).
 */
import { InvalidArgumentError } from '../../storage/device/index.js';
import type { JobEventName, JobEvents } from './types.js';

const eventNames: readonly JobEventName[] = ['submitted', 'active', 'progress', 'completed', 'retrying', 'failed', 'stalled', 'cancelled', 'fired', 'error'];

export class JobEmitter {
  private readonly listeners = new Map<JobEventName, Set<(event: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<E extends JobEventName>(event: E, listener: (event: JobEvents[E]) => void): () => void {
    if (!eventNames.includes(event)) throw new InvalidArgumentError(`unknown job event ${JSON.stringify(event)} (known: ${eventNames.join(', ')})`);
    if (typeof listener !== 'function') throw new InvalidArgumentError('a listener must be a function');
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => void set.delete(listener as (event: never) => void);
  }

  off<E extends JobEventName>(event: E, listener: (event: JobEvents[E]) => void): void {
    this.listeners.get(event)?.delete(listener as (event: never) => void);
  }

  /** Whether anyone listens (so callers skip building events nobody reads). */
  has(event: JobEventName): boolean {
    const set = this.listeners.get(event);
    return set !== undefined && set.size > 0;
  }

  emit<E extends JobEventName>(event: E, payload: JobEvents[E]): void {
    const set = this.listeners.get(event);
    if (set === undefined || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        (listener as (event: JobEvents[E]) => void)(payload);
      } catch (error) {
        if (event !== 'error' && this.has('error')) this.emit('error', { error });
        else queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
