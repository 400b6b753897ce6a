// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @dev The registry's view this contract relies on (BsnAppRegistry.appOf).
interface IBsnAppDirectory {
    function appOf(string calldata appId) external view returns (address app, uint64 createdBlock);
}

/// @dev The app's views this contract relies on (BsnKvApp.isMember / isFrozen, through its proxy).
interface IBsnAppMembership {
    function isMember(address account) external view returns (bool);
    function isFrozen() external view returns (bool);
}

/// @title BsnPacketOutbox
/// @notice The source side of BSN interchain on an EVM chain: a member of an app sends a
/// packet; the outbox assigns its `seq` per (srcApp, dstChain, dstApp) and emits PacketSent.
///
/// What is bound where, and what a verifier rebuilds:
/// BSN packet ids and commitments are SHA-256 over RFC 8785 JSON (core `packetId()`,
/// `packetCommitment()`), which Solidity cannot build cheaply. So the adapter computes both
/// off chain for the `seq` it expects (read from `nextSeq`) and passes them in; the outbox
/// cannot check them, so it treats them as claims: it refuses the call unless `seq` is the
/// next one (a concurrent sender makes the adapter retry), stores the claimed commitment, and
/// emits it beside `fieldsHash`, a keccak256 binding it computes itself over everything it
/// saw: the app it checked the sender is a member of, the seq it assigned, and every other
/// packet field exactly as sent. A verifier holding a packet trusts the log only if it was
/// emitted by the pinned outbox address and both bindings match what it recomputes from the
/// packet: `packetId`/`commitment` with core's functions, `fieldsHash` with `packetFieldsHash`
/// below (`srcChain` is fixed by the trust roots that pin this outbox on one chain). A member
/// who passes a wrong id or commitment only produces a log that proves nothing.
contract BsnPacketOutbox {
    /// @notice Identifies this contract to adapters that find it by address.
    string public constant BSN_OUTBOX = "bsn.ethereum.outbox/1";
    /// @notice Longest dstChain (as core's packet rules) and payload accepted.
    uint256 public constant MAX_CHAIN_BYTES = 64;
    uint256 public constant MAX_ID_BYTES = 128;
    uint256 public constant MAX_PAYLOAD_BYTES = 65536;

    /// @notice The app registry whose apps may send packets.
    IBsnAppDirectory public immutable registry;

    /// @dev keccak256(abi.encode(srcApp, dstChain, dstApp)) → last seq assigned (0: none yet).
    mapping(bytes32 => uint64) private lastSeq;
    /// @dev keccak256(abi.encode(srcApp, dstChain, dstApp, seq)) → the commitment sent with that packet.
    mapping(bytes32 => bytes32) private commitments;

    /// @param packetId the adapter's core `packetId()` of the packet (claim; see the contract notes)
    /// @param srcAppHash keccak256 of the source app id, for filtering
    /// @param commitment the adapter's core `packetCommitment()` of the packet (claim)
    /// @param seq assigned here
    /// @param fieldsHash `packetFieldsHash` computed here from the call
    /// @param sender the member who sent it
    event PacketSent(
        bytes32 indexed packetId,
        bytes32 indexed srcAppHash,
        bytes32 commitment,
        uint64 seq,
        bytes32 fieldsHash,
        address sender
    );

    error UnknownApp(string appId);
    error NotMember(address account);
    error AppFrozen();
    error SeqMismatch(uint64 expected, uint64 given);
    /// @param field JSON pointer of the offending input, e.g. "/packet/dstApp".
    error InvalidInput(string field, string reason);

    constructor(address registry_) {
        if (registry_ == address(0)) revert InvalidInput("/registry", "zero address");
        registry = IBsnAppDirectory(registry_);
    }

    /// @notice A packet as sent: core's Packet without v, srcChain (fixed by the chain) and seq
    /// (assigned here); the payload as raw bytes (the packet carries them base64-encoded).
    struct PacketFields {
        string srcApp;
        string dstChain;
        string dstApp;
        string method;
        bytes payload;
        /// ms since the Unix epoch; must lie in the future
        uint64 timeout;
        string grantRef;
    }

    /// @notice Sends a packet from `p.srcApp`; only a member of that app may, and not while it is frozen.
    /// @param seq must equal `nextSeq(p.srcApp, p.dstChain, p.dstApp)` at execution
    /// @param packetId core `packetId()` for these fields and `seq` (not checkable here)
    /// @param commitment core `packetCommitment()` of the whole packet (not checkable here)
    function sendPacket(PacketFields calldata p, uint64 seq, bytes32 packetId, bytes32 commitment)
        external
        returns (bytes32 fieldsHash)
    {
        _checkInput(p, packetId, commitment);
        _checkSender(p.srcApp);
        bytes32 channel = keccak256(abi.encode(p.srcApp, p.dstChain, p.dstApp));
        uint64 next = lastSeq[channel] + 1;
        if (seq != next) revert SeqMismatch(next, seq);
        lastSeq[channel] = next;

        fieldsHash = packetFieldsHash(p, seq);
        commitments[keccak256(abi.encode(p.srcApp, p.dstChain, p.dstApp, seq))] = commitment;
        emit PacketSent(packetId, keccak256(bytes(p.srcApp)), commitment, seq, fieldsHash, msg.sender);
    }

    /// @notice The binding a verifier recomputes from a packet: keccak256(abi.encode(p, seq)), i.e.
    /// of the ABI encoding of (tuple(string srcApp, string dstChain, string dstApp, string method,
    /// bytes payload, uint64 timeout, string grantRef), uint64 seq).
    function packetFieldsHash(PacketFields calldata p, uint64 seq) public pure returns (bytes32) {
        return keccak256(abi.encode(p, seq));
    }

    /// @notice The seq the next packet from `srcApp` to (`dstChain`, `dstApp`) will get.
    function nextSeq(string calldata srcApp, string calldata dstChain, string calldata dstApp) external view returns (uint64) {
        return lastSeq[keccak256(abi.encode(srcApp, dstChain, dstApp))] + 1;
    }

    /// @notice The commitment sent with a packet; zero if no such packet was sent.
    function commitmentOf(string calldata srcApp, string calldata dstChain, string calldata dstApp, uint64 seq)
        external
        view
        returns (bytes32)
    {
        return commitments[keccak256(abi.encode(srcApp, dstChain, dstApp, seq))];
    }

    function _checkInput(PacketFields calldata p, bytes32 packetId, bytes32 commitment) private view {
        _checkLength(p.dstChain, MAX_CHAIN_BYTES, "/packet/dstChain");
        _checkLength(p.dstApp, MAX_ID_BYTES, "/packet/dstApp");
        _checkLength(p.method, 64, "/packet/method");
        _checkLength(p.grantRef, MAX_ID_BYTES, "/packet/grantRef");
        if (p.payload.length > MAX_PAYLOAD_BYTES) revert InvalidInput("/packet/payload", "payload too large");
        if (uint256(p.timeout) <= block.timestamp * 1000) revert InvalidInput("/packet/timeout", "timeout has passed");
        if (packetId == bytes32(0)) revert InvalidInput("/packetId", "zero packet id");
        if (commitment == bytes32(0)) revert InvalidInput("/commitment", "zero commitment");
    }

    /// @dev Through the registry's and the app's own views: the app exists, the sender is a member, it is not frozen.
    function _checkSender(string calldata srcApp) private view {
        (address app,) = registry.appOf(srcApp);
        if (app == address(0)) revert UnknownApp(srcApp);
        IBsnAppMembership a = IBsnAppMembership(app);
        if (!a.isMember(msg.sender)) revert NotMember(msg.sender);
        if (a.isFrozen()) revert AppFrozen();
    }

    function _checkLength(string calldata s, uint256 max, string memory field) private pure {
        uint256 n = bytes(s).length;
        if (n == 0) revert InvalidInput(field, "empty");
        if (n > max) revert InvalidInput(field, "too long");
    }
}
