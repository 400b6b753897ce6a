/**
 * What a relayed user-key write holds: the transaction the client signed (one `put` or `del`
 * of this contract, authorized by the client's own account) and how its signer's account is
 * named from the key (adapters/eos/src/accounts.ts derives the same name).
 */
import { Name, PublicKey, PublicKeyType, EMPTY_NAME, Packer, Decoder, sha256 } from 'proton-tsc';
import { utf8 } from './bsn-kv.hashes';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz12345';

/** The account of a K1 key: twelve characters of SHA-256("bsn/eos/account/v1\nsecp256k1\n" ‖ compressed key). */
export function accountOf(key: PublicKey): Name {
  const bytes = utf8('bsn/eos/account/v1\nsecp256k1\n');
  const point = key.k1!.data!;
  for (let i = 0; i < point.length; i++) bytes.push(point[i]);
  const digest = sha256(bytes).data;
  let n: u64 = 0;
  for (let i = 0; i < 8; i++) n = (n << 8) | (<u64>digest[i]);
  let name = '';
  for (let i = 0; i < 12; i++) {
    name += ALPHABET.charAt(<i32>(n % 31));
    n /= 31;
  }
  return Name.fromString(name);
}

export function isK1(key: PublicKey): boolean {
  return key.keyType == PublicKeyType.K1;
}

/** The arguments of `put`, as they travel in a relayed transaction. */
export class PutArgs implements Packer {
  appid: string = '';
  sender: Name = EMPTY_NAME;
  key: string = '';
  value: u8[] = [];
  reqid: string = '';

  pack(): u8[] {
    return [];
  }

  unpack(data: u8[]): usize {
    const dec = new Decoder(data);
    this.appid = dec.unpackString();
    this.sender = new Name(dec.unpackNumber<u64>());
    this.key = dec.unpackString();
    this.value = dec.unpackNumberArray<u8>();
    this.reqid = dec.unpackString();
    return dec.getPos();
  }

  getSize(): usize {
    return 0;
  }
}

/** The arguments of `del`, as they travel in a relayed transaction. */
export class DelArgs implements Packer {
  appid: string = '';
  sender: Name = EMPTY_NAME;
  key: string = '';
  reqid: string = '';

  pack(): u8[] {
    return [];
  }

  unpack(data: u8[]): usize {
    const dec = new Decoder(data);
    this.appid = dec.unpackString();
    this.sender = new Name(dec.unpackNumber<u64>());
    this.key = dec.unpackString();
    this.reqid = dec.unpackString();
    return dec.getPos();
  }

  getSize(): usize {
    return 0;
  }
}
