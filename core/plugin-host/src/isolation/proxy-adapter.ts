/**
 * The host-side stand-in for an adapter that runs in a confined plugin process: the same
 * `Adapter` interface, each method one call on the channel. `describe()` and
 * `identity.accountAlgorithms()` are synchronous in the contract, so they answer from what the
 * adapter reported when it connected (again after a restart). Optional parts (`interchain`,
 * its optional members: `deliver`, `trustRoots` and the rest of delivery) are present exactly when the adapter in the process has them.
 */
import type { Adapter, AdapterIdentity, AppLifecycle, ChainEvent, EventsRequest, Gateway, Interchain, PresetKv } from '@bsn/contract';
import type { CallMethod, ConnectInfo } from './channel.js';

/** What the proxy calls: the plugin process that holds the adapter (`PluginProcess`). */
export interface ProxyTarget<Slot> {
  call(slot: Slot, method: CallMethod, args: unknown[]): Promise<unknown>;
  events(slot: Slot, request: EventsRequest): AsyncIterable<ChainEvent>;
  closeAdapter(slot: Slot): Promise<void>;
}

export function proxyAdapter<Slot extends { info?: ConnectInfo }>(proc: ProxyTarget<Slot>, slot: Slot): Adapter {
  const call =
    <F extends (...args: never[]) => Promise<unknown>>(method: CallMethod) =>
    (...args: Parameters<F>): ReturnType<F> =>
      proc.call(slot, method, args) as ReturnType<F>;
  const info = () => slot.info!;

  const identity: AdapterIdentity = {
    accountAlgorithms: () => [...info().accountAlgorithms],
    accountFor: call<AdapterIdentity['accountFor']>('identity.accountFor'),
    provision: call<AdapterIdentity['provision']>('identity.provision'),
  };
  const gateway: Gateway = {
    submit: call<Gateway['submit']>('gateway.submit'),
    prepare: call<Gateway['prepare']>('gateway.prepare'),
    submitPrepared: call<Gateway['submitPrepared']>('gateway.submitPrepared'),
    evaluate: call<Gateway['evaluate']>('gateway.evaluate'),
    events: (request) => proc.events(slot, request),
    block: call<Gateway['block']>('gateway.block'),
    transaction: call<Gateway['transaction']>('gateway.transaction'),
    health: call<Gateway['health']>('gateway.health'),
  };
  const lifecycle: AppLifecycle = {
    create: call<AppLifecycle['create']>('lifecycle.create'),
    get: call<AppLifecycle['get']>('lifecycle.get'),
    upgrade: call<AppLifecycle['upgrade']>('lifecycle.upgrade'),
    addMember: call<AppLifecycle['addMember']>('lifecycle.addMember'),
    removeMember: call<AppLifecycle['removeMember']>('lifecycle.removeMember'),
    freeze: call<AppLifecycle['freeze']>('lifecycle.freeze'),
    unfreeze: call<AppLifecycle['unfreeze']>('lifecycle.unfreeze'),
  };
  const kv: PresetKv = {
    put: call<PresetKv['put']>('kv.put'),
    get: call<PresetKv['get']>('kv.get'),
    delete: call<PresetKv['delete']>('kv.delete'),
    history: call<PresetKv['history']>('kv.history'),
    list: call<PresetKv['list']>('kv.list'),
  };
  const parts = info().interchain;
  let interchain: Interchain | undefined;
  if (parts) {
    interchain = {
      emit: call<Interchain['emit']>('interchain.emit'),
      evidence: call<Interchain['evidence']>('interchain.evidence'),
      verify: call<Interchain['verify']>('interchain.verify'),
    };
    const members = interchain as unknown as Record<string, unknown>;
    for (const m of parts.optional) members[m] = call(`interchain.${m}` as CallMethod);
  }
  return {
    describe: () => info().description,
    identity,
    gateway,
    lifecycle,
    kv,
    ...(interchain && { interchain }),
    close: () => proc.closeAdapter(slot),
  };
}
