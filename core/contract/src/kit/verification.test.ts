import { describe, expect, it } from 'vitest';
import type { Evidence, TrustRoots } from '../contract/interchain.js';
import { checkEvidenceEnvelope, failClosed } from './verification.js';

const trust: TrustRoots = { framework: 'ethereum', chain: 'anvil', roots: { outbox: 'x' } };
const evidence = (kind: Evidence['subject']['kind'] = 'packet'): Evidence => ({
  v: 1,
  framework: 'ethereum',
  chain: 'anvil',
  subject: { kind, packetId: 'ab'.repeat(32) },
  txId: '0x' + '11'.repeat(32),
  block: 1,
  proof: {},
});
const reason = async (e: unknown, kinds?: Array<Evidence['subject']['kind']>) => {
  const v = await failClosed(
    () => (checkEvidenceEnvelope(e as Evidence, trust, 'ethereum', kinds), { state: 'proven', subject: evidence().subject }),
  );
  return v.state === 'rejected' ? v.reason : 'proven';
};

describe('checkEvidenceEnvelope', () => {
  it('accepts packets by default, and acks and timeouts only where the verifier proves them', async () => {
    expect(await reason(evidence())).toBe('proven');
    expect(await reason(evidence('ack'))).toMatch(/evidence of a ack is not proven by this verifier \(it proves: packet\)/);
    expect(await reason(evidence('ack'), ['packet', 'ack', 'timeout'])).toBe('proven');
    expect(await reason(evidence('timeout'), ['packet', 'ack', 'timeout'])).toBe('proven');
  });

  it('refuses every claim that is not this framework, chain, version and a packet id', async () => {
    const kinds: Array<Evidence['subject']['kind']> = ['packet', 'ack', 'timeout'];
    expect(await reason(null, kinds)).toBe('no evidence');
    expect(await reason({ ...evidence('ack'), v: 2 }, kinds)).toBe('evidence version must be 1');
    expect(await reason({ ...evidence('ack'), framework: 'fabric' }, kinds)).toBe('evidence is for fabric, not ethereum');
    expect(await reason({ ...evidence('ack'), chain: 'geth' }, kinds)).toBe('evidence is from chain geth, the roots are for anvil');
    expect(await reason({ ...evidence('ack'), subject: null }, kinds)).toBe('evidence names no subject');
    expect(await reason({ ...evidence('ack'), subject: { kind: 'ack', packetId: 'AB'.repeat(32) } }, kinds)).toBe(
      'subject.packetId is not a packet id',
    );
  });
});
