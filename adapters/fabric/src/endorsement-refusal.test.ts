// "An endorsement that one org refuses", on the real two-org network: a second chaincode
// (`__fixtures__/org-refusal-chaincode`, deployed beside the preset one with the default
// AND(Org1, Org2) policy and one chaincode server per org, so `ctx.stub.getMspID()` is the
// endorsing peer's org) whose `putUnlessOrg2` fails only on Org2MSP's peer. It is invoked
// through the adapter's own write path (Transactor: endorse / submit / commit status with its
// error mapping) as a BSN account's MSP identity.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { text, unique } from '@bsn/contract/testing';
import type { FabricAdapter } from './adapter.js';
import { failure, newSigner, presetDevnet, useFabricNetwork } from './__fixtures__/network.js';
import { Transactor } from './transactions.js';

const REFUSAL_CHAINCODE = 'bsn-org-refusal';
const REFUSAL_DIR = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'org-refusal-chaincode');

let transactor: Transactor;
let gateway: Awaited<ReturnType<FabricAdapter['parts']['connection']['gatewayFor']>>;

const fabric = useFabricNetwork({
  devnet: () => presetDevnet().withChaincode({ name: REFUSAL_CHAINCODE, dir: REFUSAL_DIR, serverPerOrg: true }),
  what: 'the endorsement-refusal tests',
  org2: true,
});

beforeAll(async () => {
  if (fabric.skipped) return;
  // The adapter's write path, pointed at the refusal chaincode instead of the preset one.
  transactor = new Transactor({
    config: { ...fabric.org1.parts.config, chaincode: REFUSAL_CHAINCODE },
    ledger: fabric.org1.ledger,
    connection: fabric.org1.parts.connection,
  });
  const signer = newSigner();
  await fabric.org1.identity.provision(signer);
  gateway = await fabric.org1.parts.connection.gatewayFor(signer);
});

afterAll(() => {
  gateway?.close();
});

/** What `key` holds on `who`'s own peer (evaluated there), and which org's chaincode server answered. */
async function read(who: FabricAdapter, key: string): Promise<{ found: boolean; value?: string; peerMsp: string }> {
  const contract = who.parts.connection.service.getNetwork(fabric.devnet.network.channel).getContract(REFUSAL_CHAINCODE);
  return JSON.parse(text(await contract.evaluateTransaction('get', key))) as { found: boolean; value?: string; peerMsp: string };
}

const org2Peer = () => fabric.devnet.network.organizations.find((o) => o.mspId === 'Org2MSP')!.peers[0]!;

