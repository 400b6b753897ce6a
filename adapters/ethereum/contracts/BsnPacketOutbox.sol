// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {BsnInput} from "./BsnInput.sol";
import {BsnPacketCall} from "./BsnPacketCall.sol";
import {BsnPacketCodec} from "./BsnPacketCodec.sol";

/// @dev The registry's view this contract relies on (BsnAppRegistry.appOf).
interface IBsnAppDirectory {
    function appOf(string calldata appId) external view returns (address app, uint64 createdBlock);
}

/// @dev The app's views this contract relies on (BsnKvApp.isMember / isFrozen, through its proxy).
interface IBsnAppMembership {
    function isMember(address account) external view returns (bool);
    function isFrozen() external view returns (bool);
}

/// @dev What delivery needs of an app (BsnKvApp's grants, and its entries only this contract may call).
interface IBsnPacketApp is IBsnAppMembership {
    function grantAllows(
        uint8 direction,
        string calldata peerChain,
        string calldata peerApp,
        string calldata method,
        string calldata ref,
        uint256 nowMs
    ) external view returns (bool);
    function interchain() external view returns (address);
    function packetCall(uint8 op, string calldata key, bytes calldata value) external returns (bytes32 valueHash);
    function packetEvent(string calldata name, bytes calldata payload) external;
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
    string public constant BSN_OUTBOX = "bsn.ethereum.outbox/2";
    /// @notice Longest dstChain (as core's packet rules) and payload accepted.
    uint256 public constant MAX_CHAIN_BYTES = 64;
    uint256 public constant MAX_ID_BYTES = 128;
    uint256 public constant MAX_PAYLOAD_BYTES = 65536;

    /// @notice The app registry whose apps may send packets.
    IBsnAppDirectory public immutable registry;
    /// @notice The chain's operator: the only one who pins the delivery attesters.
    address public immutable owner;

    /// @notice Delivery states (target: of a packet id; source: of a packet sent).
    uint8 public constant NONE = 0;
    uint8 public constant DELIVERED = 1;
    uint8 public constant ACKNOWLEDGED = 1;
    uint8 public constant TIMED_OUT = 2;
    /// @notice Attested kinds, as core's ATTESTED_KINDS.
    uint8 private constant KIND_PACKET = 1;
    uint8 private constant KIND_ACK = 2;
    uint8 private constant KIND_TIMEOUT = 3;
    uint256 private constant MAX_ATTESTERS = 64;
    /// @dev secp256k1n / 2: a signature with a larger s is the malleated twin of one with a smaller s.
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @notice This chain's name in packets (their dstChain here, srcChain of packets sent from here);
    /// set by the first configureDelivery, never changed. Empty: delivery not configured.
    string public chainName;
    address[] private attesters;
    uint8 public threshold;
    /// @dev bumped at each configuration, so an attester of an earlier one counts no more.
    uint64 private epoch;
    mapping(uint64 => mapping(address => uint256)) private attesterSlot;

    /// A packet as its target knows it, by packet id.
    struct TargetRecord {
        uint8 state;
        uint8 status;
        uint64 blockNumber;
        bytes32 ackCommitment;
    }

    /// A packet sent from here after it was answered, by the key of `commitments`.
    struct SourceRecord {
        uint8 state;
        uint64 blockNumber;
        bytes32 ackCommitment;
    }

    mapping(bytes32 => TargetRecord) private received;
    mapping(bytes32 => SourceRecord) private answered;

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
    error NotOwner(address account);
    /// @notice Fewer than `threshold` distinct pinned attesters signed what this chain rebuilt.
    error BelowThreshold(uint256 counted, uint256 needed);
    error Unauthorized(string reason);
    error Conflict(string reason);
    error NotFound(string reason);
    /// @notice The packet's call ran out of gas: the relayer must send more, the packet is not answered.
    error CallOutOfGas();

