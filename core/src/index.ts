export * from './contract/index.js';
export * from './errors/errors.js';
export * from './validation/input.js';
