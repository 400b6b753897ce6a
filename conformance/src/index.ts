export * from './devnets/index.js';
