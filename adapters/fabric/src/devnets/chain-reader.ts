/**
 * A `ChainReader` for a Fabric network: the peer's own system chaincode (qscc) queried through
 * a Gateway connection of the first org's client user, blocks decoded here with the protobuf
 * definitions — none of the adapter's code. The conformance suite checks the adapter's receipts,
 * blocks, validity and times against it.
 */
import { createHash } from 'node:crypto';
import type { ChainBlock, ChainReader } from '@bsn/contract';
import { common, peer } from '@hyperledger/fabric-protos';
import { openGateway } from './gateway-probe.js';
import type { FabricNetworkConfig } from './network-config.js';

/** DER length octets. */
function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** Fabric's block hash: SHA-256 over DER `SEQUENCE { INTEGER number, OCTET STRING previousHash, OCTET STRING dataHash }`, hex. */
function headerHash(header: common.BlockHeader): string {
  let n = BigInt(header.getNumber());
  const number: number[] = [];
  do {
    number.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (n > 0n);
  if (number[0]! & 0x80) number.unshift(0); // INTEGER is signed: keep it positive
  const octets = (b: Uint8Array) => [0x04, ...derLength(b.length), ...b];
  const body = [
    0x02,
    ...derLength(number.length),
    ...number,
    ...octets(header.getPreviousHash_asU8()),
    ...octets(header.getDataHash_asU8()),
  ];
  return createHash('sha256')
    .update(Uint8Array.from([0x30, ...derLength(body.length), ...body]))
    .digest('hex');
}

/** The channel header of an envelope: its tx id and time. */
function channelHeaderOf(envelopeBytes: Uint8Array): common.ChannelHeader {
  const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
  return common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8());
}

const millis = (header: common.ChannelHeader) => {
  const ts = header.getTimestamp();
  return ts ? ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1e6) : 0;
};

export function fabricChainReader(network: FabricNetworkConfig): ChainReader {
  const org = network.organizations[0];
  if (!org) throw new Error('the network config names no organization');
  const { gateway, close } = openGateway(org);
  const qscc = gateway.getNetwork(network.channel).getContract('qscc');
  const query = (fn: string, ...args: string[]) => qscc.evaluateTransaction(fn, network.channel, ...args);
  const notFound = (error: unknown) =>
    /not found|no such|entry not found|index/i.test(
      String((error as Error).message ?? error) + JSON.stringify((error as { details?: unknown }).details ?? ''),
    );
  return {
    source: `qscc on ${org.peers[0]?.endpoint} (${network.channel})`,
    async head() {
      return common.BlockchainInfo.deserializeBinary(await query('GetChainInfo')).getHeight() - 1;
    },
    async block(number: number): Promise<ChainBlock | undefined> {
      let bytes: Uint8Array;
      try {
        bytes = await query('GetBlockByNumber', String(number));
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
      const block = common.Block.deserializeBinary(bytes);
      const headers = block.getData()!.getDataList_asU8().map(channelHeaderOf);
      return {
        number: block.getHeader()!.getNumber(),
        hash: headerHash(block.getHeader()!),
        timestampMs: headers[0] ? millis(headers[0]) : 0,
        txIds: headers.map((h) => h.getTxId()).filter((id) => id !== ''),
      };
    },
    async transaction(txId: string) {
      let processed: peer.ProcessedTransaction;
      let block: common.Block;
      try {
        processed = peer.ProcessedTransaction.deserializeBinary(await query('GetTransactionByID', txId));
        block = common.Block.deserializeBinary(await query('GetBlockByTxID', txId));
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
      const envelope = processed.getTransactionenvelope()!;
      return {
        block: block.getHeader()!.getNumber(),
        valid: processed.getValidationcode() === peer.TxValidationCode.VALID,
        timestampMs: millis(channelHeaderOf(envelope.serializeBinary())),
      };
    },
    async close() {
      close();
    },
  };
}
