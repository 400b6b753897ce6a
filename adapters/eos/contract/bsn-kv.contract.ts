/**
 * The BSN preset data contract on Antelope: apps with an admin and members, a frozen flag,
 * the key/value store with the history of every key, request-id idempotency and the
 * interchain outbox. The adapter (adapters/eos/src) reads the tables directly and reads
 * events from the action traces of `put` and `del`.
 *
 * Refusals are `check` failures whose message starts with a tag the adapter maps onto the
 * standard's errors: `bsn:unauthorized:`, `bsn:not_found:`, `bsn:conflict:`, `bsn:invalid:`,
 * and `bsn:duplicate:` (the request id was executed already, with the same content).
 */
import {
  Name,
  Contract,
  TableStore,
  check,
  requireAuth,
  isAccount,
  currentBlockNum,
  currentTimeMs,
  Checksum256,
  getTransactionId,
  MultiIndex,
  IDX128,
  Signature,
  Transaction,
  recoverKey,
  sha256,
  currentTimeSec,
} from 'proton-tsc';
import { App, Member, Entry, Version, Request, Channel, Config } from './bsn-kv.tables';
import { accountOf, isK1, PutArgs, DelArgs } from './bsn-kv.relay';
import { idOf, utf8, headOf, contentOf, channelOf } from './bsn-kv.hashes';

const PUT: u8 = 1;
const DEL: u8 = 2;
/** The adapter's limits (src/limits.ts); checked here too, since anyone may call the contract. */
const MAX_KEY_BYTES = 1024;
const MAX_VALUE_BYTES = 65536;

@contract
export class BsnKv extends Contract {
  apps: TableStore<App> = new TableStore<App>(this.receiver);

  @action('create')
  create(appid: string, name: string, mode: string, admin: Name, members: Name[]): void {
    requireAuth(admin);
    const id = this.freeId(appid);
    this.apps.store(new App(id, appid, name, mode, admin, false, 1, currentBlockNum(), this.receiver), this.receiver);
    const table = this.members(id);
    table.store(new Member(admin), this.receiver);
    for (let i = 0; i < members.length; i++) {
      check(isAccount(members[i]), 'bsn:invalid: member ' + members[i].toString() + ' is not an account');
      if (!table.exists(members[i].N)) table.store(new Member(members[i]), this.receiver);
    }
  }

  /**
   * Registers a dedicated app: its rows live in `home`, another account running this contract,
   * whose `create` made it earlier in the same transaction (checked here: the app is in home's
   * registry with the same admin). The app id is taken here as a shared app's would be, so one
   * id names one app whatever its placement. Admin, members, state and version are home's.
   */
  @action('place')
  place(appid: string, admin: Name, home: Name): void {
    requireAuth(admin);
    check(home != this.receiver, 'bsn:invalid: a dedicated app lives in an account of its own');
    const id = this.freeId(appid);
    const there = new TableStore<App>(home).get(id);
    check(
      there != null && there.appid == appid && there.admin == admin && there.home == home,
      'bsn:invalid: app ' + appid + ' is not created in ' + home.toString() + ' by its admin',
    );
    this.apps.store(new App(id, appid, there!.name, there!.mode, admin, false, 1, there!.created, home), this.receiver);
  }

  @action('upgrade')
  upgrade(appid: string, admin: Name): void {
    const app = this.administered(appid, admin);
    app.version += 1;
    this.apps.update(app, this.receiver);
  }

  @action('addmember')
  addmember(appid: string, admin: Name, member: Name): void {
    const app = this.administered(appid, admin);
    check(isAccount(member), 'bsn:invalid: member ' + member.toString() + ' is not an account');
    const table = this.members(app.id);
    if (!table.exists(member.N)) table.store(new Member(member), this.receiver);
  }

  @action('rmmember')
  rmmember(appid: string, admin: Name, member: Name): void {
    const app = this.administered(appid, admin);
    check(member != app.admin, 'bsn:conflict: the admin stays a member of its app');
    const table = this.members(app.id);
    const row = table.get(member.N);
    if (row != null) table.remove(row);
  }

  @action('freeze')
  freeze(appid: string, admin: Name): void {
    const app = this.administered(appid, admin);
    app.frozen = true;
    this.apps.update(app, this.receiver);
  }

  @action('unfreeze')
  unfreeze(appid: string, admin: Name): void {
    const app = this.administered(appid, admin);
    app.frozen = false;
    this.apps.update(app, this.receiver);
  }

  @action('put')
  put(appid: string, sender: Name, key: string, value: u8[], reqid: string): void {
    requireAuth(sender);
    this.write(appid, sender, key, value, reqid);
  }

  @action('del')
  del(appid: string, sender: Name, key: string, reqid: string): void {
    requireAuth(sender);
    this.remove(appid, sender, key, reqid);
  }

