// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {BsnCustomAppProxy} from "./BsnCustomAppProxy.sol";
import {BsnInput} from "./BsnInput.sol";

/// @notice The preset registry's look-up, so that one id names one app across both registries.
interface IBsnAppRegistry {
    function appOf(string calldata appId) external view returns (address app, uint64 createdBlock);
}

/// @title BsnCustomApps
/// @notice appId → app, for apps that bring their own contract. Keeps what BSN knows of such
/// an app (admin, members, frozen, version) since its code knows nothing of BSN, deploys each
/// version's implementation and moves the app's BsnCustomAppProxy to it. Create and upgrade
/// are each one transaction: a failing constructor, initializer or migration leaves no app,
/// or the old version serving. Every version's ABI is published in ContractPublished, so any
/// adapter connected to the chain can call the app by method name.
contract BsnCustomApps {
    /// @notice Identifies this contract to adapters that find it by address.
    string public constant BSN_CUSTOM_APPS = "bsn.ethereum.custom-apps/1";

    IBsnAppRegistry public immutable presetRegistry;

    struct App {
        address proxy;
        address admin;
        uint64 createdBlock;
        uint64 version;
        uint8 mode;
        uint8 placement;
        bool frozen;
        address implementation;
        address[] members;
        mapping(address => uint256) memberIndex;
    }

    mapping(bytes32 => App) private apps;

    event AppCreated(bytes32 indexed appIdHash, string appId, address indexed app, address indexed admin);
    /// @param abi the version's JSON ABI, UTF-8
    event ContractPublished(bytes32 indexed appIdHash, uint64 version, address implementation, bytes abi);
    event MemberAdded(bytes32 indexed appIdHash, address account);
    event MemberRemoved(bytes32 indexed appIdHash, address account);
    event FrozenSet(bytes32 indexed appIdHash, bool frozen);

    error AppExists(string appId);
    error NoSuchApp(string appId);
    error NotAdmin(address account);
    error AdminIsPermanentMember(address admin);
    error ImplementationNotCreated();

    constructor(IBsnAppRegistry presetRegistry_) {
        presetRegistry = presetRegistry_;
    }

    /// @notice One version of an app's code: its creation code, the call run through the proxy
    /// once it is in place (initializer at create, migration at upgrade; empty for none) and its
    /// JSON ABI (UTF-8), published for adapters.
    struct Code {
        bytes creationCode;
        bytes call;
        bytes abiJson;
    }

    /// @notice Creates `appId` administered by the sender (always a member) running `code`.
    /// @param mode 0 = consortium, 1 = private. @param placement 0 = shared, 1 = dedicated.
    function createApp(string calldata appId, Code calldata code, address[] calldata members, uint8 mode, uint8 placement)
        external
        returns (address proxy)
    {
        BsnInput.checkAppId(appId);
        if (mode > 1) revert BsnInput.InvalidInput("/mode", "unknown mode");
        if (placement > 1) revert BsnInput.InvalidInput("/placement", "unknown placement");
        bytes32 h = keccak256(bytes(appId));
        (address preset,) = presetRegistry.appOf(appId);
        if (apps[h].proxy != address(0) || preset != address(0)) revert AppExists(appId);
        address implementation = _deploy(code.creationCode);
        proxy = address(new BsnCustomAppProxy{salt: h}(h, implementation, code.call));
        App storage a = apps[h];
        a.proxy = proxy;
        a.admin = msg.sender;
        a.createdBlock = uint64(block.number);
        a.version = 1;
        a.mode = mode;
        a.placement = placement;
        a.implementation = implementation;
        _addMember(h, msg.sender);
        for (uint256 i = 0; i < members.length; i++) {
            if (members[i] == address(0)) revert BsnInput.InvalidInput("/members", "zero address");
            _addMember(h, members[i]);
        }
        emit AppCreated(h, appId, proxy, msg.sender);
        emit ContractPublished(h, 1, implementation, code.abiJson);
    }

    /// @notice Moves the app to a new version of its code, keeping its storage. Admin only.
    function upgrade(string calldata appId, Code calldata code) external {
        (bytes32 h, App storage a) = _asAdmin(appId);
        address implementation = _deploy(code.creationCode);
        // The proxy takes any call from this registry as upgradeTo(implementation, migration).
        (bool ok, bytes memory ret) = a.proxy.call(abi.encodeWithSelector(bytes4(0), implementation, code.call));
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        a.implementation = implementation;
        a.version += 1;
        emit ContractPublished(h, a.version, implementation, code.abiJson);
    }

    function addMember(string calldata appId, address account) external {
        (bytes32 h,) = _asAdmin(appId);
        if (account == address(0)) revert BsnInput.InvalidInput("/member", "zero address");
        _addMember(h, account);
    }

    function removeMember(string calldata appId, address account) external {
        (bytes32 h, App storage a) = _asAdmin(appId);
        if (account == a.admin) revert AdminIsPermanentMember(account);
        uint256 idx = a.memberIndex[account];
        if (idx == 0) return;
        uint256 last = a.members.length;
        if (idx != last) {
            address moved = a.members[last - 1];
            a.members[idx - 1] = moved;
            a.memberIndex[moved] = idx;
        }
        a.members.pop();
        delete a.memberIndex[account];
        emit MemberRemoved(h, account);
    }

    function setFrozen(string calldata appId, bool frozen) external {
        (bytes32 h, App storage a) = _asAdmin(appId);
        a.frozen = frozen;
        emit FrozenSet(h, frozen);
    }

    /// @notice Asked by the app's proxy on every call: a member of an unfrozen app.
    function canWrite(bytes32 appIdHash, address account) external view returns (bool) {
        App storage a = apps[appIdHash];
        return !a.frozen && a.memberIndex[account] != 0;
    }

    /// @notice Zero proxy when no such app.
    function appInfo(string calldata appId)
        external
        view
        returns (
            address proxy,
            address admin,
            address[] memory members,
            bool frozen,
            uint64 version,
            uint8 mode,
            uint8 placement,
            uint64 createdBlock,
            address implementation
        )
    {
        App storage a = apps[keccak256(bytes(appId))];
        return (a.proxy, a.admin, a.members, a.frozen, a.version, a.mode, a.placement, a.createdBlock, a.implementation);
    }

    function _asAdmin(string calldata appId) private view returns (bytes32 h, App storage a) {
        h = keccak256(bytes(appId));
        a = apps[h];
        if (a.proxy == address(0)) revert NoSuchApp(appId);
        if (msg.sender != a.admin) revert NotAdmin(msg.sender);
    }

    function _addMember(bytes32 h, address account) private {
        App storage a = apps[h];
        if (a.memberIndex[account] != 0) return;
        a.members.push(account);
        a.memberIndex[account] = a.members.length;
        emit MemberAdded(h, account);
    }

    /// @dev CREATE of the implementation; a reverting constructor's reason is passed on.
    function _deploy(bytes calldata creationCode) private returns (address implementation) {
        bytes memory code = creationCode;
        assembly {
            implementation := create(0, add(code, 32), mload(code))
        }
        if (implementation == address(0) || implementation.code.length == 0) {
            assembly {
                if returndatasize() {
                    returndatacopy(0, 0, returndatasize())
                    revert(0, returndatasize())
                }
            }
            revert ImplementationNotCreated();
        }
    }
}
