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
import { DeliveryConfig, Grant, InterchainBlock, PacketReceipt, SentPacket } from './bsn-kv.delivery.tables';
import { accountOf, isK1, PutArgs, DelArgs } from './bsn-kv.relay';
import { idOf, utf8, headOf, contentOf, channelOf } from './bsn-kv.hashes';
import { Packet, checkPacket, commitmentOf, packetIdOf, ackCommitmentOf, isChainName, isId, isMethod } from './bsn-kv.packet';
import { requireAttested, PACKET, ACK, TIMEOUT } from './bsn-kv.attest';
import { decodeBase64, encodeBase64, isUtf8 } from './bsn-kv.base64';

const PUT: u8 = 1;
const DEL: u8 = 2;
/** The adapter's limits (src/limits.ts); checked here too, since anyone may call the contract. */
const MAX_KEY_BYTES = 1024;
const MAX_VALUE_BYTES = 65536;
/** Receipt states (target) and sent-packet states (source). */
const DELIVERED: u8 = 1;
const RECORDED_TIMEOUT: u8 = 2;
const SENT: u8 = 1;
const ACKNOWLEDGED: u8 = 2;
const CLOSED: u8 = 3;
const ATTESTER_KEY_BYTES = 65;
const MAX_ATTESTERS = 32;
const CALLABLE: string[] = ['kv.put', 'kv.get', 'kv.delete'];

