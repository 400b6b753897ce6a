export * from './contract/index.js';
export * from './errors/errors.js';
