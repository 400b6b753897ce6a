import { createPrivateKey } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import type { CertAndKey } from '../config.js';
import { serviceSigner } from '../signer-bridge.js';

/** An MSP identity with its key, as a creator of proposals and envelopes Fabric checks. */
export interface SigningIdentity {
  mspId: string;
  certificate: string;
  /** `msp.SerializedIdentity` bytes: what a signature header names as creator. */
  creator: Uint8Array;
  /** A DER, low-S ECDSA signature over SHA-256(message), as Fabric's MSP verifies it. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export function signingIdentity(mspId: string, material: CertAndKey): SigningIdentity {
  const key = serviceSigner(createPrivateKey(material.privateKey));
  const id = new msp.SerializedIdentity();
  id.setMspid(mspId);
  id.setIdBytes(Buffer.from(material.certificate));
  return {
    mspId,
    certificate: material.certificate,
    creator: id.serializeBinary(),
    sign: (message) => key.signer(key.hash(message)),
  };
}