    event DeliveryConfigured(string chainName, address[] attesters, uint8 threshold);
    /// @notice The target executed a packet and wrote its ack (status as core's ACK_STATUSES index).
    event PacketDelivered(bytes32 indexed packetId, bytes32 commitment, uint8 status, bytes result, bytes32 ackCommitment);
    event PacketTimedOut(bytes32 indexed packetId, bytes32 commitment);
    event PacketAcknowledged(bytes32 indexed packetId, bytes32 ackCommitment);
    event PacketClosed(bytes32 indexed packetId);
    /// @param field JSON pointer of the offending input, e.g. "/packet/dstApp".
    error InvalidInput(string field, string reason);

    constructor(address registry_, address owner_) {
        if (registry_ == address(0)) revert InvalidInput("/registry", "zero address");
        if (owner_ == address(0)) revert InvalidInput("/owner", "zero address");
        registry = IBsnAppDirectory(registry_);
        owner = owner_;
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
        bytes memory sent;
        if (bytes(chainName).length != 0) sent = _checkDeliverable(p, seq, packetId, commitment);

        fieldsHash = packetFieldsHash(p, seq);
        commitments[keccak256(abi.encode(p.srcApp, p.dstChain, p.dstApp, seq))] = commitment;
        emit PacketSent(packetId, keccak256(bytes(p.srcApp)), commitment, seq, fieldsHash, msg.sender);
        // On the app's own stream too, the whole packet: any city node watching the app learns of it
        // from the chain, so a packet is relayed even when the node that sent it goes down at once.
        if (sent.length != 0) _appEvent(p.srcApp, "packet.sent", sent);
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

    // ---------------------------------------------------------------- delivery (docs/interchain-delivery.md)

    /// @notice Pins the attesters whose t-of-M signatures this chain counts (t > M/2), and, the
    /// first time, this chain's name in packets. Only the owner (the chain's operator) may.
    function configureDelivery(string calldata chainName_, address[] calldata attesters_, uint8 threshold_) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        BsnPacketCodec.checkChain(chainName_, "/chainName");
        if (bytes(chainName).length == 0) {
            chainName = chainName_;
        } else if (keccak256(bytes(chainName)) != keccak256(bytes(chainName_))) {
            revert InvalidInput("/chainName", "the chain's name is fixed at its first configuration");
        }
        uint256 m = attesters_.length;
        if (m == 0 || m > MAX_ATTESTERS) revert InvalidInput("/attesters", "1-64 attesters");
        if (threshold_ == 0 || threshold_ > m || uint256(threshold_) * 2 <= m) {
            revert InvalidInput("/threshold", "must be a majority of the attesters (m/2 < t <= m)");
        }
        uint64 e = ++epoch;
        for (uint256 i = 0; i < m; i++) {
            address a = attesters_[i];
            if (a == address(0)) revert InvalidInput(string.concat("/attesters/", _itoa(i)), "zero address");
            if (attesterSlot[e][a] != 0) revert InvalidInput(string.concat("/attesters/", _itoa(i)), "pinned twice");
            attesterSlot[e][a] = i + 1;
        }
        attesters = attesters_;
        threshold = threshold_;
        emit DeliveryConfigured(chainName_, attesters_, threshold_);
    }

    /// @notice The name, attesters and threshold delivery counts with (empty name: not configured).
    function deliveryConfig() external view returns (string memory, address[] memory, uint8) {
        return (chainName, attesters, threshold);
    }

    /// @notice Executes an attested packet on its target app exactly once, writing its ack in the
    /// same transaction. `getValue` is the value a kv.get reads (kept in a log, not in storage):
    /// the deliverer supplies it and the app's stored hash decides whether it is the value.
    function deliver(BsnPacketCodec.Packet calldata p, bytes[] calldata signatures, bytes calldata getValue)
        external
        returns (uint8 status)
    {
        (bytes32 id, bytes32 commitment) = _targetChecks(p, signatures);
        IBsnPacketApp app = _targetApp(p.dstApp);
        _notAnswered(id);
        if (block.timestamp * 1000 >= p.timeout) revert Conflict("timed out");
        uint8 op = BsnPacketCall.opOf(p.method);
        if (op == 0) revert InvalidInput("/packet/method", "unregistered method: packets may call kv.put, kv.get, kv.delete");
        _checkIncomingGrant(app, p);
        return _answer(app, id, commitment, op, p.payload, getValue);
    }

