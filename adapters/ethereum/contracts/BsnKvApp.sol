// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {BsnInput} from "./BsnInput.sol";

/// @title BsnKvApp
/// @notice One BSN app: access control (admin + members), freeze, UUPS upgrade, on-chain
/// request-id idempotency, and the preset key/value data contract. Runs behind a
/// BsnAppProxy; all state sits in one ERC-7201 namespace so later versions (for example one
/// adding `sendPacket` for interchain) can append fields without moving existing ones.
///
/// Values live in the KvWritten log of the write that set them; storage keeps, per key, the
/// value's keccak256 and the block of its last write (two slots, whatever the value's size).
/// New storage is the dearest thing on an EVM chain (geth 1.17's dev chain charges ~112 k gas
/// per fresh slot, about 3.5 k gas per stored byte), while log data costs 8 gas per byte: a
/// 4 KiB value kept in storage would not even fit a geth --dev block. Readers fetch the value
/// from the log named by `lastBlock` and check it against `valueHash`.
contract BsnKvApp {
    /// @dev bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1), shared with BsnAppProxy.
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    /// @dev keccak256(abi.encode(uint256(keccak256("bsn.app.storage.v1")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0xfc31c203991a2b452660b0100bdc1c0b1adf0bf5dbc3d501b00a45a380432c00;

    uint256 public constant MAX_VALUE_BYTES = BsnInput.MAX_VALUE_BYTES;
    uint256 public constant MAX_KEY_BYTES = BsnInput.MAX_KEY_BYTES;

    struct Entry {
        /// keccak256 of the live value (0 when deleted); the value itself is in the KvWritten log.
        bytes32 valueHash;
        /// Block of the last write (put or delete) of the key; kept after a delete so that
        /// history can walk back through KvWritten.previousBlock.
        uint64 lastBlock;
        /// 1-based position in `keys` while live, 0 otherwise.
        uint32 index;
        bool live;
    }

    /// One slot: the block that executed the request and the first 24 bytes of its content hash.
    struct Request {
        uint64 blockNumber;
        bytes24 contentHash;
    }

    /// @custom:storage-location erc7201:bsn.app.storage.v1
    struct AppStorage {
        bool initialized;
        bool frozen;
        uint8 mode;
        uint8 placement;
        uint64 version;
        uint64 createdBlock;
        address admin;
        address registry;
        string appId;
        address[] members;
        mapping(address => uint256) memberIndex;
        string[] keys;
        mapping(bytes32 => Entry) entries;
        mapping(bytes32 => Request) requests;
        // Appended for interchain delivery (existing fields keep their slots).
        /// The interchain contract the admin trusts to run packets on this app (packetCall, packetEvent).
        address interchain;
        /// keccak256(abi.encode(direction, peerChain, peerApp)) → that side of a grant.
        mapping(bytes32 => Grant) grants;
    }

    /// One side of an app-to-app grant (core ChainGrant); direction 0 outgoing, 1 incoming.
    struct Grant {
        bool exists;
        bool revoked;
        uint64 expiresAt;
        bytes32 refHash;
        bytes32[] methodHashes;
    }

    address private immutable self = address(this);

    /// @notice A request id (as keccak256 of its UTF-8 text) executed once; contentHash =
    /// keccak256(sender ‖ calldata) lets a re-submission be told apart from a conflicting reuse.
    event RequestExecuted(bytes32 indexed requestKey, bytes32 contentHash, address indexed sender);
    /// @notice Every preset write; `previousBlock` chains a key's writes for history look-ups.
    event KvWritten(bytes32 indexed keyHash, string key, bytes value, bool deleted, uint64 previousBlock);
    /// @notice The app's event stream as the gateway serves it (`kv.put`, `kv.delete`, …).
    event AppEvent(bytes32 indexed nameHash, string name, bytes payload);
    event MemberAdded(address indexed account);
    event MemberRemoved(address indexed account);
    event FrozenSet(bool frozen);
    event Upgraded(address indexed implementation);
    event GrantSet(
        address indexed interchain,
        uint8 direction,
        string peerChain,
        string peerApp,
        string ref,
        string[] methods,
        uint64 expiresAt,
        bool revoked
    );

    error NotMember(address account);
    error NotAdmin(address account);
    error AppFrozen();
    error KeyNotFound(string key);
    error RequestAlreadyExecuted(bytes32 requestKey, bytes24 contentHash, uint64 blockNumber);
    error AlreadyInitialized();
    error NotThroughProxy();
    error BadImplementation(address implementation);
    error AdminIsPermanentMember(address admin);
    error NotInterchain(address account);

    constructor() {
        // The bare implementation can never be initialised; only proxies hold app state.
        _s().initialized = true;
    }

    function _s() private pure returns (AppStorage storage s) {
        assembly {
            s.slot := STORAGE_SLOT
        }
    }

    modifier onlyProxy() {
        if (address(this) == self) revert NotThroughProxy();
        _;
    }

    modifier onlyAdmin() {
        if (msg.sender != _s().admin) revert NotAdmin(msg.sender);
        _;
    }

    /// @dev Members only, and not while frozen.
    modifier writer() {
        AppStorage storage s = _s();
        if (s.memberIndex[msg.sender] == 0) revert NotMember(msg.sender);
        if (s.frozen) revert AppFrozen();
        _;
    }

    /// @dev Only the interchain contract the admin named in a grant: packets reach this app through it alone.
    modifier onlyInterchain() {
        address ic = _s().interchain;
        if (ic == address(0) || msg.sender != ic) revert NotInterchain(msg.sender);
        _;
    }

    /// @dev Executes the call at most once per request key, recording what was executed.
    modifier request(bytes32 requestKey) {
        Request storage r = _s().requests[requestKey];
        if (r.blockNumber != 0) revert RequestAlreadyExecuted(requestKey, r.contentHash, r.blockNumber);
        bytes32 contentHash = keccak256(abi.encodePacked(msg.sender, msg.data));
        r.contentHash = bytes24(contentHash);
        r.blockNumber = uint64(block.number);
        emit RequestExecuted(requestKey, contentHash, msg.sender);
        _;
    }

    // ---------------------------------------------------------------- lifecycle

    /// @notice Run once by BsnAppProxy's constructor (msg.sender is then the registry).
    /// @param mode 0 = consortium, 1 = private. @param placement 0 = shared, 1 = dedicated.
    function initialize(string calldata appId, address admin, address[] calldata members, uint8 mode, uint8 placement)
        external
        onlyProxy
    {
        AppStorage storage s = _s();
        if (s.initialized) revert AlreadyInitialized();
        if (admin == address(0)) revert BsnInput.InvalidInput("/admin", "zero address");
        if (mode > 1) revert BsnInput.InvalidInput("/mode", "unknown mode");
        if (placement > 1) revert BsnInput.InvalidInput("/placement", "unknown placement");
        s.initialized = true;
        s.appId = appId;
        s.admin = admin;
        s.registry = msg.sender;
        s.mode = mode;
        s.placement = placement;
        s.version = 1;
        s.createdBlock = uint64(block.number);
        _addMember(admin);
        for (uint256 i = 0; i < members.length; i++) {
            if (members[i] == address(0)) revert BsnInput.InvalidInput(string.concat("/members/", _itoa(i)), "zero address");
            _addMember(members[i]);
        }
    }

    function addMember(address account) external onlyProxy onlyAdmin {
        if (account == address(0)) revert BsnInput.InvalidInput("/member", "zero address");
        _addMember(account);
    }

    function removeMember(address account) external onlyProxy onlyAdmin {
        AppStorage storage s = _s();
        if (account == s.admin) revert AdminIsPermanentMember(account);
        uint256 idx = s.memberIndex[account];
        if (idx == 0) return;
        uint256 last = s.members.length;
        if (idx != last) {
            address moved = s.members[last - 1];
            s.members[idx - 1] = moved;
            s.memberIndex[moved] = idx;
        }
        s.members.pop();
        delete s.memberIndex[account];
        emit MemberRemoved(account);
    }

    function freeze() external onlyProxy onlyAdmin {
        _s().frozen = true;
        emit FrozenSet(true);
    }

    function unfreeze() external onlyProxy onlyAdmin {
        _s().frozen = false;
        emit FrozenSet(false);
    }

    /// @notice Moves the app to new code, keeping its storage; bumps the contract version.
    function upgradeTo(address implementation) external onlyProxy onlyAdmin {
        if (implementation.code.length == 0) revert BadImplementation(implementation);
        try BsnKvApp(implementation).proxiableUUID() returns (bytes32 slot) {
            if (slot != IMPLEMENTATION_SLOT) revert BadImplementation(implementation);
        } catch {
            revert BadImplementation(implementation);
        }
        assembly {
            sstore(IMPLEMENTATION_SLOT, implementation)
        }
        _s().version += 1;
        emit Upgraded(implementation);
    }

    /// @notice ERC-1822: the slot this implementation expects its address in. Not callable through the proxy.
    function proxiableUUID() external view returns (bytes32) {
        if (address(this) != self) revert NotThroughProxy();
        return IMPLEMENTATION_SLOT;
    }

    function _addMember(address account) private {
        AppStorage storage s = _s();
        if (s.memberIndex[account] != 0) return;
        s.members.push(account);
        s.memberIndex[account] = s.members.length;
        emit MemberAdded(account);
    }

    // ---------------------------------------------------------------- preset key/value

    function put(bytes32 requestKey, string calldata key, bytes calldata value)
        external
        onlyProxy
        writer
        request(requestKey)
    {
        _put(key, value);
    }

    function _put(string calldata key, bytes calldata value) private {
        BsnInput.checkKey(key);
        BsnInput.checkValue(value);
        AppStorage storage s = _s();
        bytes32 keyHash = keccak256(bytes(key));
        Entry storage e = s.entries[keyHash];
        if (!e.live) {
            s.keys.push(key);
            e.index = uint32(s.keys.length);
            e.live = true;
        }
        e.valueHash = keccak256(value);
        uint64 previous = e.lastBlock;
        e.lastBlock = uint64(block.number);
        emit KvWritten(keyHash, key, value, false, previous);
        emit AppEvent(keccak256("kv.put"), "kv.put", bytes(key));
    }

    /// @notice The preset `delete` (a reserved word in Solidity).
    function remove(bytes32 requestKey, string calldata key) external onlyProxy writer request(requestKey) {
        _remove(key);
    }

    function _remove(string calldata key) private {
        BsnInput.checkKey(key);
        AppStorage storage s = _s();
        bytes32 keyHash = keccak256(bytes(key));
        Entry storage e = s.entries[keyHash];
        if (!e.live) revert KeyNotFound(key);
        uint256 idx = e.index;
        uint256 last = s.keys.length;
        if (idx != last) {
            string storage moved = s.keys[last - 1];
            s.keys[idx - 1] = moved;
            s.entries[keccak256(bytes(moved))].index = uint32(idx);
        }
        s.keys.pop();
        e.valueHash = bytes32(0);
        e.live = false;
        e.index = 0;
        uint64 previous = e.lastBlock;
        e.lastBlock = uint64(block.number);
        emit KvWritten(keyHash, key, "", true, previous);
        emit AppEvent(keccak256("kv.delete"), "kv.delete", bytes(key));
    }

    /// @notice The live value's hash and the block whose KvWritten log holds the value;
    /// reverts KeyNotFound when the key is absent.
    function get(string calldata key) external view returns (bytes32 valueHash, uint64 lastBlock) {
        Entry storage e = _s().entries[keccak256(bytes(key))];
        if (!e.live) revert KeyNotFound(key);
        return (e.valueHash, e.lastBlock);
    }

    /// @notice Like `get`, without reverting when the key is absent.
    function entry(string calldata key) external view returns (bool live, bytes32 valueHash, uint64 lastBlock) {
        Entry storage e = _s().entries[keccak256(bytes(key))];
        return (e.live, e.valueHash, e.lastBlock);
    }

    function entriesOf(string[] calldata keys_)
        external
        view
        returns (bool[] memory live, bytes32[] memory valueHashes, uint64[] memory lastBlocks)
    {
        AppStorage storage s = _s();
        live = new bool[](keys_.length);
        valueHashes = new bytes32[](keys_.length);
        lastBlocks = new uint64[](keys_.length);
        for (uint256 i = 0; i < keys_.length; i++) {
            Entry storage e = s.entries[keccak256(bytes(keys_[i]))];
            (live[i], valueHashes[i], lastBlocks[i]) = (e.live, e.valueHash, e.lastBlock);
        }
    }

    /// @notice Block of the key's last write (put or delete), 0 if never written.
    function lastWriteBlock(bytes32 keyHash) external view returns (uint64) {
        return _s().entries[keyHash].lastBlock;
    }

    function keyCount() external view returns (uint256) {
        return _s().keys.length;
    }

    /// @notice Live keys in storage order (unsorted); the adapter sorts byte-wise.
    function keysSlice(uint256 start, uint256 count) external view returns (string[] memory out) {
        string[] storage keys = _s().keys;
        if (start >= keys.length) return new string[](0);
        uint256 end = start + count > keys.length ? keys.length : start + count;
        out = new string[](end - start);
        for (uint256 i = start; i < end; i++) out[i - start] = keys[i];
    }

    // ---------------------------------------------------------------- interchain

    /// @notice The admin's side of a grant (core ChainGrant), and the interchain contract trusted to
    /// run packets on this app. Only the admin may; packets cannot (packetCall reaches only the store).
    function setGrant(
        address interchain_,
        uint8 direction,
        string calldata peerChain,
        string calldata peerApp,
        string calldata ref,
        string[] calldata methods,
        uint64 expiresAt,
        bool revoked
    ) external onlyProxy onlyAdmin {
        if (interchain_ == address(0)) revert BsnInput.InvalidInput("/interchain", "zero address");
        if (direction > 1) revert BsnInput.InvalidInput("/grant/direction", "must be outgoing (0) or incoming (1)");
        if (methods.length == 0) revert BsnInput.InvalidInput("/grant/methods", "at least one method");
        AppStorage storage s = _s();
        s.interchain = interchain_;
        Grant storage g = s.grants[keccak256(abi.encode(direction, peerChain, peerApp))];
        g.exists = true;
        g.revoked = revoked;
        g.expiresAt = expiresAt;
        g.refHash = keccak256(bytes(ref));
        delete g.methodHashes;
        for (uint256 i = 0; i < methods.length; i++) g.methodHashes.push(keccak256(bytes(methods[i])));
        emit GrantSet(interchain_, direction, peerChain, peerApp, ref, methods, expiresAt, revoked);
    }

    /// @notice Whether this app's grant allows `method` with the peer at `nowMs` (ms since epoch): it
    /// exists, is not revoked, not expired, lists the method, and (when `ref` is not empty) has that ref.
    function grantAllows(
        uint8 direction,
        string calldata peerChain,
        string calldata peerApp,
        string calldata method,
        string calldata ref,
        uint256 nowMs
    ) external view returns (bool) {
        Grant storage g = _s().grants[keccak256(abi.encode(direction, peerChain, peerApp))];
        if (!g.exists || g.revoked) return false;
        if (g.expiresAt != 0 && nowMs >= g.expiresAt) return false;
        if (bytes(ref).length != 0 && keccak256(bytes(ref)) != g.refHash) return false;
        bytes32 m = keccak256(bytes(method));
        for (uint256 i = 0; i < g.methodHashes.length; i++) if (g.methodHashes[i] == m) return true;
        return false;
    }

    function interchain() external view returns (address) {
        return _s().interchain;
    }

    /// @notice A packet's preset call (1 put, 2 get, 3 delete) with the preset rules; reverts as the
    /// preset methods do (the interchain contract turns that into an error ack). Returns the value's
    /// hash for a get (the value itself is in a log; the deliverer supplies it, checked against it).
    function packetCall(uint8 op, string calldata key, bytes calldata value)
        external
        onlyProxy
        onlyInterchain
        returns (bytes32 valueHash)
    {
        if (_s().frozen) revert AppFrozen();
        if (op == 1) {
            _put(key, value);
        } else if (op == 3) {
            _remove(key);
        } else {
            BsnInput.checkKey(key);
            Entry storage e = _s().entries[keccak256(bytes(key))];
            if (!e.live) revert KeyNotFound(key);
            return e.valueHash;
        }
    }

    /// @notice The interchain contract's events on this app's stream (packet.received, packet.acknowledged, …).
    function packetEvent(string calldata name, bytes calldata payload) external onlyProxy onlyInterchain {
        emit AppEvent(keccak256(bytes(name)), name, payload);
    }

    // ---------------------------------------------------------------- views

    /// @return contentHash the first 24 bytes of keccak256(sender ‖ calldata) of the execution
    function requestOf(bytes32 requestKey) external view returns (bytes24 contentHash, uint64 blockNumber) {
        Request storage r = _s().requests[requestKey];
        return (r.contentHash, r.blockNumber);
    }

    function isMember(address account) external view returns (bool) {
        return _s().memberIndex[account] != 0;
    }

    /// @notice Whether writes are refused; a constant-cost view for other contracts (appInfo copies the member list).
    function isFrozen() external view returns (bool) {
        return _s().frozen;
    }

    function appInfo()
        external
        view
        returns (
            string memory appId,
            address admin,
            address[] memory members,
            bool frozen,
            uint64 version,
            uint8 mode,
            uint8 placement,
            uint64 createdBlock,
            address implementation,
            address registry
        )
    {
        AppStorage storage s = _s();
        assembly {
            implementation := sload(IMPLEMENTATION_SLOT)
        }
        return (s.appId, s.admin, s.members, s.frozen, s.version, s.mode, s.placement, s.createdBlock, implementation, s.registry);
    }

    function _itoa(uint256 v) private pure returns (string memory) {
        if (v == 0) return "0";
        uint256 len;
        for (uint256 t = v; t != 0; t /= 10) len++;
        bytes memory b = new bytes(len);
        for (; v != 0; v /= 10) b[--len] = bytes1(uint8(48 + (v % 10)));
        return string(b);
    }
}
