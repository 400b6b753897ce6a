import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppSpec } from '@bsn/contract';
import { startTestChain, type TestChain } from './__fixtures__/fisco-chain.js';

describe('app placement and mode, as the chain records them', () => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startTestChain('sm');
  });
  afterAll(() => chain?.close());

  it('each of mode × placement is read back as created, each app its own contract', async () => {
    const admin = chain.signer();
    const addresses = new Set<string>();
    for (const mode of ['consortium', 'private'] as const) {
      for (const placement of ['shared', 'dedicated'] as const) {
        const spec: AppSpec = {
          appId: `${mode}-${placement}`,
          name: 'x',
          framework: 'fisco-bcos',
          mode,
          placement,
          contract: { kind: 'preset-kv' },
          members: [],
        };
        const app = await chain.adapter.lifecycle.create(spec, admin);
        expect([app.mode, app.placement]).toEqual([mode, placement]);
        expect(await chain.adapter.lifecycle.get({ appId: spec.appId })).toEqual(app);
        addresses.add(String(app.location.address));
      }
    }
    expect(addresses.size).toBe(4);
  });
});
