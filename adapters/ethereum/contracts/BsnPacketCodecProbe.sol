// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {BsnPacketCall} from "./BsnPacketCall.sol";
import {BsnPacketCodec} from "./BsnPacketCodec.sol";

/// @title BsnPacketCodecProbe
/// @notice The codec's functions as views, so the adapter's tests compare what the chain rebuilds
/// with what core computes (and anyone can check a deployed codec the same way). Holds no state.
contract BsnPacketCodecProbe {
    function commitmentOf(BsnPacketCodec.Packet calldata p) external pure returns (bytes32 commitment, bytes32 id) {
        BsnPacketCodec.check(p);
        return (BsnPacketCodec.commitment(p), BsnPacketCodec.id(p));
    }

    function ackCommitmentOf(bytes32 packetId, bytes32 packetCommitment, string calldata status, bytes calldata result)
        external
        pure
        returns (bytes32)
    {
        return BsnPacketCodec.ackCommitment(packetId, packetCommitment, status, result);
    }

    function signerOf(uint8 kind, bytes32 commitment, bytes calldata sig) external pure returns (address) {
        bytes32 digest = BsnPacketCodec.attestationDigest(kind, commitment);
        return ecrecover(digest, uint8(sig[64]), bytes32(sig[0:32]), bytes32(sig[32:64]));
    }

    function isUtf8(bytes calldata b) external pure returns (bool) {
        return BsnPacketCall.isUtf8(b);
    }
}
