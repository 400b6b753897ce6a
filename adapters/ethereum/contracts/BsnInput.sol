// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title BsnInput
/// @notice Input rules of the adaptation standard, enforced on chain as well as by the adapter
/// (the adapter checks first so that nothing malformed is ever sent).
library BsnInput {
    /// @notice Largest preset value in bytes. See the adapter README ("Limits") for the gas budget.
    uint256 internal constant MAX_VALUE_BYTES = 32768;
    /// @notice Largest key in UTF-8 bytes.
    uint256 internal constant MAX_KEY_BYTES = 256;
    /// @notice Longest app id.
    uint256 internal constant MAX_APP_ID = 128;

    /// @param field JSON pointer of the offending input, e.g. "/key".
    error InvalidInput(string field, string reason);

    function checkKey(string calldata key) internal pure {
        bytes calldata b = bytes(key);
        if (b.length == 0) revert InvalidInput("/key", "empty key");
        if (b.length > MAX_KEY_BYTES) revert InvalidInput("/key", "key too long");
        for (uint256 i = 0; i < b.length; i++) {
            if (b[i] == 0) revert InvalidInput("/key", "key contains U+0000");
        }
    }

    function checkValue(bytes calldata value) internal pure {
        if (value.length == 0) revert InvalidInput("/value", "empty value");
        if (value.length > MAX_VALUE_BYTES) revert InvalidInput("/value", "value too large");
    }

    /// @dev 1..128 characters of [A-Za-z0-9._:-]
    function checkAppId(string calldata appId) internal pure {
        bytes calldata b = bytes(appId);
        if (b.length == 0 || b.length > MAX_APP_ID) revert InvalidInput("/appId", "app id must be 1-128 characters");
        for (uint256 i = 0; i < b.length; i++) {
            bytes1 c = b[i];
            bool ok = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "." || c == "_"
                || c == ":" || c == "-";
            if (!ok) revert InvalidInput("/appId", "app id may hold only [A-Za-z0-9._:-]");
        }
    }
}