/** How a packet's call ended on the target: an ack status and the call's result. */
class CallResult {
  constructor(
    public status: string,
    public value: u8[] = [],
  ) {}
}

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
    this.record(app.id, reqid, contentOf(PUT, key, value), getTransactionId(), currentBlockNum());
    this.store(app.id, key, value);
  }

  /** Sets `key` in the app's store and appends the write to its history. */
  private store(appId: u64, key: string, value: u8[]): void {
    const txid = getTransactionId();
    const block = currentBlockNum();
    const entries = new TableStore<Entry>(this.receiver, Name.fromU64(appId));
    const found = this.find(appId, key);
    if (found != null) {
      found.value = value;
      found.txid = txid;
      found.block = block;
      entries.update(found, this.receiver);
    } else {
      entries.store(new Entry(entries.availablePrimaryKey, key, value, txid, block, headOf(key)), this.receiver);
    }
    this.version(appId, key, value, false, txid, block);
  }

  /** Removes a live entry and appends the deletion to the key's history. */
  private erase(appId: u64, found: Entry): void {
    new TableStore<Entry>(this.receiver, Name.fromU64(appId)).remove(found);
    this.version(appId, found.key, [], true, getTransactionId(), currentBlockNum());
  }

  private remove(appid: string, sender: Name, key: string, reqid: string): void {
    const app = this.writable(appid, sender);
    const found = this.find(app.id, key);
    check(found != null, 'bsn:not_found: key does not exist');
    this.record(app.id, reqid, contentOf(DEL, key, []), getTransactionId(), currentBlockNum());
    this.erase(app.id, found!);
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
    const packet = new Packet(srcchain, appid, dstchain, dstapp, seq, method, payload, timeout, grantref);
    checkPacket(packet);
    const config = new TableStore<DeliveryConfig>(this.receiver).get(0);
    if (config != null) check(srcchain == config.chain, 'bsn:invalid: /packet/srcChain is not this chain (' + config.chain + ')');
    const grant = this.grantOf(app.id, 'outgoing', dstchain, dstapp);
    check(
      grant != null && grant.ref == grantref && this.grantAllows(grant, method),
      'bsn:unauthorized: app ' + appid + ' holds no valid outgoing grant ' + grantref + ' to ' + dstchain + '/' + dstapp + ' for ' + method,
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
    const pid = packetIdOf(packet);
    const sent = new TableStore<SentPacket>(this.receiver);
    check(!sent.exists(idOf(pid.data)), 'bsn:conflict: packet id collides with a packet sent earlier');
    sent.store(
      new SentPacket(idOf(pid.data), pid, commitmentOf(packet), appid, SENT, new Checksum256(), getTransactionId()),
      this.receiver,
    );
    this.marked(appid);
  }

  /**
   * The operator (the contract account) pins the attesters deliveries count, and names this chain
   * the first time; the name never changes, so packets attested for it stay its own.
   */
  @action('configure')
  configure(chain: string, keys: u8[], threshold: u32): void {
    requireAuth(this.receiver);
    check(isChainName(chain), 'bsn:invalid: /chain is not a chain name');
    check(keys.length > 0 && keys.length % ATTESTER_KEY_BYTES == 0, 'bsn:invalid: /publicKeys: no attesters pinned');
    const m = keys.length / ATTESTER_KEY_BYTES;
    check(m <= MAX_ATTESTERS, 'bsn:invalid: /publicKeys: more than 32 attesters');
    for (let k = 0; k < m; k++) {
      check(keys[k * ATTESTER_KEY_BYTES] == 4, 'bsn:invalid: /publicKeys/' + k.toString() + ' is not an uncompressed secp256k1 key');
      for (let j = 0; j < k; j++) {
        let same = true;
        for (let i = 0; i < ATTESTER_KEY_BYTES && same; i++) same = keys[k * ATTESTER_KEY_BYTES + i] == keys[j * ATTESTER_KEY_BYTES + i];
        check(!same, 'bsn:invalid: /publicKeys/' + k.toString() + ' is pinned twice');
      }
    }
    check(threshold >= 1 && <i32>threshold <= m && <i32>threshold * 2 > m, 'bsn:invalid: /threshold is not a majority within 1..M');
    const table = new TableStore<DeliveryConfig>(this.receiver);
    const current = table.get(0);
    if (current != null)
      check(current.chain == chain, 'bsn:conflict: this chain is named ' + current.chain + ', and its name never changes');
    table.set(new DeliveryConfig(0, chain, threshold, keys), this.receiver);
  }

  /** The app's admin writes one side of a grant; packets never reach this action (it is no packet method). */
  @action('setgrant')
  setgrant(
    appid: string,
    admin: Name,
    direction: string,
    peerchain: string,
    peerapp: string,
    ref: string,
    methods: string[],
    expires: u64,
    revoked: boolean,
  ): void {
    const app = this.administered(appid, admin);
    check(direction == 'outgoing' || direction == 'incoming', 'bsn:invalid: /direction is outgoing or incoming');
    check(isChainName(peerchain), 'bsn:invalid: /peerChain is not a chain name');
    check(isId(peerapp), 'bsn:invalid: /peerApp is not an app id');
    check(isId(ref), 'bsn:invalid: /ref is not a grant id');
    check(methods.length > 0 && methods.length <= 32, 'bsn:invalid: /methods: 1 to 32 methods');
    let joined = '';
    for (let i = 0; i < methods.length; i++) {
      check(isMethod(methods[i]), 'bsn:invalid: /methods/' + i.toString() + ' is not a method name');
      joined += (i > 0 ? ',' : '') + methods[i];
    }
    const grants = new TableStore<Grant>(this.receiver, Name.fromU64(app.id));
    const id = idOf(utf8(direction + '\n' + peerchain + '\n' + peerapp));
    const row = new Grant(id, direction, peerchain, peerapp, ref, joined, expires, revoked);
    const existing = grants.get(id);
    if (existing == null) grants.store(row, this.receiver);
    else {
      check(
        existing.direction == direction && existing.peerchain == peerchain && existing.peerapp == peerapp,
        'bsn:conflict: grant id collides with the grant to ' + existing.peerchain + '/' + existing.peerapp,
      );
      grants.update(row, this.receiver);
    }
  }

  /**
   * Target: executes an attested packet on its app exactly once and writes its ack, all in this
   * action (docs/interchain-delivery.md, "The target", steps 1-7 in that order). The deliverer
   * supplies the ack it expects and the action refuses any other: so the transaction's own bytes
   * carry the ack the chain wrote, which is what ack evidence proves.
   */
  @action('deliver')
  deliver(
    srcchain: string,
    srcapp: string,
    dstchain: string,
    dstapp: string,
    seq: u64,
    method: string,
    payload: string,
    timeout: u64,
    grantref: string,
    sigs: u8[],
    ackstatus: string,
    ackresult: string,
  ): void {
    const packet = new Packet(srcchain, srcapp, dstchain, dstapp, seq, method, payload, timeout, grantref);
    this.targetChecks(packet, sigs);
    const app = this.existing(dstapp);
    check(app.home == this.receiver, 'bsn:conflict: app ' + dstapp + ' is dedicated: packets reach apps of the shared contract only');
    check(!app.frozen, 'bsn:conflict: app ' + dstapp + ' is frozen');
    const pid = this.noReceipt(packet);
    check(currentTimeMs() < timeout, 'bsn:conflict: the packet timed out at ' + timeout.toString());
    check(CALLABLE.includes(method), 'bsn:invalid: unregistered method ' + method);
    const grant = this.grantOf(app.id, 'incoming', srcchain, srcapp);
    check(
      grant != null && this.grantAllows(grant, method),
      'bsn:unauthorized: app ' + dstapp + ' holds no valid incoming grant from ' + srcchain + '/' + srcapp + ' for ' + method,
    );
    const result = this.execute(app.id, packet);
    const resultText = encodeBase64(result.value);
    check(
      result.status == ackstatus && resultText == ackresult,
      'bsn:ack: the call answers ' + result.status + ', not the ' + ackstatus + ' the deliverer expected',
    );
    new TableStore<PacketReceipt>(this.receiver).store(
      new PacketReceipt(idOf(pid.data), pid, DELIVERED, ackCommitmentOf(packet, ackstatus, ackresult), getTransactionId()),
      this.receiver,
    );
    this.marked(dstapp);
  }

  /** Target: an attested packet past its timeout and never delivered is recorded as timed out, so it never will be. */
  @action('rectimeout')
  rectimeout(
    srcchain: string,
    srcapp: string,
    dstchain: string,
    dstapp: string,
    seq: u64,
    method: string,
    payload: string,
    timeout: u64,
    grantref: string,
    sigs: u8[],
  ): void {
    const packet = new Packet(srcchain, srcapp, dstchain, dstapp, seq, method, payload, timeout, grantref);
    this.targetChecks(packet, sigs);
    const pid = this.noReceipt(packet);
    check(currentTimeMs() >= timeout, 'bsn:conflict: the packet has not timed out yet (timeout ' + timeout.toString() + ')');
    new TableStore<PacketReceipt>(this.receiver).store(
      new PacketReceipt(idOf(pid.data), pid, RECORDED_TIMEOUT, new Checksum256(), getTransactionId()),
      this.receiver,
    );
    this.marked(dstapp);
  }

  /** Source: records the attested ack of a packet it sent, once. */
  @action('acknowledge')
  acknowledge(
    srcchain: string,
    srcapp: string,
    dstchain: string,
    dstapp: string,
    seq: u64,
    method: string,
    payload: string,
    timeout: u64,
    grantref: string,
    ackstatus: string,
    ackresult: string,
    sigs: u8[],
  ): void {
    const packet = new Packet(srcchain, srcapp, dstchain, dstapp, seq, method, payload, timeout, grantref);
    const config = this.sourceChecks(packet);
    const row = this.sentOpen(packet);
    const commitment = ackCommitmentOf(packet, ackstatus, ackresult);
    requireAttested(config, ACK, commitment, sigs, 'ack');
    row.state = ACKNOWLEDGED;
    row.ackcommit = commitment;
    row.txid = getTransactionId();
    new TableStore<SentPacket>(this.receiver).update(row, this.receiver);
    this.marked(srcapp);
  }

  /** Source: closes a packet it sent as timed out, on an attested timeout record from its target. */
  @action('closetimeout')
  closetimeout(
    srcchain: string,
    srcapp: string,
    dstchain: string,
    dstapp: string,
    seq: u64,
    method: string,
    payload: string,
    timeout: u64,
    grantref: string,
    sigs: u8[],
  ): void {
    const packet = new Packet(srcchain, srcapp, dstchain, dstapp, seq, method, payload, timeout, grantref);
    const config = this.sourceChecks(packet);
    const row = this.sentOpen(packet);
    requireAttested(config, TIMEOUT, row.commitment, sigs, 'timeout');
    row.state = CLOSED;
    row.txid = getTransactionId();
    new TableStore<SentPacket>(this.receiver).update(row, this.receiver);
    this.marked(srcapp);
  }

  /** Notes that `appid` has `packet.*` events in this block (its event stream reads these blocks' traces). */
  private marked(appid: string): void {
    const blocks = new TableStore<InterchainBlock>(this.receiver, Name.fromU64(idOf(utf8(appid))));
    const block = <u64>currentBlockNum();
    if (!blocks.exists(block)) blocks.store(new InterchainBlock(block), this.receiver);
  }

  private deliveryConfig(): DeliveryConfig {
    const config = new TableStore<DeliveryConfig>(this.receiver).get(0);
    check(config != null, 'bsn:unauthorized: attestations below threshold: delivery is not configured (no attesters pinned)');
    return config!;
  }

  /** Steps 1 and 2 on the target: well-formed, for this chain, attested by t pinned attesters. */
  private targetChecks(packet: Packet, sigs: u8[]): DeliveryConfig {
    checkPacket(packet);
    const config = this.deliveryConfig();
    check(
      packet.dstchain == config.chain,
      'bsn:invalid: /packet/dstChain ' + packet.dstchain + ' is not this chain (' + config.chain + ')',
    );
    requireAttested(config, PACKET, commitmentOf(packet), sigs, 'packet');
    return config;
  }

  private sourceChecks(packet: Packet): DeliveryConfig {
    checkPacket(packet);
    return this.deliveryConfig();
  }

  /** Step 4: no receipt for the packet id yet. Returns the id. */
  private noReceipt(packet: Packet): Checksum256 {
    const pid = packetIdOf(packet);
    const earlier = new TableStore<PacketReceipt>(this.receiver).get(idOf(pid.data));
    if (earlier != null) {
      check(
        earlier.packetid != pid,
        earlier.state == DELIVERED ? 'bsn:conflict: packet already delivered' : 'bsn:conflict: packet timed out',
      );
      check(false, 'bsn:conflict: packet id collides with a packet recorded earlier');
    }
    return pid;
  }

  /** The source's record of `packet`: sent from here with this very commitment, and still open. */
  private sentOpen(packet: Packet): SentPacket {
    const pid = packetIdOf(packet);
    const row = new TableStore<SentPacket>(this.receiver).get(idOf(pid.data));
    check(row != null && row.packetid == pid, 'bsn:not_found: no packet with this id was sent from this chain');
    check(row!.commitment == commitmentOf(packet), 'bsn:invalid: the packet is not the one sent (its commitment differs)');
    check(
      row!.state == SENT,
      row!.state == ACKNOWLEDGED ? 'bsn:conflict: packet already acknowledged' : 'bsn:conflict: packet already closed as timed out',
    );
    return row!;
  }

  private grantOf(appId: u64, direction: string, peerchain: string, peerapp: string): Grant | null {
    const id = idOf(utf8(direction + '\n' + peerchain + '\n' + peerapp));
    const grant = new TableStore<Grant>(this.receiver, Name.fromU64(appId)).get(id);
    if (grant == null || grant.direction != direction || grant.peerchain != peerchain || grant.peerapp != peerapp) return null;
    return grant;
  }

  /** Not revoked, not expired by the chain's clock, and `method` listed. */
  private grantAllows(grant: Grant, method: string): bool {
    if (grant.revoked) return false;
    if (grant.expires != 0 && currentTimeMs() >= grant.expires) return false;
    return grant.methods.split(',').includes(method);
  }

  /**
   * A packet's call on the app's store, as the preset contract answers it: a malformed payload or
   * key is INVALID_INPUT, a missing key NOT_FOUND. Decided before anything is written, so an error
   * ack leaves the store as it was.
   */
  private execute(appId: u64, packet: Packet): CallResult {
    const bytes = decodeBase64(packet.payload);
    if (bytes == null) return new CallResult('INVALID_INPUT');
    let keyBytes = bytes;
    let value: u8[] = [];
    if (packet.method == 'kv.put') {
      if (bytes.length < 2) return new CallResult('INVALID_INPUT');
      const n = ((<i32>bytes[0]) << 8) | (<i32>bytes[1]);
      if (bytes.length < 2 + n) return new CallResult('INVALID_INPUT');
      keyBytes = bytes.slice(2, 2 + n);
      value = bytes.slice(2 + n);
      if (value.length < 1 || value.length > MAX_VALUE_BYTES) return new CallResult('INVALID_INPUT');
    }
    if (keyBytes.length < 1 || keyBytes.length > MAX_KEY_BYTES || keyBytes.includes(<u8>0) || !isUtf8(keyBytes))
      return new CallResult('INVALID_INPUT');
    const key = String.UTF8.decodeUnsafe(keyBytes.dataStart, keyBytes.length);
    if (packet.method == 'kv.put') {
      this.store(appId, key, value);
      return new CallResult('OK');
    }
    const found = this.find(appId, key);
    if (found == null) return new CallResult('NOT_FOUND');
    if (packet.method == 'kv.get') return new CallResult('OK', found.value);
    this.erase(appId, found);
    return new CallResult('OK');
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