    function _checkIncomingGrant(IBsnPacketApp app, BsnPacketCodec.Packet calldata p) private view {
        if (app.interchain() != address(this) || !app.grantAllows(1, p.srcChain, p.srcApp, p.method, "", block.timestamp * 1000)) {
            revert Unauthorized("the target app grants this source no such call");
        }
    }

    /// @dev Executes the call and, in the same transaction, records the receipt with the ack.
    function _answer(IBsnPacketApp app, bytes32 id, bytes32 commitment, uint8 op, bytes calldata payload, bytes calldata getValue)
        private
        returns (uint8 status)
    {
        // Recorded before the app is called: an app upgraded by its admin to code that calls back
        // finds the packet delivered (the whole transaction reverts together if anything fails).
        received[id].state = DELIVERED;
        bytes memory result;
        (status, result) = _execute(app, op, payload, getValue);
        bytes32 ackCommitment = BsnPacketCodec.ackCommitment(id, commitment, _statusName(status), result);
        received[id] = TargetRecord(DELIVERED, status, uint64(block.number), ackCommitment);
        emit PacketDelivered(id, commitment, status, result, ackCommitment);
        app.packetEvent("packet.received", BsnPacketCodec.ackJson(id, commitment, _statusName(status), result));
    }

    /// @notice Records an attested packet, never delivered, as timed out once the chain's clock passed its timeout.
    function recordTimeout(BsnPacketCodec.Packet calldata p, bytes[] calldata signatures) external {
        (bytes32 id, bytes32 commitment) = _targetChecks(p, signatures);
        _notAnswered(id);
        if (block.timestamp * 1000 < p.timeout) revert Conflict("not timed out yet");
        received[id] = TargetRecord(TIMED_OUT, 0, uint64(block.number), bytes32(0));
        emit PacketTimedOut(id, commitment);
        _appEvent(p.dstApp, "packet.timeout", BsnPacketCodec.hex32(id));
    }

    /// @notice An ack as core spells it; status as the index in core's ACK_STATUSES.
    struct Ack {
        bytes32 packetId;
        bytes32 commitment;
        uint8 status;
        bytes result;
    }

    /// @notice Source: records the attested ack of a packet sent from here, once.
    function acknowledge(BsnPacketCodec.Packet calldata p, Ack calldata ack, bytes[] calldata signatures) external {
        (bytes32 key, bytes32 id, bytes32 commitment) = _sourceChecks(p);
        if (ack.packetId != id) revert InvalidInput("/ack/packetId", "not the packet's id");
        if (ack.commitment != commitment) revert InvalidInput("/ack/commitment", "not the packet's commitment");
        if (ack.status > 5) revert InvalidInput("/ack/status", "unknown status");
        bytes32 ackCommitment = BsnPacketCodec.ackCommitment(id, commitment, _statusName(ack.status), ack.result);
        _count(KIND_ACK, ackCommitment, signatures);
        answered[key] = SourceRecord(ACKNOWLEDGED, uint64(block.number), ackCommitment);
        emit PacketAcknowledged(id, ackCommitment);
        _appEvent(p.srcApp, "packet.acknowledged", BsnPacketCodec.ackJson(id, commitment, _statusName(ack.status), ack.result));
    }

    /// @notice Source: closes a packet sent from here as timed out, on its target's attested timeout record.
    function closeTimedOut(BsnPacketCodec.Packet calldata p, bytes[] calldata signatures) external {
        (bytes32 key, bytes32 id, bytes32 commitment) = _sourceChecks(p);
        _count(KIND_TIMEOUT, commitment, signatures);
        answered[key] = SourceRecord(TIMED_OUT, uint64(block.number), bytes32(0));
        emit PacketClosed(id);
        _appEvent(p.srcApp, "packet.closed", BsnPacketCodec.hex32(id));
    }

    /// @notice A packet as its target knows it (state 0 none, 1 delivered, 2 timed out).
    function targetState(bytes32 packetId)
        external
        view
        returns (uint8 state, uint8 status, uint64 blockNumber, bytes32 ackCommitment)
    {
        TargetRecord storage r = received[packetId];
        return (r.state, r.status, r.blockNumber, r.ackCommitment);
    }

