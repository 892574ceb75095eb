/** Re-exports for the scheduler tests, plus internals a test needs by name. */
export * from '../../scheduler/index.js';
export { BlockQueue as BlockQueueForTests } from '../../scheduler/sorted-queue.js';
