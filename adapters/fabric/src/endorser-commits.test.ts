import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Gateway } from '@hyperledger/fabric-gateway';
import { isBsnError, type AppInfo, type BsnError } from '@bsn/contract';
import { unique } from '@bsn/contract/testing';
import { newApp, peerLedger, useFabricNetwork } from './__fixtures__/network.js';
import { askEndorsers, awaitEndorserCommits, checkEndorserCommits, type EndorserCommitDeps } from './endorser-commits.js';

// Org2's peer is stopped (SIGSTOP) right after it endorsed a write and before it can commit
// it: the window in which the IC-006 flake happened, held open for seconds instead of ms.

const ORG2_PEER = 'peer0.org2.example.com';
const STALL_MS = 2_000;

const fabric = useFabricNetwork({ actors: ['admin', 'member'] });
let app: AppInfo;
let org2: Awaited<ReturnType<typeof peerLedger>>;
let gateway: Gateway;

beforeAll(async () => {
  if (fabric.skipped) return;
  app = await newApp(fabric.org1, fabric.actors.admin, [fabric.actors.member.account], 'stall');
  org2 = await peerLedger(fabric.devnet, 'Org2MSP');
  gateway = await fabric.org1.parts.connection.gatewayFor(fabric.actors.member.signer);
});

afterAll(() => {
  gateway?.close();
  org2?.close();
});

function signal(sig: 'SIGSTOP' | 'SIGCONT'): void {
  const p = fabric.devnet.processes().find((x) => x.name === ORG2_PEER);
  if (!p?.pid) throw new Error(`no process ${ORG2_PEER}`);
  process.kill(p.pid, sig);
}

/** `gateway`, but Org2's peer is stopped the moment the endorsements are in. */
function stallingOrg2After(gw: Gateway, stopped: { at?: number }): Gateway {
  return {
    getNetwork: (channel: string) => {
      const network = gw.getNetwork(channel);
      return {
        getContract: (chaincode: string) => {
          const contract = network.getContract(chaincode);
          return {
            newProposal: (...args: Parameters<typeof contract.newProposal>) => {
              const proposal = contract.newProposal(...args);
              return {
                getTransactionId: () => proposal.getTransactionId(),
                endorse: async (...o: Parameters<typeof proposal.endorse>) => {
                  const transaction = await proposal.endorse(...o);
                  signal('SIGSTOP');
                  stopped.at = performance.now();
                  return transaction;
                },
              };
            },
          };
        },
      };
    },
  } as unknown as Gateway;
}

const putArgs = (requestId: string, key: string) => [app.appId, requestId, key, Buffer.from('v')];

