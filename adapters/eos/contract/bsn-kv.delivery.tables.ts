/**
 * The interchain delivery tables (docs/interchain-delivery.md): the attesters this chain counts,
 * each app's grants, the target's receipt of every packet it executed or closed, and the
 * source's record of every packet it sent.
 */
import { Table, Checksum256 } from 'proton-tsc';

/** Who may attest (scope: the contract, one row): this chain's name, t, and M uncompressed secp256k1 keys (65 bytes each). */
@table('icconfig')
export class DeliveryConfig extends Table {
  constructor(
    public id: u64 = 0,
    public chain: string = '',
    public threshold: u32 = 0,
    public keys: u8[] = [],
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }
}

/** One side of a grant (scope: the app). `methods` comma-separated (a method never holds a comma). */
@table('grants')
export class Grant extends Table {
  constructor(
    public id: u64 = 0,
    public direction: string = '',
    public peerchain: string = '',
    public peerapp: string = '',
    public ref: string = '',
    public methods: string = '',
    public expires: u64 = 0,
    public revoked: boolean = false,
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }
}

/** The target's record of a packet (scope: the contract): 1 delivered, 2 timed out; the ack's commitment. */
@table('receipts')
export class PacketReceipt extends Table {
  constructor(
    public id: u64 = 0,
    public packetid: Checksum256 = new Checksum256(),
    public state: u8 = 0,
    public ackcommit: Checksum256 = new Checksum256(),
    public txid: Checksum256 = new Checksum256(),
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }
}

/** The source's record of a packet (scope: the contract): 1 sent, 2 acknowledged, 3 timed out. */
@table('sent')
export class SentPacket extends Table {
  constructor(
    public id: u64 = 0,
    public packetid: Checksum256 = new Checksum256(),
    public commitment: Checksum256 = new Checksum256(),
    public srcapp: string = '',
    public state: u8 = 0,
    public ackcommit: Checksum256 = new Checksum256(),
    public txid: Checksum256 = new Checksum256(),
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }
}

/**
 * The blocks in which an app took part in interchain traffic (scope: the app, in the registry's
 * contract): where its event stream finds `packet.*` events, as `versions` says where its writes are.
 */
@table('icevents')
export class InterchainBlock extends Table {
  /** `id` is the block number. */
  constructor(public id: u64 = 0) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }
}
