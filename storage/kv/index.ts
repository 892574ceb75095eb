export * from './raw.js';
export * from './key-codec.js';
export { ModelKvStore } from './model.js';
