export * from './contract/index.js';
export * from './errors/errors.js';
export * from './validation/input.js';
export * from './plugins/index.js';
export * from './schemas/validator.js';
export * from './encoding/index.js';
export * from './crypto/index.js';
export * from './identity/index.js';
