// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {BsnAppProxy} from "./BsnAppProxy.sol";
import {BsnKvApp} from "./BsnKvApp.sol";
import {BsnInput} from "./BsnInput.sol";

/// @title BsnAppRegistry
/// @notice appId → app. One registry per chain; every app is a BsnAppProxy created by
/// `createApp` in a single transaction (proxy deployed, storage initialised, admin and
/// members set, registry entry written — or, on any failure, nothing at all).
contract BsnAppRegistry {
    /// @notice Identifies this contract to adapters that find it by address.
    string public constant BSN_REGISTRY = "bsn.ethereum.registry/1";

    /// @notice The preset key/value implementation new apps start on.
    address public immutable presetImplementation;

    struct AppRecord {
        address app;
        uint64 createdBlock;
    }

    mapping(bytes32 => AppRecord) private apps;

    event AppCreated(bytes32 indexed appIdHash, string appId, address indexed app, address indexed admin);

    error AppExists(string appId);

    constructor() {
        presetImplementation = address(new BsnKvApp());
    }

    /// @notice Creates the app `appId` administered by the sender (who is always a member).
    /// @param mode 0 = consortium, 1 = private. @param placement 0 = shared, 1 = dedicated.
    function createApp(string calldata appId, address[] calldata members, uint8 mode, uint8 placement)
        external
        returns (address app)
    {
        BsnInput.checkAppId(appId);
        bytes32 appIdHash = keccak256(bytes(appId));
        if (apps[appIdHash].app != address(0)) revert AppExists(appId);
        bytes memory init = abi.encodeCall(BsnKvApp.initialize, (appId, msg.sender, members, mode, placement));
        app = address(new BsnAppProxy{salt: appIdHash}(presetImplementation, init));
        apps[appIdHash] = AppRecord(app, uint64(block.number));
        emit AppCreated(appIdHash, appId, app, msg.sender);
    }

    /// @notice The app's address and the block it was created in; zero address when unknown.
    function appOf(string calldata appId) external view returns (address app, uint64 createdBlock) {
        AppRecord storage r = apps[keccak256(bytes(appId))];
        return (r.app, r.createdBlock);
    }
}
