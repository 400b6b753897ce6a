// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title BsnPacketCall
/// @notice The preset methods a packet may call and their payloads (core packet-call.ts):
///   kv.put     u16 big-endian key length ‖ key (UTF-8) ‖ value
///   kv.get     key (UTF-8)
///   kv.delete  key (UTF-8)
/// A payload that does not split, or a key that is not UTF-8, is the packet's fault: it is
/// answered with an INVALID_INPUT ack, as core's decodePacketCall decides.
library BsnPacketCall {
    uint8 internal constant PUT = 1;
    uint8 internal constant GET = 2;
    uint8 internal constant DELETE = 3;

    /// @notice The operation of a packet-callable method, 0 for any other method.
    function opOf(string calldata method) internal pure returns (uint8) {
        bytes32 m = keccak256(bytes(method));
        if (m == keccak256("kv.put")) return PUT;
        if (m == keccak256("kv.get")) return GET;
        if (m == keccak256("kv.delete")) return DELETE;
        return 0;
    }

    /// @return ok false when the payload is malformed (an INVALID_INPUT ack)
    function decode(uint8 op, bytes calldata payload) internal pure returns (bool ok, bytes calldata key, bytes calldata value) {
        value = payload[0:0];
        // A key longer than the preset's 256 bytes is refused by its rules anyway: not scanned here.
        if (op != PUT) return (payload.length <= 256 && isUtf8(payload), payload, value);
        if (payload.length < 2) return (false, payload[0:0], value);
        uint256 n = (uint256(uint8(payload[0])) << 8) | uint256(uint8(payload[1]));
        if (payload.length < 2 + n) return (false, payload[0:0], value);
        key = payload[2:2 + n];
        return (n <= 256 && isUtf8(key), key, payload[2 + n:]);
    }

    /// @notice Well-formed UTF-8 as a fatal TextDecoder accepts it: no overlong forms, no
    /// surrogates, nothing above U+10FFFF, no truncated sequence.
    function isUtf8(bytes calldata b) internal pure returns (bool) {
        uint256 i = 0;
        uint256 n = b.length;
        while (i < n) {
            uint8 c = uint8(b[i]);
            if (c < 0x80) {
                i++;
                continue;
            }
            uint256 extra;
            uint8 lo = 0x80;
            uint8 hi = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                extra = 1;
            } else if (c >= 0xe0 && c <= 0xef) {
                extra = 2;
                if (c == 0xe0) lo = 0xa0;
                if (c == 0xed) hi = 0x9f;
            } else if (c >= 0xf0 && c <= 0xf4) {
                extra = 3;
                if (c == 0xf0) lo = 0x90;
                if (c == 0xf4) hi = 0x8f;
            } else {
                return false;
            }
            if (i + extra >= n) return false;
            uint8 c1 = uint8(b[i + 1]);
            if (c1 < lo || c1 > hi) return false;
            for (uint256 k = 2; k <= extra; k++) {
                uint8 ck = uint8(b[i + k]);
                if (ck < 0x80 || ck > 0xbf) return false;
            }
            i += extra + 1;
        }
        return true;
    }
}
