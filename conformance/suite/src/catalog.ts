/**
 * This suite version as a certifier pins it: its cases with their level and capability, the
 * capabilities every adapter must claim, and the content digest of this build of the suite.
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computePluginDigest, type SuiteCatalog } from '@bsn/plugin-host';
import { REQUIRED_CAPABILITIES, SUITE_NAME, SUITE_VERSION } from './case.js';

/** `list` with `added` placed after the case each key names (a version that inserts cases mid-list). */
function inserted(list: readonly string[], added: Record<string, string[]>): readonly string[] {
  return list.flatMap((line) => [line, ...(added[line.split(' ')[0]!] ?? [])]);
}

const V1_2_0 = [
  'DSC-001 MUST describe',
  'DSC-002 MUST describe',
  'DSC-003 MUST describe',
  'KEY-001 MUST identity.derive',
  'KEY-002 MUST identity.derive',
  'KEY-003 MUST identity.bind',
  'KEY-004 MUST identity.derive',
  'GW-001 MUST gateway.submit',
  'GW-002 MUST gateway.lookup',
  'GW-003 MUST gateway.submit',
  'GW-004 MUST gateway.submit',
  'GW-005 MUST gateway.submit',
  'GW-006 MUST gateway.evaluate',
  'GW-007 MUST gateway.lookup',
  'GW-008 MUST gateway.health',
  'GW-009 MUST keys.user',
  'GW-010 MUST gateway.submit',
  'EV-001 MUST gateway.events',
  'EV-002 MUST gateway.events',
  'EV-003 MUST gateway.events',
  'EV-004 MUST lifecycle.isolation',
  'EV-005 MUST gateway.events',
  'EV-006 MUST gateway.events',
  'LC-001 MUST lifecycle.create',
  'LC-002 MUST lifecycle.create',
  'LC-003 MUST lifecycle.upgrade',
  'LC-004 MUST lifecycle.members',
  'LC-005 MUST lifecycle.members',
  'LC-006 MUST lifecycle.freeze',
  'LC-007 MUST lifecycle.isolation',
  'LC-008 MUST lifecycle.dedicated',
  'KV-001 MUST kv.preset',
  'KV-002 MUST kv.preset',
  'KV-003 MUST kv.preset',
  'KV-004 MUST kv.preset',
  'KV-005 MUST kv.preset',
  'KV-006 MUST kv.preset',
  'KV-007 MUST kv.preset',
  'KV-008 MUST kv.preset',
  'KV-009 MUST kv.preset',
  'KV-010 SHOULD kv.preset',
  'BAD-001 MUST gateway.submit',
  'BAD-002 MUST gateway.lookup',
  'BAD-003 MUST lifecycle.create',
  'IC-001 MUST interchain.evidence',
  'IC-002 MUST interchain.verify',
] as const;

// 2.0.0: chain facts checked through the target's own reader; finality counted on the chain;
// KV-005 lists with keys after the prefix and short last pages; GW-009's forger is a member;
// IC-002 alters the proof itself and the evidence's claims (txId, block, blockHash), every
// rejection gives a reason; IC-003 (every proof field required and shape-checked); EV-007
// (order and resume inside a block), EV-008 (name filter), BAD-004 (malformed evaluate input).
const V2_0_0 = inserted(V1_2_0, {
  'EV-006': ['EV-007 MUST gateway.events', 'EV-008 MUST gateway.events'],
  'BAD-001': ['BAD-004 MUST gateway.evaluate'],
  'IC-002': ['IC-003 MUST interchain.verify'],
});

// 2.1.0: FRG-001 (another packet's proof; for Fabric, each single forgery of a block re-signed
// by keys the roots were made to pin).
const V2_1_0 = [...V2_0_0, 'FRG-001 MUST interchain.verify'] as const;

// 2.2.0: IC-004…IC-010, delivery (interchain.deliver): a loopback on the adapter's chain, with
// the target's operator signer pinning attesters (DevnetProvider.operator) — the happy path with
// the ack proven and recorded, replay, timeout, grants, forged attestations and unsound
// configurations, unregistered methods, who may grant and configure.
const V2_2_0 = [
  ...V2_1_0,
  'IC-004 MUST interchain.deliver',
  'IC-005 MUST interchain.deliver',
  'IC-006 MUST interchain.deliver',
  'IC-007 MUST interchain.deliver',
  'IC-008 MUST interchain.deliver',
  'IC-009 MUST interchain.deliver',
  'IC-010 MUST interchain.deliver',
] as const;

// 2.3.0: IC-011, ack evidence proves only what its transaction recorded (proof bytes altered,
// another packet, another kind), where the verifier's delivery checks are reached.
const V2_3_0 = [...V2_2_0, 'IC-011 MUST interchain.deliver'] as const;

// 2.4.0: FRG-002, forged ack and timeout evidence (another ack's proof; for Fabric each single
// forgery of the target's event and receipt, re-signed by keys the roots were made to pin); and CC-001…CC-007, apps that bring their own contract (lifecycle.custom-contract), on the
// sample token the target supplies (DevnetProvider.tokenSample): deploy, call, events, an upgrade
// keeping state, a failed upgrade, a bad package and a non-admin's upgrade leaving the chain as it was.
const V2_4_0 = [
  ...V2_3_0,
  'FRG-002 MUST interchain.deliver',
  'CC-001 MUST lifecycle.custom-contract',
  'CC-002 MUST lifecycle.custom-contract',
  'CC-003 MUST lifecycle.custom-contract',
  'CC-004 MUST lifecycle.custom-contract',
  'CC-005 MUST lifecycle.custom-contract',
  'CC-006 MUST lifecycle.custom-contract',
  'CC-007 MUST lifecycle.custom-contract',
] as const;

/**
 * Every suite version's cases (`<id> <level> <capability>`), pinned: a certifier checks a
 * report against this list, never against the cases a report says it has. Changing a case
 * changes the version (a test keeps ALL_CASES equal to the current version's list).
 */
export const PINNED_CASES: Readonly<Record<string, readonly string[]>> = {
  '2.4.0': V2_4_0,
  '2.3.0': V2_3_0,
  '2.2.0': V2_2_0,
  '2.1.0': V2_1_0,
  '2.0.0': V2_0_0,
  '1.2.0': V1_2_0,
};

/** The suite package's folder (from src/ under tests, dist/ at run time). */
const SUITE_FOLDER = fileURLToPath(new URL('..', import.meta.url));

let digest: Promise<string> | undefined;

/** The content digest of the suite's shipped files (its package.json `files`), computed once. */
export function suiteDigest(): Promise<string> {
  digest ??= (async () => {
    const { files } = JSON.parse(readFileSync(join(SUITE_FOLDER, 'package.json'), 'utf8')) as { files?: string[] };
    return (await computePluginDigest(SUITE_FOLDER, files, { dependencies: false })).digest;
  })();
  return digest;
}

export async function suiteCatalog(): Promise<SuiteCatalog> {
  const pinned = PINNED_CASES[SUITE_VERSION];
  if (!pinned) throw new Error(`suite ${SUITE_VERSION} has no pinned case list`);
  return {
    name: SUITE_NAME,
    version: SUITE_VERSION,
    cases: pinned.map((line) => {
      const [id, level, capability] = line.split(' ') as [string, 'MUST' | 'SHOULD', string];
      return { id, level, capability };
    }),
    requiredCapabilities: [...REQUIRED_CAPABILITIES],
    digest: await suiteDigest(),
  };
}
