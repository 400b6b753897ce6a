import type { FabricChaincodeSpec } from './chaincode.js';

/**
 * What every Fabric devnet lets a caller configure before `start()`, whether its nodes run
 * as processes or in containers.
 */
export abstract class FabricNetworkBuilder {
  protected channel = 'bsnchannel';
  protected chaincodes: FabricChaincodeSpec[] | undefined;
  protected batchTimeoutMs = 250;

  withChannel(name: string): this {
    if (!/^[a-z][a-z0-9.-]{0,248}$/.test(name)) throw new Error(`invalid Fabric channel name "${name}"`);
    this.channel = name;
    return this;
  }

  /** Deploys this chaincode (may be called more than once). Without any, the test chaincode is deployed. */
  withChaincode(spec: FabricChaincodeSpec): this {
    (this.chaincodes ??= []).push(spec);
    return this;
  }

  /** Starts with no chaincode committed (an adapter deploys its own). */
  withoutChaincode(): this {
    this.chaincodes = [];
    return this;
  }

  /** How long the orderer waits before cutting a block that is not full (default 250 ms). */
  withBatchTimeout(ms: number): this {
    this.batchTimeoutMs = ms;
    return this;
  }
}
