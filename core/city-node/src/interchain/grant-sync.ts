/**
 * Writes app-to-app grants on the chains, where delivery checks them: once both app owners granted
 * through the grant API (both sides in the registry), each app's chain gets its side with
 * `setGrant` — the source app's `outgoing` grant, the target app's `incoming` one — signed by the
 * node's chain account, which administers the apps it created. A side revoked or expired writes
 * both chain sides revoked. Grants of an app on another node are that node's to write.
 */
import { createHash } from 'node:crypto';
import type { ChainGrant, Logger } from '@bsn/contract';
import { PACKET_CALL_METHODS } from '@bsn/contract';
import { ApiError } from '../errors.js';
import type { NodeKeys } from '../keys.js';
import type { Networks } from '../networks.js';
import { grantAllows, type Grant, type Registry } from '../registry/registry.js';

/** The grant's id on both chains: a packet's `grantRef` names it. */
export const grantRef = (sourceApp: string, targetApp: string): string =>
  `g:${createHash('sha256').update(`${sourceApp}\n${targetApp}`).digest('hex').slice(0, 40)}`;

/** The methods both sides allow (an empty side allows every packet-callable method). */
function methods(g: Grant): string[] {
  const allowed = (m: string[] | undefined) => (m && m.length ? m : [...PACKET_CALL_METHODS]);
  const target = allowed(g.target?.methods);
  return allowed(g.source?.methods).filter((m) => target.includes(m));
}

export class GrantSync {
  constructor(
    private readonly registry: Pick<Registry, 'getApp'>,
    private readonly networks: Pick<Networks, 'byName'>,
    private readonly keys: Pick<NodeKeys, 'chainSigner'>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Brings both chains in line with the registry's grant. */
  async sync(g: Grant): Promise<void> {
    const [source, target] = await Promise.all([this.registry.getApp(g.sourceApp), this.registry.getApp(g.targetApp)]);
    if (!source || !target) return;
    const src = this.networks.byName(source.network);
    const dst = this.networks.byName(target.network);
    if (!src?.adapter.interchain?.setGrant || !dst?.adapter.interchain?.setGrant) {
      this.log.info(`grant ${g.sourceApp} → ${g.targetApp}: not written on chain (a network's adapter keeps no grants)`);
      return;
    }
    const effective = grantAllows(g, undefined, this.now());
    const methodList = methods(g);
    const expiries = [g.source?.expiresAt ?? 0, g.target?.expiresAt ?? 0].filter((e) => e > 0);
    const common = {
      ref: grantRef(g.sourceApp, g.targetApp),
      methods: methodList.length ? methodList : [...PACKET_CALL_METHODS],
      expiresAt: expiries.length ? Math.min(...expiries) : 0,
      revoked: !effective || methodList.length === 0,
    };
    const sides: Array<[typeof src, string, ChainGrant]> = [
      [src, source.code, { direction: 'outgoing', peerChain: dst.name, peerApp: target.code, ...common }],
      [dst, target.code, { direction: 'incoming', peerChain: src.name, peerApp: source.code, ...common }],
    ];
    for (const [network, appId, grant] of sides) {
      try {
        await network.adapter.interchain!.setGrant!({ appId }, grant, this.keys.chainSigner(network.framework, network.accountAlgorithm));
      } catch (err) {
        throw new ApiError(
          'UNAVAILABLE',
          'unavailable',
          `the grant is recorded but not yet written on ${network.name} for ${appId}: ${(err as Error).message} (grant again to retry)`,
          { cause: err },
        );
      }
    }
    this.log.info(`grant ${g.sourceApp} → ${g.targetApp} written on ${src.name} and ${dst.name}`, { revoked: common.revoked });
  }
}
