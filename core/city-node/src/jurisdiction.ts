/**
 * A portal's jurisdiction: the frameworks and networks its policy lets its users create apps
 * on (a portal serving mainland China, say, offers no public-chain network). Checked on the
 * framework or network a request names before anything else about it, and on the network the
 * node then chooses, before any chain work.
 */
import { ApiError, invalid } from './errors.js';
import type { ConnectedNetwork } from './networks.js';
import type { PortalPolicy } from './registry/registry.js';
import type { Body } from './body.js';
import { CODE_RE } from '@bsn/protocol';

export const allowsFramework = (policy: PortalPolicy, framework: string): boolean =>
  policy.frameworks === undefined || policy.frameworks.includes(framework);

export const allowsNetwork = (policy: PortalPolicy, network: Pick<ConnectedNetwork, 'name' | 'framework'>): boolean =>
  allowsFramework(policy, network.framework) && (policy.networks === undefined || policy.networks.includes(network.name));

/** 403 `outside-jurisdiction` naming the field, when the policy does not offer what a request names. */
export function checkJurisdiction(
  portal: string,
  policy: PortalPolicy,
  requested: { framework?: string | undefined; network?: string | undefined },
): void {
  if (requested.framework !== undefined && !allowsFramework(policy, requested.framework))
    throw outside(portal, `framework ${requested.framework}`, offered(policy.frameworks), '/framework');
  if (requested.network !== undefined && policy.networks !== undefined && !policy.networks.includes(requested.network))
    throw outside(portal, `network ${requested.network}`, offered(policy.networks), '/network');
}

const offered = (list: string[] | undefined) => (list === undefined ? 'any' : list.length ? list.join(', ') : 'none');

function outside(portal: string, what: string, allowed: string, field: string): ApiError {
  return new ApiError('UNAUTHORIZED', 'outside-jurisdiction', `portal ${portal} does not offer ${what} (its policy offers: ${allowed})`, {
    field,
  });
}

/** A policy from a request body's `policy` (absent: undefined), every problem named by its JSON pointer. */
export function policyField(body: Body): PortalPolicy | undefined {
  const raw = body['policy'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('invalid-field', '/policy must be an object { frameworks?, networks? }', '/policy');
  const policy: PortalPolicy = {};
  for (const [key, list] of Object.entries(raw as Record<string, unknown>)) {
    if (key !== 'frameworks' && key !== 'networks')
      throw invalid('invalid-field', `/policy/${key} is not a policy field (frameworks, networks)`, `/policy/${key}`);
    if (list === null) continue;
    if (!Array.isArray(list)) throw invalid('invalid-field', `/policy/${key} must be an array of names (absent: any)`, `/policy/${key}`);
    list.forEach((name, i) => {
      if (typeof name !== 'string' || !CODE_RE.test(name))
        throw invalid('invalid-field', `/policy/${key}/${i} must be a ${key.slice(0, -1)} name`, `/policy/${key}/${i}`);
    });
    policy[key] = [...new Set(list as string[])];
  }
  return policy;
}
