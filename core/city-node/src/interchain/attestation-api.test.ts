/**
 * The node-to-node attestation API over real HTTP on a running city node: what it signs for a
 * pinned peer, and the attacker's requests it refuses — forged or tampered evidence, roots the
 * evidence would bring, a calling node it does not pin, a wrong key, a replay, no signature —
 * each with a typed reason and no attestation given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Evidence, Signer } from '@bsn/contract';
import { ackCommitment, attestationSigner, fastSigner, packetCommitment, packetId } from '@bsn/contract';
import { HEADERS, canonicalRequest } from '@bsn/protocol';
import { CityNode } from '../city-node.js';
import { resolveNodeConfig } from '../config.js';
import { memoryNetwork, newKey, silentLogger } from '../testing/test-node.js';
import { deliveryWorld } from './__fixtures__/delivery-world.js';
import { ATTESTATIONS_PATH, PeerClient } from './peer-client.js';

const world = deliveryWorld();
const peerKey = newKey('secp256r1');
let node: CityNode;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'attest-api-'));
  const network = memoryNetwork('chain-a');
  // A certified plugin of the "fake" framework on this node: it verifies both chains' evidence.
  const fake = {
    ...network,
    framework: 'fake',
    adapter: Object.assign(Object.create(network.adapter), { interchain: world.network(true).adapter.interchain }),
  };
  const config = resolveNodeConfig(
    {
      node: { name: 'node-b', dataDir },
      listen: { restPort: 0, grpc: false },
      keys: { scryptN: 1024 },
      interchain: {
        chains: world.pinnedRoots,
        peers: [{ name: 'node-a', url: 'http://127.0.0.1:1', requestKey: { algorithm: 'secp256r1', publicKey: peerKey.publicKey } }],
      },
    },
    dataDir,
  );
  node = await CityNode.start({ config, passphrase: 'test passphrase', logger: silentLogger, networks: [fake] });
});
afterAll(async () => {
  await node?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const asPeer = (name = 'node-a', key = peerKey) => new PeerClient(name, fastSigner('secp256r1', key.privateKey));
const self = () => ({ name: 'node-b', url: node.restUrl });

async function sentPacket() {
  const { packet, receipt } = await world.a.interchain.emit({ appId: 'p:source' }, world.put('k', 'v'), {} as Signer);
  const evidence = await world.a.interchain.evidence(receipt.txId, {
    kind: 'packet',
    packetId: receipt.txId && (await import('@bsn/contract')).packetId(packet),
  });
  return { packet, evidence };
}

describe('POST /v1/interchain/attestations', () => {
  it('attests a packet its own verifier proved, signed by its attester key over the packet commitment', async () => {
    const { packet, evidence } = await sentPacket();
    const answer = await asPeer().attest(self(), { kind: 'packet', packet, evidence });
    expect('attestation' in answer).toBe(true);
    const att = (answer as { attestation: Parameters<typeof attestationSigner>[0] }).attestation;
    expect(att.commitment).toBe(packetCommitment(packet));
    expect(attestationSigner(att)).toBe(node.interchain!.attester.publicKey);
  });

  it('attests an ack only as the target chain recorded it', async () => {
    const { packet, evidence } = await sentPacket();
    const atts = await Promise.all(world.endpoints.map((e) => e.attest({ kind: 'packet', packet, evidence })));
    const { receipt, ack } = await world.b.interchain.deliver!(
      packet,
      atts.map((a) => ('attestation' in a ? a.attestation : null!)),
      {} as Signer,
    );
    const ackEvidence = await world.b.interchain.evidence(receipt.txId, { kind: 'ack', packetId: ack.packetId });
    const answer = await asPeer().attest(self(), { kind: 'ack', packet, ack, evidence: ackEvidence });
    expect((answer as { attestation: { commitment: string } }).attestation.commitment).toBe(ackCommitment(ack));
    // The attacker's ack: the call "failed" (a refund-worthy status), same evidence.
    await expect(
      asPeer().attest(self(), { kind: 'ack', packet, ack: { ...ack, status: 'CONFLICT' }, evidence: ackEvidence }),
    ).rejects.toThrow(/403.*evidence proves another ack/);
  });

  it('refuses a tampered packet (its payload changed after the send), a forged transaction, and evidence of a chain it pins no roots for', async () => {
    const { packet, evidence } = await sentPacket();
    const tampered = { ...packet, payload: Buffer.from('evil').toString('base64') };
    await expect(asPeer().attest(self(), { kind: 'packet', packet: tampered, evidence })).rejects.toThrow(
      /403.*the evidence proves another packet than the one asked about/,
    );
    await expect(
      asPeer().attest(self(), {
        kind: 'packet',
        packet: tampered,
        evidence: {
          ...evidence,
          subject: { kind: 'packet', packetId: packetId(tampered) },
          proof: { packet: tampered },
        },
      }),
    ).rejects.toThrow(/403.*not proven: no such transaction|403.*not proven: the packet differs/);
    const foreign: Evidence = { ...evidence, chain: 'chain-x', proof: { ...evidence.proof, roots: { chain: 'chain-x' } } };
    await expect(
      asPeer().attest(self(), { kind: 'packet', packet: { ...packet, srcChain: 'chain-x' }, evidence: foreign }),
    ).rejects.toThrow(/403.*no trust roots pinned for chain chain-x/);
  });

  it('refuses a calling node it does not pin, and a pinned name signed with another key', async () => {
    const { packet, evidence } = await sentPacket();
    await expect(asPeer('node-z', newKey('secp256r1')).attest(self(), { kind: 'packet', packet, evidence })).rejects.toThrow(
      /401.*node-z is not a peer node pinned/,
    );
    await expect(asPeer('node-a', newKey('secp256r1')).attest(self(), { kind: 'packet', packet, evidence })).rejects.toThrow(
      /401.*does not verify with the key pinned for peer node-a/,
    );
  });

  it('refuses an unsigned request and a replayed one', async () => {
    const { packet, evidence } = await sentPacket();
    const body = Buffer.from(JSON.stringify({ kind: 'packet', packet, evidence }));
    const unsigned = await fetch(`${node.restUrl}${ATTESTATIONS_PATH}`, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { error: { reason: string } }).error.reason).toBe('missing-credentials');

    const timestamp = String(Date.now());
    const nonce = 'replayed-nonce-0123456789';
    const canonical = canonicalRequest({
      method: 'POST',
      path: ATTESTATIONS_PATH,
      query: '',
      body,
      user: 'node-a',
      app: '',
      timestamp,
      nonce,
    });
    const headers = {
      [HEADERS.user]: 'node-a',
      [HEADERS.timestamp]: timestamp,
      [HEADERS.nonce]: nonce,
      [HEADERS.signature]: Buffer.from(fastSigner('secp256r1', peerKey.privateKey)(canonical)).toString('hex'),
    };
    const first = await fetch(`${node.restUrl}${ATTESTATIONS_PATH}`, { method: 'POST', body, headers });
    expect(first.status).toBe(200);
    const again = await fetch(`${node.restUrl}${ATTESTATIONS_PATH}`, { method: 'POST', body, headers });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { reason: string } }).error.reason).toBe('nonce-replayed');
  });

  it('refuses to vouch for a block of a chain it is not connected to', async () => {
    await expect(
      asPeer().attest(self(), { kind: 'block', block: { framework: 'ethereum', chain: 'eth-x', number: 1, hash: 'ab'.repeat(32) } }),
    ).rejects.toThrow(/403.*not connected to ethereum chain eth-x/);
  });
});