describe('a write waits for the other endorsing org’s peer to commit it', () => {
  test(`Org2's peer stalled ${STALL_MS} ms after endorsing: the write returns only after it resumed, and Org2 then holds the block`, async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const stopped: { at?: number } = {};
    let resumedAt = 0;
    let resume: NodeJS.Timeout | undefined;
    try {
      const writing = fabric.org1.transactor.transact(stallingOrg2After(gateway, stopped), 'put', putArgs(unique('req'), unique('k')), {
        what: 'put on the stalled network',
        deadline: Date.now() + 30_000,
        kvResult: true,
      });
      resume = setInterval(() => {
        if (stopped.at !== undefined && performance.now() - stopped.at >= STALL_MS && resumedAt === 0) {
          signal('SIGCONT');
          resumedAt = performance.now();
        }
      }, 20);
      const committed = await writing;
      const returnedAt = performance.now();
      expect(stopped.at, 'Org2 was stopped after endorsing').toBeDefined();
      expect(resumedAt, 'Org2 was resumed').toBeGreaterThan(0);
      expect(returnedAt, 'the write returned after Org2 resumed').toBeGreaterThanOrEqual(resumedAt);
      expect(await org2.validationCode(committed.txId), 'Org2 records it VALID').toBe(0);
      expect(await org2.height()).toBeGreaterThan(committed.block.number);
    } finally {
      clearInterval(resume);
      signal('SIGCONT');
    }
  }, 60_000);

  test('Org2 stalled past the deadline: TIMEOUT at commit naming its peer; once it resumes it holds the write, and a retry returns it', async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const requestId = unique('req');
    const key = unique('k');
    const stopped: { at?: number } = {};
    let failure: BsnError | undefined;
    try {
      await fabric.org1.transactor
        .transact(stallingOrg2After(gateway, stopped), 'put', putArgs(requestId, key), {
          what: 'put past the deadline',
          deadline: Date.now() + 4_000,
          kvResult: true,
        })
        .catch((error: unknown) => {
          if (!isBsnError(error)) throw error;
          failure = error;
        });
    } finally {
      signal('SIGCONT');
    }
    expect(stopped.at, 'Org2 was stopped after endorsing').toBeDefined();
    expect(failure, 'the write failed').toBeDefined();
    expect(failure).toMatchObject({ code: 'TIMEOUT', stage: 'commit' });
    expect(failure!.message).toContain('(Org2MSP)');
    const peer = fabric.devnet.network.organizations.find((o) => o.mspId === 'Org2MSP')!.peers[0]!.endpoint;
    expect(failure!.message).toContain(peer);
    expect(failure!.detail).toMatchObject({ framework: 'fabric', data: { peer, mspId: 'Org2MSP' } });
    // The transaction is committed all the same (the error says so): Org2 catches up once
    // resumed, and the same request id gives back that transaction, not a second write.
    const txId = failure!.txId!;
    await expect.poll(() => org2.validationCode(txId).catch(() => -1), { timeout: 15_000 }).toBe(0);
    const again = await fabric.org1.transactor.transact(gateway, 'put', putArgs(requestId, key), {
      what: 'the same put again',
      deadline: Date.now() + 30_000,
      kvResult: true,
    });
    expect(again).toMatchObject({ txId, duplicate: true });
  }, 60_000);

  test("Org2's peer is asked while the gateway peer's commit status is still awaited, not after it", async (ctx) => {
    fabric.skipUnlessRunning(ctx);
    const transactor = fabric.org1.transactor;
    const service = fabric.org1.parts.connection.service;
    const calls: Array<{ gatewayPeer: boolean; asked: number; answered?: number }> = [];
    const original = transactor.commitStatus.bind(transactor);
    const spy = vi.spyOn(transactor, 'commitStatus').mockImplementation(async (txId, deadline, via = service) => {
      const call: (typeof calls)[number] = { gatewayPeer: via === service, asked: performance.now() };
      calls.push(call);
      try {
        return await original(txId, deadline, via);
      } finally {
        call.answered = performance.now();
      }
    });
    try {
      await transactor.transact(gateway, 'put', putArgs(unique('req'), unique('k')), {
        what: 'put asking both orgs at once',
        deadline: Date.now() + 30_000,
        kvResult: true,
      });
    } finally {
      spy.mockRestore();
    }
    const own = calls.filter((c) => c.gatewayPeer);
    const other = calls.filter((c) => !c.gatewayPeer);
    expect(own, "the gateway peer's status, once").toHaveLength(1);
    expect(other, "Org2's peer, once").toHaveLength(1);
    // The block is cut at the orderer's batch timeout (250 ms): Org2 is asked long before it.
    expect(other[0]!.asked).toBeLessThan(own[0]!.answered!);
  }, 60_000);
});

