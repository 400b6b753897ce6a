export * from './contract/index.js';
export * from './errors/errors.js';
export * from './validation/input.js';
export * from './plugins/index.js';
export * from './schemas/validator.js';