  /** Records the chain id relayed signatures are checked against; the contract account only. */
  @action('setchain')
  setchain(chainid: Checksum256): void {
    requireAuth(this.receiver);
    const config = new TableStore<Config>(this.receiver);
    config.set(new Config(0, chainid), this.receiver);
  }

  /**
   * A user-key write whose K1 signature the node refuses as non-canonical (a signer that
   * cannot retry picks such an `r` half the time): anyone may relay the transaction the
   * client signed, and the contract checks the signature itself (`recover_key` has no
   * canonical rule), that it signs exactly one `put`/`del` of this contract authorized by the
   * signer's own account, and that it has not expired; the request id keeps it from running twice.
   */
  @action('relay')
  relay(packed: u8[], sig: Signature): void {
    const config = new TableStore<Config>(this.receiver).get(0);
    check(config != null, 'bsn:invalid: the contract does not know its chain id (setchain)');
    const signed: u8[] = config!.chainid.data.slice(0);
    for (let i = 0; i < packed.length; i++) signed.push(packed[i]);
    for (let i = 0; i < 32; i++) signed.push(0);
    const key = recoverKey(sha256(signed), sig);
    check(isK1(key), 'bsn:unauthorized: only K1 signatures are relayed');
    const signer = accountOf(key);
    const tx = new Transaction();
    check(tx.unpack(packed) == <usize>packed.length, 'bsn:invalid: trailing bytes after the relayed transaction');
    check(tx.expiration.utcSeconds > currentTimeSec(), 'bsn:conflict: the relayed transaction has expired');
    check(
      tx.delaySec.n == 0 && tx.contextFreeActions.length == 0 && tx.extention.length == 0 && tx.actions.length == 1,
      'bsn:invalid: a relayed transaction holds exactly one action',
    );
    const act = tx.actions[0];
    check(act.account == this.receiver, 'bsn:invalid: the relayed action is not for this contract');
    check(
      act.authorization.length == 1 && act.authorization[0].actor == signer && act.authorization[0].permission == Name.fromString('active'),
      'bsn:unauthorized: the signature is not by the account the relayed transaction names',
    );
    if (act.name == Name.fromString('put')) {
      const args = new PutArgs();
      check(args.unpack(act.data) == <usize>act.data.length, 'bsn:invalid: malformed put');
      check(args.sender == signer, 'bsn:unauthorized: the relayed put writes for another account');
      this.write(args.appid, args.sender, args.key, args.value, args.reqid);
    } else if (act.name == Name.fromString('del')) {
      const args = new DelArgs();
      check(args.unpack(act.data) == <usize>act.data.length, 'bsn:invalid: malformed del');
      check(args.sender == signer, 'bsn:unauthorized: the relayed del writes for another account');
      this.remove(args.appid, args.sender, args.key, args.reqid);
    } else {
      check(false, 'bsn:invalid: only put and del are relayed');
    }
  }

  private write(appid: string, sender: Name, key: string, value: u8[], reqid: string): void {
    const app = this.writable(appid, sender);
    const keyBytes = utf8(key);
    check(keyBytes.length > 0 && keyBytes.length <= MAX_KEY_BYTES, 'bsn:invalid: a key is 1-1024 bytes');
    check(value.length > 0 && value.length <= MAX_VALUE_BYTES, 'bsn:invalid: a value is 1-65536 bytes');
    const txid = getTransactionId();
    const block = currentBlockNum();
    this.record(app.id, reqid, contentOf(PUT, key, value), txid, block);
    const entries = new TableStore<Entry>(this.receiver, Name.fromU64(app.id));
    const found = this.find(app.id, key);
    if (found != null) {
      found.value = value;
      found.txid = txid;
      found.block = block;
      entries.update(found, this.receiver);
    } else {
      entries.store(new Entry(entries.availablePrimaryKey, key, value, txid, block, headOf(key)), this.receiver);
    }
    this.version(app.id, key, value, false, txid, block);
  }

  private remove(appid: string, sender: Name, key: string, reqid: string): void {
    const app = this.writable(appid, sender);
    const found = this.find(app.id, key);
    check(found != null, 'bsn:not_found: key does not exist');
    const txid = getTransactionId();
    const block = currentBlockNum();
    this.record(app.id, reqid, contentOf(DEL, key, []), txid, block);
    new TableStore<Entry>(this.receiver, Name.fromU64(app.id)).remove(found!);
    this.version(app.id, key, [], true, txid, block);
  }

