export { bytesEqual, concatBytes, fromBase64, fromHex, toBase64, toHex, utf8 } from './bytes.js';
export { canonicalJson } from './canonical-json.js';
