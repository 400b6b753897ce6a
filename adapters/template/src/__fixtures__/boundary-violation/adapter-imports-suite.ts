// Planted for the boundary check's own test: an adapter must not depend on the suite that certifies it.
export { ALL_CASES } from '@bsn/conformance';
