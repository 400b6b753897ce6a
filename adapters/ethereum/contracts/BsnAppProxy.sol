// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title BsnAppProxy
/// @notice The address an app lives at. Holds the app's storage and delegates every call to
/// the implementation in the ERC-1967 slot; upgrades are done by the implementation (UUPS),
/// so this contract has no functions of its own that could clash with the app's ABI.
contract BsnAppProxy {
    /// @dev bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1)
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;

    /// @param implementation the app logic
    /// @param init calldata run against the new storage through the implementation (its initializer);
    /// a failing initializer reverts the whole deployment, so no half-created app can exist.
    constructor(address implementation, bytes memory init) {
        assembly {
            sstore(IMPLEMENTATION_SLOT, implementation)
        }
        (bool ok, bytes memory ret) = implementation.delegatecall(init);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    fallback() external {
        assembly {
            let impl := sload(IMPLEMENTATION_SLOT)
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }
}
