import type { ConformanceCase } from '../case.js';
import { describeCases } from './describe.js';
import { keyCases } from './keys.js';
import { gatewayCases } from './gateway.js';
import { eventCases } from './events.js';
import { lifecycleCases } from './lifecycle.js';
import { presetKvCases } from './preset-kv.js';
import { badInputCases } from './bad-input.js';
import { interchainCases } from './interchain.js';
import { evidenceForgeryCases } from './evidence-forgery.js';
import { interchainDeliveryCases } from './interchain-delivery.js';
import { deliveryForgeryCases } from './delivery-forgery.js';
import { customContractCases } from './custom-contract.js';

/** Every normative case, in the order they run. */
export const ALL_CASES: ConformanceCase[] = [
  ...describeCases,
  ...keyCases,
  ...gatewayCases,
  ...eventCases,
  ...lifecycleCases,
  ...presetKvCases,
  ...badInputCases,
  ...interchainCases,
  ...evidenceForgeryCases,
  ...interchainDeliveryCases,
  ...deliveryForgeryCases,
  ...customContractCases,
];

const seen = new Set<string>();
for (const c of ALL_CASES) {
  if (seen.has(c.id)) throw new Error(`duplicate conformance case id ${c.id}`);
  seen.add(c.id);
}
