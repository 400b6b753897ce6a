/**
 * Where a cross-chain call's time goes: the relayer (and the outbox watcher) log each stage of a
 * packet at debug level with its time (core/city-node/src/interchain/relayer.ts `mark`); this
 * logger keeps those per packet, and `breakdown` turns one call's into the time each stage took
 * after the one before, counted from when the bench saw the call sent.
 */
import type { Logger } from '@bsn/contract';
import { median } from './report.js';

export interface Stage {
  stage: string;
  at: number;
  /** The block the stage's transaction landed in, where it names one. */
  block?: number;
}

export interface StageLog {
  /** For the fleet's nodes: keeps the stages, drops the rest (warnings go to `warn`). */
  logger: Logger;
  /** A packet's stages so far, oldest first (and forgets them). */
  take(packetId: string): Stage[];
}

export function stageLog(warn?: (line: string) => void): StageLog {
  const byPacket = new Map<string, Stage[]>();
  const logger: Logger = {
    debug(_message, fields) {
      const id = fields?.['packetId'];
      const stage = fields?.['stage'];
      const at = fields?.['at'];
      if (typeof id !== 'string' || typeof stage !== 'string' || typeof at !== 'number') return;
      const list = byPacket.get(id) ?? [];
      const block = fields?.['block'];
      list.push({ stage, at, ...(typeof block === 'number' && { block }) });
      byPacket.set(id, list);
    },
    info() {},
    warn(message, fields) {
      warn?.(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
    },
    error(message, fields) {
      warn?.(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
    },
  };
  return {
    logger,
    take(packetId) {
      const list = byPacket.get(packetId) ?? [];
      byPacket.delete(packetId);
      return list;
    },
  };
}

/** Wall-clock ms (what the relayer stamps) of a `performance.now()` reading. */
export const wallClock = (perfNow: number) => performance.timeOrigin + perfNow;

/**
 * One call's stages as [stage, ms since the stage before] from `sentAt` (wall clock), ending
 * with `ackSeenAt` (when the bench saw the call acknowledged). Stages a relayer repeats (a save
 * after every step) keep their order and are named by position.
 */
export function breakdown(stages: Stage[], sentAt: number, ackSeenAt: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  let last = sentAt;
  const seen = new Map<string, number>();
  for (const { stage, at } of stages) {
    const n = (seen.get(stage) ?? 0) + 1;
    seen.set(stage, n);
    out.push([n > 1 ? `${stage} #${n}` : stage, at - last]);
    last = at;
  }
  out.push(['seen acknowledged by the bench', ackSeenAt - last]);
  return out;
}

/** The median of each stage over many calls, in the order the first call went through them. */
export function medianBreakdown(calls: Array<Array<[string, number]>>): Array<[string, number]> {
  const order: string[] = [];
  const values = new Map<string, number[]>();
  for (const call of calls)
    for (const [stage, ms] of call) {
      if (!values.has(stage)) {
        order.push(stage);
        values.set(stage, []);
      }
      values.get(stage)!.push(ms);
    }
  return order.map((stage) => [stage, median(values.get(stage)!)]);
}

export const formatBreakdown = (b: Array<[string, number]>) => b.map(([s, ms]) => `${s} +${ms.toFixed(0)}`).join(', ');