  /** Sends a packet: `seq` must be the next of (this app, dstchain, dstapp), so a stale one is refused. */
  @action('emit')
  emit(
    appid: string,
    sender: Name,
    srcchain: string,
    dstchain: string,
    dstapp: string,
    seq: u64,
    method: string,
    payload: string,
    timeout: u64,
    grantref: string,
  ): void {
    requireAuth(sender);
    const app = this.emitter(appid, sender);
    check(
      srcchain.length > 0 && method.length > 0 && grantref.length > 0,
      'bsn:invalid: a packet names its source chain, method and grant',
    );
    const outbox = new TableStore<Channel>(this.receiver, Name.fromU64(app.id));
    const id = channelOf(dstchain, dstapp);
    const channel = outbox.get(id);
    const last: u64 = channel == null ? 0 : channel.seq;
    check(seq == last + 1, 'bsn:conflict: packet sequence ' + seq.toString() + ' is not the next (' + (last + 1).toString() + ')');
    check(timeout > currentTimeMs(), 'bsn:invalid: the packet has timed out already');
    if (channel == null) outbox.store(new Channel(id, dstchain, dstapp, seq), this.receiver);
    else {
      channel.seq = seq;
      outbox.update(channel, this.receiver);
    }
  }

  /** The id of `appid` in the registry, refused when an app (or a colliding one) holds it. */
  private freeId(appid: string): u64 {
    check(appid.length > 0 && appid.length <= 128, 'bsn:invalid: an app id is 1-128 characters');
    const id = idOf(utf8(appid));
    const existing = this.apps.get(id);
    if (existing != null) {
      check(existing.appid != appid, 'bsn:conflict: app ' + appid + ' exists');
      check(false, 'bsn:conflict: app id ' + appid + ' collides with app ' + existing.appid);
    }
    return id;
  }

  private members(appId: u64): TableStore<Member> {
    return new TableStore<Member>(this.receiver, Name.fromU64(appId));
  }

  private existing(appid: string): App {
    const app = this.apps.get(idOf(utf8(appid)));
    check(app != null && app.appid == appid, 'bsn:not_found: app ' + appid + ' does not exist');
    return app!;
  }

  private administered(appid: string, admin: Name): App {
    requireAuth(admin);
    const app = this.existing(appid);
    check(app.admin == admin, "bsn:unauthorized: only the app's admin may do this");
    return app;
  }

  /** The app `sender` may write: it exists, is not frozen, and `sender` is a member (authorization is the caller's). */
  private writable(appid: string, sender: Name): App {
    const app = this.existing(appid);
    check(!app.frozen, 'bsn:unauthorized: app ' + appid + ' is frozen');
    check(this.members(app.id).exists(sender.N), 'bsn:unauthorized: ' + sender.toString() + ' is not a member of app ' + appid);
    return app;
  }

  /**
   * The app `sender` may send packets from. Every app sends through this (the registry's)
   * contract, which verifiers pin; a dedicated app's state and members are read from its home.
   */
  private emitter(appid: string, sender: Name): App {
    const app = this.existing(appid);
    if (app.home == this.receiver) return this.writable(appid, sender);
    const there = new TableStore<App>(app.home).get(app.id);
    check(there != null && there.appid == appid, 'bsn:not_found: app ' + appid + ' is not in its home ' + app.home.toString());
    check(!there!.frozen, 'bsn:unauthorized: app ' + appid + ' is frozen');
    check(
      new TableStore<Member>(app.home, Name.fromU64(app.id)).exists(sender.N),
      'bsn:unauthorized: ' + sender.toString() + ' is not a member of app ' + appid,
    );
    return app;
  }

  /** The live entry of `key`: the rows sharing its head (byte order of the first 16 bytes), compared whole. */
  private find(appId: u64, key: string): Entry | null {
    const scope = Name.fromU64(appId);
    const table = new MultiIndex<Entry>(
      this.receiver,
      scope,
      Name.fromString('entries'),
      new Entry().getTableIndexes(this.receiver, scope),
    );
    const byHead = <IDX128>table.getIdxDB(0);
    const head = headOf(key);
    let it = byHead.find(head);
    while (it.isOk()) {
      const row = table.getByKey(it.primary);
      if (row == null || row.head != head) break;
      if (row.key == key) return row;
      it = byHead.next(it);
    }
    return null;
  }

  private record(appId: u64, reqid: string, content: Checksum256, txid: Checksum256, block: u32): void {
    check(reqid.length > 0 && reqid.length <= 128, 'bsn:invalid: a request id is 1-128 characters');
    const requests = new TableStore<Request>(this.receiver, Name.fromU64(appId));
    const id = idOf(utf8(reqid));
    const earlier = requests.get(id);
    if (earlier != null) {
      check(
        earlier.reqid != reqid,
        earlier.content == content
          ? 'bsn:duplicate: request ' + reqid + ' was executed'
          : 'bsn:conflict: request id ' + reqid + ' was used with other content',
      );
      check(false, 'bsn:conflict: request id ' + reqid + ' collides with request ' + earlier.reqid);
    }
    requests.store(new Request(id, reqid, content, txid, block), this.receiver);
  }

  private version(appId: u64, key: string, value: u8[], deleted: boolean, txid: Checksum256, block: u32): void {
    const versions = new TableStore<Version>(this.receiver, Name.fromU64(appId));
    versions.store(
      new Version(versions.availablePrimaryKey, key, value, deleted, txid, block, currentTimeMs(), headOf(key)),
      this.receiver,
    );
  }
}
