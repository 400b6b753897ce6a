// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title BsnPacketCodec
/// @notice Rebuilds on chain, byte for byte, what core signs and stores for interchain delivery
/// (docs/interchain-delivery.md): the packet commitment and id, the ack commitment and the
/// attestation digest. Core hashes RFC 8785 JSON; every string field is confined to an alphabet
/// JSON never escapes, so the JSON is built here by concatenation — after each field was checked
/// against its alphabet, or a quote in a field would let two packets share one commitment.
library BsnPacketCodec {
    /// @notice A packet as core spells it (`v` is always 1); the payload as raw bytes (base64 in JSON).
    struct Packet {
        string srcChain;
        string srcApp;
        string dstChain;
        string dstApp;
        uint64 seq;
        string method;
        bytes payload;
        uint64 timeout;
        string grantRef;
    }

    /// @param field JSON pointer of the offending input, e.g. "/packet/dstApp".
    error InvalidInput(string field, string reason);

    uint256 internal constant MAX_SAFE_INTEGER = 2 ** 53 - 1;
    uint256 internal constant MAX_PAYLOAD_BYTES = 65536;

    /// @dev Every rule core's checkPacket applies, in the alphabets the spec lists.
    function check(Packet calldata p) internal pure {
        checkChain(p.srcChain, "/packet/srcChain");
        checkChain(p.dstChain, "/packet/dstChain");
        checkId(p.srcApp, "/packet/srcApp");
        checkId(p.dstApp, "/packet/dstApp");
        checkMethod(p.method, "/packet/method");
        checkId(p.grantRef, "/packet/grantRef");
        if (p.seq < 1 || p.seq > MAX_SAFE_INTEGER) revert InvalidInput("/packet/seq", "must be 1..2^53-1");
        if (p.timeout < 1 || p.timeout > MAX_SAFE_INTEGER) revert InvalidInput("/packet/timeout", "must be 1..2^53-1");
        if (p.payload.length > MAX_PAYLOAD_BYTES) revert InvalidInput("/packet/payload", "payload too large");
    }

    /// @dev ^[a-z0-9][a-z0-9._-]{0,63}$
    function checkChain(string calldata s, string memory field) internal pure {
        bytes calldata b = bytes(s);
        if (b.length == 0 || b.length > 64) revert InvalidInput(field, "chain name must be 1-64 characters");
        for (uint256 i = 0; i < b.length; i++) {
            bytes1 c = b[i];
            bool ok = (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || (i > 0 && (c == "." || c == "_" || c == "-"));
            if (!ok) revert InvalidInput(field, "chain name may hold only [a-z0-9._-], starting [a-z0-9]");
        }
    }

    /// @dev ^[A-Za-z0-9._:-]{1,128}$
    function checkId(string calldata s, string memory field) internal pure {
        bytes calldata b = bytes(s);
        if (b.length == 0 || b.length > 128) revert InvalidInput(field, "must be 1-128 characters");
        for (uint256 i = 0; i < b.length; i++) {
            bytes1 c = b[i];
            bool ok = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "." || c == "_"
                || c == ":" || c == "-";
            if (!ok) revert InvalidInput(field, "may hold only [A-Za-z0-9._:-]");
        }
    }

    /// @dev ^[A-Za-z_][A-Za-z0-9_.]{0,63}$
    function checkMethod(string calldata s, string memory field) internal pure {
        bytes calldata b = bytes(s);
        if (b.length == 0 || b.length > 64) revert InvalidInput(field, "must be 1-64 characters");
        for (uint256 i = 0; i < b.length; i++) {
            bytes1 c = b[i];
            bool ok = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || (i > 0 && ((c >= "0" && c <= "9") || c == "."));
            if (!ok) revert InvalidInput(field, "must be an identifier [A-Za-z_][A-Za-z0-9_.]*");
        }
    }

    /// @notice core `packetCommitment()`: SHA-256("bsn:packet-commitment:v1\n" ‖ RFC 8785 JSON of the packet).
    function commitment(Packet memory p) internal pure returns (bytes32) {
        return commitmentOfJson(json(p));
    }

    /// @notice The packet's RFC 8785 JSON (fields checked first, see `check`): what `packet.sent` carries.
    function json(Packet memory p) internal pure returns (bytes memory) {
        bytes memory head = abi.encodePacked('{"dstApp":"', p.dstApp, '","dstChain":"', p.dstChain, '","grantRef":"', p.grantRef);
        bytes memory tail = abi.encodePacked(
            '","method":"', p.method, '","payload":"', base64(p.payload), '","seq":', decimal(p.seq), ',"srcApp":"', p.srcApp
        );
        return abi.encodePacked(head, tail, '","srcChain":"', p.srcChain, '","timeout":', decimal(p.timeout), ',"v":1}');
    }

    /// @notice The commitment of a packet given as its RFC 8785 JSON (`json`).
    function commitmentOfJson(bytes memory packetJson) internal pure returns (bytes32) {
        return sha256(abi.encodePacked("bsn:packet-commitment:v1\n", packetJson));
    }

    /// @notice core `packetId()`: SHA-256("bsn:packet-id:v1\n" ‖ RFC 8785 JSON of the five naming fields).
    function id(Packet memory p) internal pure returns (bytes32) {
        return sha256(
            abi.encodePacked(
                'bsn:packet-id:v1\n{"dstApp":"',
                p.dstApp,
                '","dstChain":"',
                p.dstChain,
                '","seq":',
                decimal(p.seq),
                ',"srcApp":"',
                p.srcApp,
                '","srcChain":"',
                p.srcChain,
                '"}'
            )
        );
    }

    /// @notice The ack's RFC 8785 JSON: what `packet.received` / `packet.acknowledged` carry.
    function ackJson(bytes32 packetId, bytes32 packetCommitment, string memory status, bytes memory result)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(
            '{"commitment":"',
            hex32(packetCommitment),
            '","packetId":"',
            hex32(packetId),
            '","result":"',
            base64(result),
            '","status":"',
            status,
            '"}'
        );
    }

    /// @notice core `ackCommitment()`: SHA-256("bsn:ack-commitment:v1\n" ‖ the ack's RFC 8785 JSON).
    function ackCommitment(bytes32 packetId, bytes32 packetCommitment, string memory status, bytes memory result)
        internal
        pure
        returns (bytes32)
    {
        return sha256(abi.encodePacked("bsn:ack-commitment:v1\n", ackJson(packetId, packetCommitment, status, result)));
    }

    /// @notice core `interchainDigest()`: SHA-256("bsn:interchain-attestation:v1\n" ‖ kind ‖ commitment).
    function attestationDigest(uint8 kind, bytes32 commitment_) internal pure returns (bytes32) {
        return sha256(abi.encodePacked("bsn:interchain-attestation:v1\n", kind, commitment_));
    }

    /// @notice Lowercase hex of 32 bytes, as core's toHex spells commitments and ids.
    function hex32(bytes32 v) internal pure returns (bytes memory out) {
        out = new bytes(64);
        bytes16 digits = "0123456789abcdef";
        for (uint256 i = 0; i < 32; i++) {
            out[2 * i] = digits[uint8(v[i]) >> 4];
            out[2 * i + 1] = digits[uint8(v[i]) & 0x0f];
        }
    }

    /// @notice Decimal, as RFC 8785 writes an integer.
    function decimal(uint256 v) internal pure returns (bytes memory out) {
        if (v == 0) return "0";
        uint256 len;
        for (uint256 t = v; t != 0; t /= 10) len++;
        out = new bytes(len);
        for (; v != 0; v /= 10) out[--len] = bytes1(uint8(48 + (v % 10)));
    }

    /// @notice Standard base64 with padding (RFC 4648 §4), as core's toBase64 writes it. Three
    /// input bytes per step in assembly: a byte-wise Solidity loop cost ~600 gas a byte, which
    /// priced a 32 KiB payload at 20 M gas.
    function base64(bytes memory data) internal pure returns (bytes memory out) {
        uint256 n = data.length;
        if (n == 0) return "";
        bytes memory table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        uint256 outLen = ((n + 2) / 3) * 4;
        out = new bytes(outLen);
        assembly ("memory-safe") {
            // mload(table + 1 + i) has table[i] as its lowest byte
            let tablePtr := add(table, 1)
            let o := add(out, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 3) } {
                // the lowest three bytes of this word are data[i], data[i+1], data[i+2]
                let chunk := and(mload(add(add(data, 3), i)), 0xffffff)
                let rest := sub(n, i)
                // past the end: whatever follows `data` in memory must not leak into the last digits
                if lt(rest, 3) { chunk := and(chunk, and(shl(mul(8, sub(3, rest)), 0xffffff), 0xffffff)) }
                mstore8(o, mload(add(tablePtr, and(shr(18, chunk), 0x3f))))
                mstore8(add(o, 1), mload(add(tablePtr, and(shr(12, chunk), 0x3f))))
                mstore8(add(o, 2), mload(add(tablePtr, and(shr(6, chunk), 0x3f))))
                mstore8(add(o, 3), mload(add(tablePtr, and(chunk, 0x3f))))
                o := add(o, 4)
            }
            switch mod(n, 3)
            case 1 {
                mstore8(sub(o, 1), 0x3d)
                mstore8(sub(o, 2), 0x3d)
            }
            case 2 { mstore8(sub(o, 1), 0x3d) }
        }
    }
}
