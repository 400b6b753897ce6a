/**
 * The preset data contract's tables. An app's rows live in the scope named by its app key
 * (`appKeyOf(appid)`); the app registry itself lives in the contract's own scope.
 */
import { Name, Table, U128, Checksum256, EMPTY_NAME } from 'proton-tsc';

/** One app (scope: the contract). `home` is the account holding its data: this contract, or a dedicated one. */
@table('apps')
export class App extends Table {
  constructor(
    public id: u64 = 0,
    public appid: string = '',
    public name: string = '',
    public mode: string = '',
    public admin: Name = EMPTY_NAME,
    public frozen: boolean = false,
    public version: u32 = 1,
    public created: u32 = 0,
    public home: Name = EMPTY_NAME,
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }
}

/** An account allowed to write the app (scope: the app). */
@table('members')
export class Member extends Table {
  constructor(public account: Name = EMPTY_NAME) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.account.N;
  }
}

/** A live key (scope: the app). `head` orders keys byte-wise by their first 16 bytes; ties are read whole. */
@table('entries')
export class Entry extends Table {
  constructor(
    public id: u64 = 0,
    public key: string = '',
    public value: u8[] = [],
    public txid: Checksum256 = new Checksum256(),
    public block: u32 = 0,
    public head: U128 = new U128(),
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }

  @secondary
  get byhead(): U128 {
    return this.head;
  }

  set byhead(value: U128) {
    this.head = value;
  }
}

/** Every write of a key, oldest first (scope: the app): the key's history and where its events are. */
@table('versions')
export class Version extends Table {
  constructor(
    public id: u64 = 0,
    public key: string = '',
    public value: u8[] = [],
    public deleted: boolean = false,
    public txid: Checksum256 = new Checksum256(),
    public block: u32 = 0,
    public time: u64 = 0,
    public head: U128 = new U128(),
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }

  @secondary
  get byhead(): U128 {
    return this.head;
  }

  set byhead(value: U128) {
    this.head = value;
  }

  @secondary
  get byblock(): u64 {
    return <u64>this.block;
  }

  set byblock(value: u64) {
    this.block = <u32>value;
  }
}

/** A client request id already executed (scope: the app): what it wrote, and in which transaction. */
@table('requests')
export class Request extends Table {
  constructor(
    public id: u64 = 0,
    public reqid: string = '',
    public content: Checksum256 = new Checksum256(),
    public txid: Checksum256 = new Checksum256(),
    public block: u32 = 0,
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }
}

/** The last packet sequence sent to one destination (scope: the source app). */
@table('outbox')
export class Channel extends Table {
  constructor(
    public id: u64 = 0,
    public dstchain: string = '',
    public dstapp: string = '',
    public seq: u64 = 0,
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }
}

/** The chain this contract runs on (scope: the contract, one row): what relayed signatures cover. */
@table('config')
export class Config extends Table {
  constructor(
    public id: u64 = 0,
    public chainid: Checksum256 = new Checksum256(),
  ) {
    super();
  }

  @primary
  get primary(): u64 {
    return this.id;
  }
}
