import { describe, expect, it } from 'vitest';
import type { BlockAttestation, Evidence, InterchainAttestation, Packet } from '@bsn/contract';
import { AttestationCollector, type AttesterEndpoint } from './attestation-collector.js';
import type { AttestationAnswer } from './attester.js';

const packet = {
  v: 1,
  srcChain: 'a',
  srcApp: 's',
  dstChain: 'b',
  dstApp: 'd',
  seq: 1,
  method: 'kv.put',
  payload: '',
  timeout: 1,
  grantRef: 'g',
} as Packet;
const evidence = {
  v: 1,
  framework: 'x',
  chain: 'a',
  subject: { kind: 'packet', packetId: '00' },
  txId: 't',
  block: 7,
  blockHash: '0xab',
} as Evidence;
const attestation = (by: string) => ({ by }) as unknown as InterchainAttestation;
const blockAttestation = (by: string) => ({ by }) as unknown as BlockAttestation;

/** An attester that answers both kinds at once. */
const answers = (name: string): AttesterEndpoint => ({
  name,
  attest: async (r) => (r.kind === 'block' ? { blockAttestation: blockAttestation(name) } : { attestation: attestation(name) }),
});
/** An attester that never answers (a hung peer: its request would time out after 30 s). */
const hangs = (name: string): AttesterEndpoint => ({ name, attest: () => new Promise<AttestationAnswer>(() => {}) });
const refuses = (name: string): AttesterEndpoint => ({ name, attest: () => Promise.reject(new Error('evidence-rejected')) });

/** Fails the test instead of hanging it when the collector waits for the hung attester. */
const within = <T>(p: Promise<T>, ms = 2_000) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms))]);

describe('AttestationCollector', () => {
  it('answers once the threshold attested, without waiting for a peer that hangs', async () => {
    const collector = new AttestationCollector([answers('n1'), hangs('n2'), answers('n3')], 2);
    expect(await within(collector.interchain({ kind: 'packet', packet, evidence }))).toEqual([attestation('n1'), attestation('n3')]);
    const withBlocks = await within(collector.withBlockAttestations(evidence));
    expect(withBlocks.attestations).toEqual([blockAttestation('n1'), blockAttestation('n3')]);
  });

  it('below the threshold it waits for every attester and names each refusal', async () => {
    const collector = new AttestationCollector([refuses('n1'), answers('n2'), refuses('n3')], 2);
    await expect(collector.interchain({ kind: 'packet', packet, evidence })).rejects.toThrow(
      /^1 of the 2 attestations needed for the packet: n1: evidence-rejected; n3: evidence-rejected$/,
    );
    // Block attestations are only added: one is what there is.
    expect((await collector.withBlockAttestations(evidence)).attestations).toEqual([blockAttestation('n2')]);
  });

  it('an answer of the wrong kind counts for nothing', async () => {
    const confused: AttesterEndpoint = { name: 'n1', attest: async () => ({ blockAttestation: blockAttestation('n1') }) };
    const collector = new AttestationCollector([confused, answers('n2')], 2);
    await expect(collector.interchain({ kind: 'ack', packet, ack: {} as never, evidence })).rejects.toThrow(
      /n1: answered without an attestation/,
    );
  });
});
