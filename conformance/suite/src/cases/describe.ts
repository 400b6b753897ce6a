import { expect } from 'vitest';
import semver from 'semver';
import { ADAPTER_API_VERSION, CAPABILITIES, KEY_ALGORITHMS, MIN_LIMITS } from '@bsn/contract';
import { defineCases, REQUIRED_CAPABILITIES } from '../case.js';

export const describeCases = defineCases([
  {
    id: 'DSC-001',
    title: 'describe() is well-formed: framework, versions, key algorithms, finality, limits',
    level: 'MUST',
    capability: 'describe',
    async run({ description: d }) {
      expect(d.framework, 'framework').toMatch(/^[a-z][a-z0-9-]*$/);
      expect(semver.valid(d.adapter.version), 'adapter.version is semver').not.toBeNull();
      expect(semver.valid(d.adapterApi), 'adapterApi is semver').not.toBeNull();
      expect(semver.major(d.adapterApi), 'adapterApi major matches the host').toBe(semver.major(ADAPTER_API_VERSION));
      expect(d.frameworkVersions.length, 'frameworkVersions').toBeGreaterThan(0);
      expect(d.keyAlgorithms.length, 'keyAlgorithms').toBeGreaterThan(0);
      for (const a of d.keyAlgorithms) expect(KEY_ALGORITHMS as readonly string[]).toContain(a);
      for (const c of d.capabilities) expect(CAPABILITIES as readonly string[]).toContain(c);
      if (d.finality.kind === 'probabilistic') {
        expect(Number.isInteger(d.finality.depth) && d.finality.depth >= 0, 'finality depth').toBe(true);
      } else {
        expect(d.finality.kind).toBe('immediate');
      }
      expect(d.limits.maxValueBytes).toBeGreaterThanOrEqual(MIN_LIMITS.maxValueBytes);
      expect(d.limits.maxKeyBytes).toBeGreaterThanOrEqual(MIN_LIMITS.maxKeyBytes);
      expect(d.limits.maxPageSize).toBeGreaterThanOrEqual(1);
    },
  },
  {
    id: 'DSC-002',
    title: 'describe() agrees with the plugin manifest',
    level: 'MUST',
    capability: 'describe',
    async run({ description: d, manifest: m }) {
      expect(d.framework).toBe(m.framework);
      expect(d.adapter.name).toBe(m.name);
      expect(d.adapter.version).toBe(m.version);
      expect([...d.capabilities].sort()).toEqual([...m.capabilities].sort());
      expect([...d.keyAlgorithms].sort()).toEqual([...m.keyAlgorithms].sort());
    },
  },
  {
    id: 'DSC-003',
    title: 'the adapter claims every capability the common interface requires',
    level: 'MUST',
    capability: 'describe',
    async run({ description: d }) {
      const missing = REQUIRED_CAPABILITIES.filter((c) => !d.capabilities.includes(c));
      expect(missing, 'required capabilities not claimed').toEqual([]);
    },
  },
]);
