import { sha256 } from '../sha256.js';
import { common } from '@hyperledger/fabric-protos';

/** Version of the CONFIG envelope Fabric's own genesis blocks carry. */
const CONFIG_MESSAGE_VERSION = 1;
/** SIGNATURES, LAST_CONFIG, TRANSACTIONS_FILTER, ORDERER, COMMIT_HASH: a block's metadata slots. */
const METADATA_SLOTS = 5;

/**
 * Block 0 of a new channel whose configuration is `config` (a channel's `common.Config`, e.g.
 * the shared channel's as cscc `GetChannelConfig` returns it): the same orgs, policies,
 * capabilities, orderer and consenters, under another channel id, as sequence 0.
 *
 * The block is a pure function of (channel, config): the nonce is derived from the channel id
 * and there is no timestamp. That is what makes a failed create retryable: a retry that finds
 * the orderer already on the channel but no peer joined yet rebuilds the very block the
 * orderer holds (as long as the shared channel's config did not change in between; when a peer
 * has joined, the retry takes block 0 from that peer instead).
 *
 * Shape (what an orderer's join and a peer's JoinChain validate): one unsigned CONFIG envelope
 * (channel header CONFIG, no creator), the header's data hash over it, and the metadata an
 * orderer writes on its first block: SIGNATURES holding OrdererBlockMetadata{last_config 0}
 * with no signature, LAST_CONFIG holding LastConfig{0}, the other slots empty.
 */
export function genesisBlock(channel: string, configBytes: Uint8Array): Uint8Array {
  const config = common.Config.deserializeBinary(configBytes);
  config.setSequence(0);
  const envelopeData = new common.ConfigEnvelope();
  envelopeData.setConfig(config);

  const nonce = sha256(Buffer.from(`bsn:fabric:genesis:v1\n${channel}`, 'utf8')).subarray(0, 24);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.CONFIG);
  channelHeader.setVersion(CONFIG_MESSAGE_VERSION);
  channelHeader.setChannelId(channel);
  channelHeader.setEpoch(0);
  channelHeader.setTxId(sha256(nonce).toString('hex')); // SHA-256(nonce ‖ creator), creator empty
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setNonce(nonce);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(envelopeData.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  const envelopeBytes = envelope.serializeBinary();

  const data = new common.BlockData();
  data.setDataList([envelopeBytes]);
  const blockHeader = new common.BlockHeader();
  blockHeader.setNumber(0);
  blockHeader.setDataHash(sha256(envelopeBytes)); // Fabric 2.x: SHA-256 over the concatenated data entries

  const lastConfig = new common.LastConfig();
  lastConfig.setIndex(0);
  const ordererMetadata = new common.OrdererBlockMetadata();
  ordererMetadata.setLastConfig(lastConfig);
  const signatures = new common.Metadata();
  signatures.setValue(ordererMetadata.serializeBinary());
  const lastConfigSlot = new common.Metadata();
  lastConfigSlot.setValue(lastConfig.serializeBinary());
  const slots: Uint8Array[] = Array.from({ length: METADATA_SLOTS }, () => new Uint8Array());
  slots[common.BlockMetadataIndex.SIGNATURES] = signatures.serializeBinary();
  slots[common.BlockMetadataIndex.LAST_CONFIG] = lastConfigSlot.serializeBinary();
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList(slots);

  const block = new common.Block();
  block.setHeader(blockHeader);
  block.setData(data);
  block.setMetadata(metadata);
  return block.serializeBinary();
}
