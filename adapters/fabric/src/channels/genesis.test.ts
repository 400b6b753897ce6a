import { createHash } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import { describe, expect, test } from 'vitest';
import { genesisBlock } from './genesis.js';
import { dedicatedChannelName } from './names.js';

function sharedConfig(sequence: number): Uint8Array {
  const group = new common.ConfigGroup();
  group.setModPolicy('Admins');
  const config = new common.Config();
  config.setSequence(sequence);
  config.setChannelGroup(group);
  return config.serializeBinary();
}

describe('dedicated channel names', () => {
  test('any app id maps to one valid Fabric channel name', () => {
    for (const id of ['a', 'App.With:Mixed_Case-1', 'x'.repeat(128)]) {
      const name = dedicatedChannelName(id);
      expect(name).toMatch(/^[a-z][a-z0-9.-]{0,248}$/);
      expect(dedicatedChannelName(id)).toBe(name);
    }
    expect(dedicatedChannelName('a')).not.toBe(dedicatedChannelName('A'));
  });
});

describe('genesis block of a dedicated channel', () => {
  test('block 0: one unsigned CONFIG envelope for the new channel at sequence 0, data hash over it, orderer metadata', () => {
    const bytes = genesisBlock('app-x', sharedConfig(7));
    const block = common.Block.deserializeBinary(bytes);
    expect(block.getHeader()!.getNumber()).toBe(0);
    expect(block.getHeader()!.getPreviousHash_asU8()).toHaveLength(0);
    const data = block.getData()!.getDataList_asU8();
    expect(data).toHaveLength(1);
    expect(Buffer.from(block.getHeader()!.getDataHash_asU8())).toEqual(createHash('sha256').update(data[0]!).digest());

    const envelope = common.Envelope.deserializeBinary(data[0]!);
    expect(envelope.getSignature_asU8()).toHaveLength(0);
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const channelHeader = common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8());
    expect(channelHeader.getType()).toBe(common.HeaderType.CONFIG);
    expect(channelHeader.getChannelId()).toBe('app-x');
    const signatureHeader = common.SignatureHeader.deserializeBinary(payload.getHeader()!.getSignatureHeader_asU8());
    expect(channelHeader.getTxId()).toBe(createHash('sha256').update(signatureHeader.getNonce_asU8()).digest('hex'));
    const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig()!;
    expect(config.getSequence()).toBe(0);
    expect(config.getChannelGroup()!.getModPolicy()).toBe('Admins');

    const metadata = block.getMetadata()!.getMetadataList_asU8();
    expect(metadata).toHaveLength(5);
    const signatures = common.Metadata.deserializeBinary(metadata[common.BlockMetadataIndex.SIGNATURES]!);
    expect(signatures.getSignaturesList()).toHaveLength(0);
    expect(common.OrdererBlockMetadata.deserializeBinary(signatures.getValue_asU8()).getLastConfig()!.getIndex()).toBe(0);
  });

  test('a pure function of channel and config (a retry rebuilds the block the orderer holds), distinct per channel', () => {
    expect(Buffer.from(genesisBlock('app-x', sharedConfig(3)))).toEqual(Buffer.from(genesisBlock('app-x', sharedConfig(3))));
    expect(Buffer.from(genesisBlock('app-x', sharedConfig(3)))).not.toEqual(Buffer.from(genesisBlock('app-y', sharedConfig(3))));
  });
});