describe('which peers are waited for (commit status faked at the gRPC boundary)', () => {
  const peer = (endpoint: string) => ({ endpoint, tlsRootCert: '' });
  const otherPeers = [
    { mspId: 'Org1MSP', peer: peer('org1-second:7051') },
    { mspId: 'Org2MSP', peer: peer('org2:7051') },
    { mspId: 'Org3MSP', peer: peer('org3:7051') },
  ];
  const committedAt = (block: number) => ({ successful: true, code: 0, blockNumber: BigInt(block), transactionId: 'tx' });
  const deps = (answers: Record<string, () => Promise<unknown>>): EndorserCommitDeps & { asked: string[] } => {
    const asked: string[] = [];
    return {
      asked,
      otherPeers,
      serviceAt: (p) => p.endpoint as unknown as Gateway,
      commitStatus: (_txId, _deadline, via) => {
        asked.push(via as unknown as string);
        return answers[via as unknown as string]!() as never;
      },
    };
  };
  const c = { txId: 'tx', block: 7, what: 'put on app-1', deadline: Date.now() + 10_000 };

  test("only the endorsing orgs' peers are asked; one that cannot be reached at all is left out and reported", async () => {
    const unreachable = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    const d = deps({
      'org1-second:7051': () => Promise.resolve(committedAt(7)),
      'org2:7051': () => Promise.reject(unreachable),
      'org3:7051': () => Promise.reject(new Error('org3 is not an endorser, it must not be asked')),
    });
    const result = await awaitEndorserCommits(d, { ...c, endorsers: ['Org1MSP', 'Org2MSP'] });
    expect(d.asked.sort()).toEqual(['org1-second:7051', 'org2:7051']);
    expect(result.unreachable).toEqual(['org2:7051']);
  });

  test('asked before the gateway peer named the block: the answers are held (never a rejection) and checked against that block', async () => {
    const refused = new Error('14 UNAVAILABLE: No connection established');
    const d = deps({
      'org1-second:7051': () => Promise.resolve(committedAt(7)),
      'org2:7051': () => Promise.reject(Object.assign(refused, { code: 14 })),
    });
    // A commit-status request that throws before it is even sent is an answer too, not a throw here.
    const throwing = {
      ...d,
      serviceAt: () => {
        throw Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { code: 4 });
      },
    };
    const [asked, thrown] = [
      askEndorsers(d, { ...c, endorsers: ['Org1MSP', 'Org2MSP'] }),
      askEndorsers(throwing, { ...c, endorsers: ['Org2MSP'] }),
    ];
    await expect(thrown).resolves.toHaveLength(1);
    await expect(asked).resolves.toHaveLength(2);
    expect(await checkEndorserCommits(asked, { ...c, endorsers: ['Org1MSP', 'Org2MSP'] })).toMatchObject({ unreachable: ['org2:7051'] });
    // The same answers against the block the gateway peer named being another: refused.
    const other = await checkEndorserCommits(asked, { ...c, block: 6, endorsers: ['Org1MSP', 'Org2MSP'] }).catch((e: unknown) => e);
    expect(other).toMatchObject({
      code: 'UNAVAILABLE',
      stage: 'commit',
      detail: { data: { peer: 'org1-second:7051', block: 6, theirBlock: 7 } },
    });
    // A peer that gave no status by the deadline: TIMEOUT naming it (the tx may be committed).
    const late = await checkEndorserCommits(thrown, { ...c, endorsers: ['Org2MSP'] }).catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'TIMEOUT', stage: 'commit', detail: { data: { peer: 'org2:7051', mspId: 'Org2MSP' } } });
  });

  test('a peer that has the transaction in another block or invalid: UNAVAILABLE at commit naming the peer', async () => {
    const d = deps({ 'org2:7051': () => Promise.resolve({ ...committedAt(8), successful: false, code: 11 }) });
    const error = (await awaitEndorserCommits(d, { ...c, endorsers: ['Org2MSP'] }).catch((e: unknown) => e)) as BsnError;
    expect(isBsnError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', stage: 'commit', txId: 'tx' });
    expect(error.message).toContain('peer org2:7051 (Org2MSP)');
    expect(error.detail).toMatchObject({ code: 'MVCC_READ_CONFLICT', data: { peer: 'org2:7051', block: 7, theirBlock: 8 } });
  });
});
