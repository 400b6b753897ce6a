// Planted for the boundary check's own test: the vendor-facing contract must never depend on the city node.
export { CityNode } from '@bsn/city-node';
