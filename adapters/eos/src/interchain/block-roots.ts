/**
 * The block-root merkle of any block: the incremental merkle over every earlier block id,
 * which the producer's signature covers. The node keeps it only for reversible blocks, so it
 * is rebuilt from the block ids themselves, from genesis, and kept (a snapshot every 256
 * blocks) so each later proof only adds the blocks since.
 */
import { IncrementalMerkle, type IncrementalMerkleState } from './merkle.js';
import type { NodeApi } from '../node-api.js';

const SNAPSHOT_EVERY = 256;
/** How many block ids are fetched at once. */
const PARALLEL = 8;

export class BlockRoots {
  /** Block number → the merkle state of that block (over the ids of blocks 1 … number − 1). */
  private readonly snapshots = new Map<number, IncrementalMerkleState>([[1, { activeNodes: [], nodeCount: 0 }]]);

  constructor(private readonly api: NodeApi) {}

  /** The block-root merkle state block `number` was signed over. */
  async stateOf(number: number): Promise<IncrementalMerkleState> {
    let from = 1;
    for (const at of this.snapshots.keys()) if (at <= number && at > from) from = at;
    const merkle = new IncrementalMerkle(this.snapshots.get(from));
    for (let next = from; next < number; next += PARALLEL) {
      const batch = Array.from({ length: Math.min(PARALLEL, number - next) }, (_, i) => next + i);
      const ids = await Promise.all(batch.map((n) => this.api.blockInfo(n).then((b) => b.id)));
      for (const [i, id] of ids.entries()) {
        merkle.append(id);
        const at = batch[i]! + 1;
        if (at % SNAPSHOT_EVERY === 0) this.snapshots.set(at, merkle.state);
      }
    }
    return merkle.state;
  }
}
