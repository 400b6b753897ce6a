/** A checked preset write as the contract's `put` / `del` action, authorized by the writer's account. */
import type { WritePlan } from '@bsn/contract';
import type { ContractAbi, PackedAction } from './antelope/index.js';
import type { LocatedApp } from './apps.js';
import { PERMISSION } from './accounts.js';

export function presetAction(app: LocatedApp, plan: WritePlan, sender: string, abi: ContractAbi): PackedAction {
  const authorization = [{ actor: sender, permission: PERMISSION }];
  if (plan.method === 'put') {
    const data = { appid: plan.appId, sender, key: plan.key, value: Buffer.from(plan.value!).toString('hex'), reqid: plan.requestId };
    return { account: app.account, name: 'put', authorization, data: abi.encodeAction('put', data) };
  }
  const data = { appid: plan.appId, sender, key: plan.key, reqid: plan.requestId };
  return { account: app.account, name: 'del', authorization, data: abi.encodeAction('del', data) };
}