describe('an endorsement that one org refuses', () => {
  test("control: each org's peer runs its own chaincode server, and a write both orgs endorse commits", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    expect(fabric.devnet.network.chaincodes.find((c) => c.name === REFUSAL_CHAINCODE)).toMatchObject({
      endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')",
      packageIds: { Org1MSP: expect.any(String), Org2MSP: expect.any(String) },
    });
    const key = unique('both');
    const committed = await transactor.transact(gateway, 'put', [key, 'endorsed by both'], {
      what: `put on ${REFUSAL_CHAINCODE}`,
      deadline: Date.now() + 30_000,
    });
    expect(committed.tx).toMatchObject({ valid: true, chaincode: REFUSAL_CHAINCODE, fn: 'put' });
    expect(await read(fabric.org1, key)).toEqual({ found: true, value: 'endorsed by both', peerMsp: 'Org1MSP' });
    await expect
      .poll(() => read(fabric.org2, key), { timeout: 10_000 })
      .toEqual({ found: true, value: 'endorsed by both', peerMsp: 'Org2MSP' });
  });

  for (const orgs of [undefined, ['Org1MSP', 'Org2MSP']]) {
    test(`Org2's peer refuses (${orgs ? 'both orgs named as endorsers' : 'endorsers chosen by the policy'}): REJECTED_BY_CHAIN at endorse naming Org2MSP's peer with the chaincode's words; nothing ordered, nothing written`, async (ctx) => {
      fabric.skipUnlessRunning(ctx);
      const key = unique('refused');
      const before = (await fabric.org1.ledger.info()).height;
      const error = await failure(
        transactor.transact(gateway, 'putUnlessOrg2', [key, 'needs both orgs'], {
          what: `putUnlessOrg2 on ${REFUSAL_CHAINCODE}`,
          deadline: Date.now() + 30_000,
          ...(orgs && { endorsingOrganizations: orgs }),
        }),
      );

      // The typed error the README promises for a chaincode failure that is not a BSN refusal.
      expect(error.code).toBe('REJECTED_BY_CHAIN');
      expect(error.stage).toBe('endorse');
      expect(error.retryable).toBe(false);
      expect(error.txId).toMatch(/^[0-9a-f]{64}$/);
      const chaincodeWords = `org-refusal: Org2MSP declines putUnlessOrg2 of "${key}" (this org does not take part)`;
      expect(error.message).toContain(chaincodeWords);
      expect(error.detail).toMatchObject({ framework: 'fabric', code: 'ABORTED' });
      expect(error.detail?.message).toContain(chaincodeWords);
      // Each refusing peer, by org and address, with its own message: Org2's peer alone.
      const peers = (error.detail?.data as { peers: Array<{ mspId: string; address: string; message: string }> }).peers;
      expect(peers).toHaveLength(1);
      expect(peers[0]!.mspId).toBe('Org2MSP');
      expect(peers[0]!.address).toContain(org2Peer().endpoint.split(':')[1]!);
      expect(peers[0]!.message).toContain(chaincodeWords);

      // Never ordered: the ledger has no such transaction and no new block, and neither org's state has the key.
      expect((await failure(fabric.org1.gateway.transaction(error.txId!))).code).toBe('NOT_FOUND');
      await new Promise((r) => setTimeout(r, 600)); // longer than the orderer's 250 ms batch timeout
      expect((await fabric.org1.ledger.info()).height).toBe(before);
      expect(await read(fabric.org1, key)).toEqual({ found: false, peerMsp: 'Org1MSP' });
      expect(await read(fabric.org2, key)).toEqual({ found: false, peerMsp: 'Org2MSP' });
    });
  }

  test("leaving Org2 out does not get around it: Org1's endorsement alone is ordered but invalidated (ENDORSEMENT_POLICY_FAILURE), nothing written", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const key = unique('org1-only');
    const error = await failure(
      transactor.transact(gateway, 'putUnlessOrg2', [key, 'org1 only'], {
        what: `putUnlessOrg2 on ${REFUSAL_CHAINCODE}`,
        deadline: Date.now() + 30_000,
        endorsingOrganizations: ['Org1MSP'],
      }),
    );
    expect(error).toMatchObject({ code: 'REJECTED_BY_CHAIN', stage: 'commit' });
    expect(error.detail?.code).toBe('ENDORSEMENT_POLICY_FAILURE');
    expect(await fabric.org1.gateway.transaction(error.txId!)).toMatchObject({
      valid: false,
      validationCode: 'ENDORSEMENT_POLICY_FAILURE',
    });
    expect(await read(fabric.org1, key)).toEqual({ found: false, peerMsp: 'Org1MSP' });
    await expect
      .poll(async () => (await fabric.org2.ledger.info()).height, { timeout: 10_000 })
      .toBe((await fabric.org1.ledger.info()).height);
    expect(await read(fabric.org2, key)).toEqual({ found: false, peerMsp: 'Org2MSP' });
  });

  test('peers that answer differently once (one org a block behind) are asked again: the write commits once', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const key = unique('catch-up');
    const committed = await transactor.transact(gateway, 'putAfterOrg2CatchesUp', [key, 'agreed on retry'], {
      what: `putAfterOrg2CatchesUp on ${REFUSAL_CHAINCODE}`,
      deadline: Date.now() + 30_000,
    });
    expect(committed.tx).toMatchObject({ valid: true, fn: 'putAfterOrg2CatchesUp' });
    expect(text(committed.result)).toBe(key);
    expect(await read(fabric.org1, key)).toEqual({ found: true, value: 'agreed on retry', peerMsp: 'Org1MSP' });
  });

  test('peers that never agree: REJECTED_BY_CHAIN at endorse after a bounded number of attempts, nothing ordered or written', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const key = unique('disagree');
    const before = (await fabric.org1.ledger.info()).height;
    const started = Date.now();
    const error = await failure(
      transactor.transact(gateway, 'putDisagreeing', [key, 'never'], {
        what: `putDisagreeing on ${REFUSAL_CHAINCODE}`,
        deadline: Date.now() + 30_000,
      }),
    );
    expect(error).toMatchObject({ code: 'REJECTED_BY_CHAIN', stage: 'endorse' });
    expect(JSON.stringify(error.detail?.data)).toContain('ProposalResponsePayloads do not match');
    expect(Date.now() - started, 'backs off 100 + 200 + 300 ms, then gives up').toBeGreaterThanOrEqual(600);
    expect(Date.now() - started).toBeLessThan(10_000);
    await new Promise((r) => setTimeout(r, 600));
    expect((await fabric.org1.ledger.info()).height).toBe(before);
    expect(await read(fabric.org1, key)).toEqual({ found: false, peerMsp: 'Org1MSP' });
  });
});