    /// @notice A packet as its source knows it: the commitment sent (zero: never sent) and its state
    /// (0 sent, 1 acknowledged, 2 timed out).
    function sourceState(string calldata srcApp, string calldata dstChain, string calldata dstApp, uint64 seq)
        external
        view
        returns (bytes32 commitment, uint8 state, uint64 blockNumber, bytes32 ackCommitment)
    {
        bytes32 key = keccak256(abi.encode(srcApp, dstChain, dstApp, seq));
        SourceRecord storage r = answered[key];
        return (commitments[key], r.state, r.blockNumber, r.ackCommitment);
    }

    /// @dev Steps 1 and 2 of a target: well-formed, addressed to this chain, attested by t pinned attesters.
    function _targetChecks(BsnPacketCodec.Packet calldata p, bytes[] calldata signatures)
        private
        view
        returns (bytes32 id, bytes32 commitment)
    {
        BsnPacketCodec.check(p);
        if (bytes(chainName).length == 0) revert Unauthorized("delivery is not configured on this chain");
        if (keccak256(bytes(p.dstChain)) != keccak256(bytes(chainName))) revert InvalidInput("/packet/dstChain", "not this chain");
        commitment = BsnPacketCodec.commitment(p);
        id = BsnPacketCodec.id(p);
        _count(KIND_PACKET, commitment, signatures);
    }

    function _targetApp(string calldata appId) private view returns (IBsnPacketApp app) {
        (address a,) = registry.appOf(appId);
        if (a == address(0)) revert UnknownApp(appId);
        app = IBsnPacketApp(a);
        if (app.isFrozen()) revert Conflict("the target app is frozen");
    }

    function _notAnswered(bytes32 id) private view {
        uint8 state = received[id].state;
        if (state == DELIVERED) revert Conflict("already delivered");
        if (state == TIMED_OUT) revert Conflict("timed out");
    }

    /// @dev A packet sent from here, as sent, and still unanswered.
    function _sourceChecks(BsnPacketCodec.Packet calldata p) private view returns (bytes32 key, bytes32 id, bytes32 commitment) {
        BsnPacketCodec.check(p);
        if (bytes(chainName).length == 0) revert Unauthorized("delivery is not configured on this chain");
        if (keccak256(bytes(p.srcChain)) != keccak256(bytes(chainName))) revert InvalidInput("/packet/srcChain", "not this chain");
        key = keccak256(abi.encode(p.srcApp, p.dstChain, p.dstApp, p.seq));
        bytes32 stored = commitments[key];
        if (stored == bytes32(0)) revert NotFound("no such packet was sent from here");
        commitment = BsnPacketCodec.commitment(p);
        if (commitment != stored) revert InvalidInput("/packet", "differs from the packet sent");
        id = BsnPacketCodec.id(p);
        uint8 state = answered[key].state;
        if (state == ACKNOWLEDGED) revert Conflict("already acknowledged");
        if (state == TIMED_OUT) revert Conflict("already closed as timed out");
    }

    /// @dev Reverts unless `threshold` distinct pinned attesters signed (kind, commitment); each counted once.
    function _count(uint8 kind, bytes32 commitment, bytes[] calldata signatures) private view {
        uint256 t = threshold;
        if (t == 0) revert Unauthorized("delivery is not configured on this chain");
        bytes32 digest = BsnPacketCodec.attestationDigest(kind, commitment);
        uint256 seen;
        uint256 counted;
        uint64 e = epoch;
        for (uint256 i = 0; i < signatures.length; i++) {
            bytes calldata sig = signatures[i];
            if (sig.length != 65) continue;
            bytes32 r = bytes32(sig[0:32]);
            bytes32 s = bytes32(sig[32:64]);
            uint8 v = uint8(sig[64]);
            if ((v != 27 && v != 28) || uint256(s) > HALF_N) continue;
            address signer = ecrecover(digest, v, r, s);
            uint256 slot = signer == address(0) ? 0 : attesterSlot[e][signer];
            if (slot == 0 || seen & (1 << slot) != 0) continue;
            seen |= 1 << slot;
            counted++;
        }
        if (counted < t) revert BelowThreshold(counted, t);
    }

