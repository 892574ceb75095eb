/**
 * The bottom of the stack: the `Device` interface every persistence layer is
 * written against, and the vocabulary every layer shares (errors, assertions,
 * seeded randomness and the injected clock).
 */
export * from './device.js';
export * from './errors.js';
export * from './assert.js';
export * from './random.js';
export * from './clock.js';
