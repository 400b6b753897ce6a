// Planted for the boundary check's own test: packages meet by name, never by a relative path.
export { ADAPTER_API_VERSION } from '../../../../../core/contract/src/index.js';