    /// @dev Runs the call on the app; the call's own failure is the ack's status, never a revert here.
    function _execute(IBsnPacketApp app, uint8 op, bytes calldata payload, bytes calldata getValue)
        private
        returns (uint8 status, bytes memory result)
    {
        (bool ok, bytes calldata key, bytes calldata value) = BsnPacketCall.decode(op, payload);
        if (!ok) return (1, "");
        try app.packetCall(op, string(key), value) returns (bytes32 valueHash) {
            if (op != BsnPacketCall.GET) return (0, "");
            if (keccak256(getValue) != valueHash) revert Conflict("the kv.get value supplied is not the stored one: read it again");
            return (0, getValue);
        } catch (bytes memory reason) {
            // No reason: the call ran out of gas (or hit an invalid opcode): the relayer's doing,
            // not the packet's, so nothing is answered and it may deliver again with more gas.
            if (reason.length < 4) revert CallOutOfGas();
            bytes4 selector = bytes4(reason);
            if (selector == BsnInput.InvalidInput.selector) return (1, "");
            if (selector == bytes4(keccak256("KeyNotFound(string)"))) return (2, "");
            return (4, "");
        }
    }

    /// @dev core ACK_STATUSES by index.
    function _statusName(uint8 status) private pure returns (string memory) {
        if (status == 0) return "OK";
        if (status == 1) return "INVALID_INPUT";
        if (status == 2) return "NOT_FOUND";
        if (status == 3) return "CONFLICT";
        if (status == 4) return "REJECTED_BY_CHAIN";
        return "UNAUTHORIZED";
    }

    /// @dev An event on the app's stream, where the app trusts this contract (an app that never granted is told nothing).
    function _appEvent(string calldata appId, string memory name, bytes memory payload) private {
        (address a,) = registry.appOf(appId);
        if (a == address(0) || IBsnPacketApp(a).interchain() != address(this)) return;
        IBsnPacketApp(a).packetEvent(name, payload);
    }

    /// @dev With delivery configured, a packet leaves only under the source app's outgoing grant, and
    /// the id and commitment it is sent with are the ones rebuilt here (acknowledge compares with them).
    /// @return sent the packet's RFC 8785 JSON, rebuilt here
    function _checkDeliverable(PacketFields calldata p, uint64 seq, bytes32 packetId, bytes32 commitment)
        private
        view
        returns (bytes memory sent)
    {
        BsnPacketCodec.checkId(p.srcApp, "/packet/srcApp");
        BsnPacketCodec.checkChain(p.dstChain, "/packet/dstChain");
        BsnPacketCodec.checkId(p.dstApp, "/packet/dstApp");
        BsnPacketCodec.checkMethod(p.method, "/packet/method");
        BsnPacketCodec.checkId(p.grantRef, "/packet/grantRef");
        if (p.timeout > BsnPacketCodec.MAX_SAFE_INTEGER) revert InvalidInput("/packet/timeout", "must be 1..2^53-1");
        (address a,) = registry.appOf(p.srcApp);
        if (!IBsnPacketApp(a).grantAllows(0, p.dstChain, p.dstApp, p.method, p.grantRef, block.timestamp * 1000)) {
            revert Unauthorized("the source app has no outgoing grant for this packet");
        }
        BsnPacketCodec.Packet memory full = BsnPacketCodec.Packet(
            chainName, p.srcApp, p.dstChain, p.dstApp, seq, p.method, p.payload, p.timeout, p.grantRef
        );
        sent = BsnPacketCodec.json(full);
        if (BsnPacketCodec.commitmentOfJson(sent) != commitment) revert InvalidInput("/commitment", "not the packet's commitment");
        if (BsnPacketCodec.id(full) != packetId) revert InvalidInput("/packetId", "not the packet's id");
    }

    function _itoa(uint256 v) private pure returns (string memory) {
        return string(BsnPacketCodec.decimal(v));
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
