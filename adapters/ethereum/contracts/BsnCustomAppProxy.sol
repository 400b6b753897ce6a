// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice What a custom-app proxy asks its registry on every call.
interface IBsnCustomAppWriters {
    function canWrite(bytes32 appIdHash, address account) external view returns (bool);
}

/// @title BsnCustomAppProxy
/// @notice The address an app that brings its own contract lives at: holds the app's storage
/// and delegates every call to the app's implementation (ERC-1967 slot). Unlike BsnAppProxy,
/// the app's code knows nothing of BSN, so the proxy itself enforces BSN's rules:
///  - upgrades come only from the registry that created it (which lets only the app's admin
///    ask); as in a transparent proxy, the registry never calls the app otherwise, so no
///    selector of the app's ABI is shadowed for anyone else;
///  - a caller who may not write (not a member, or the app frozen) runs the call in a static
///    context: reads answer, any write (SSTORE, LOG, CREATE, value) fails, and the call
///    reverts NotWriter. The app then sees the proxy as msg.sender, not the caller;
///  - `bsnRequest(requestKey, data)` runs `data` at most once per request key (the gateway's
///    idempotent submit), recording keccak256(sender ‖ data) like BsnKvApp does. The adapter
///    refuses a package whose ABI has that selector.
contract BsnCustomAppProxy {
    /// @dev bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1)
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    /// @dev bytes32(uint256(keccak256("bsn.custom-app.requests")) - 1): base of requestKey → Request
    bytes32 internal constant REQUESTS_SLOT = bytes32(uint256(keccak256("bsn.custom-app.requests")) - 1);
    /// @dev bsnRequest(bytes32,bytes)
    bytes4 internal constant BSN_REQUEST = bytes4(keccak256("bsnRequest(bytes32,bytes)"));

    address private immutable registry;
    bytes32 private immutable appIdHash;

    /// @notice Same shape as BsnKvApp's, so the adapter finds a first execution the same way.
    event RequestExecuted(bytes32 indexed requestKey, bytes32 contentHash, address indexed sender);

    error RequestAlreadyExecuted(bytes32 requestKey, bytes24 contentHash, uint64 blockNumber);
    error NotWriter(address account);

    /// @param init run against the new storage through the implementation (its initializer);
    /// a failing initializer reverts the whole creation.
    constructor(bytes32 appIdHash_, address implementation, bytes memory init) {
        registry = msg.sender;
        appIdHash = appIdHash_;
        _setImplementation(implementation, init);
    }

    fallback() external payable {
        if (msg.sender == registry) {
            // The registry's only call: upgradeTo(implementation, migration data).
            (address implementation, bytes memory migrate) = abi.decode(msg.data[4:], (address, bytes));
            _setImplementation(implementation, migrate);
            return;
        }
        if (msg.sender == address(this)) _delegate(msg.data); // the read-only re-entry below
        bool writer = IBsnCustomAppWriters(registry).canWrite(appIdHash, msg.sender);
        if (!writer) _readOnly();
        if (msg.sig == BSN_REQUEST && msg.data.length >= 4) {
            (bytes32 requestKey, bytes memory data) = abi.decode(msg.data[4:], (bytes32, bytes));
            _record(requestKey, data);
            _delegate(data);
        }
        _delegate(msg.data);
    }

    function _setImplementation(address implementation, bytes memory data) private {
        assembly {
            sstore(IMPLEMENTATION_SLOT, implementation)
        }
        if (data.length == 0) return;
        (bool ok, bytes memory ret) = implementation.delegatecall(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    function _record(bytes32 requestKey, bytes memory data) private {
        bytes32 slot = keccak256(abi.encode(requestKey, REQUESTS_SLOT));
        uint256 stored;
        assembly {
            stored := sload(slot)
        }
        // One slot, as BsnKvApp's Request: blockNumber (low 64 bits) and contentHash (high 24 bytes).
        if (stored != 0) revert RequestAlreadyExecuted(requestKey, bytes24(bytes32(stored)), uint64(stored));
        bytes32 contentHash = keccak256(abi.encodePacked(msg.sender, data));
        uint256 packed = (uint256(contentHash) & ~uint256(type(uint64).max)) | block.number;
        assembly {
            sstore(slot, packed)
        }
        emit RequestExecuted(requestKey, contentHash, msg.sender);
    }

    /// @dev Runs the call again through this proxy inside STATICCALL: the EVM refuses any write.
    function _readOnly() private view {
        (bool ok, bytes memory ret) = address(this).staticcall(msg.data);
        if (!ok) {
            if (ret.length == 0) revert NotWriter(msg.sender);
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        assembly {
            return(add(ret, 32), mload(ret))
        }
    }

    function _delegate(bytes memory data) private {
        assembly {
            let impl := sload(IMPLEMENTATION_SLOT)
            let ok := delegatecall(gas(), impl, add(data, 32), mload(data), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }
}
