import { Interface } from 'ethers';

/**
 * The interfaces of the BSN contracts for FISCO BCOS (contracts/*.yul), as ethers fragments.
 * The Yul sources name the same signatures in their placeholders; a test keeps the two equal.
 * Selectors and topics are NOT ethers' (always Keccak): `ChainAbi` hashes these signatures with
 * the chain's own hash.
 */
const ERRORS = [
  'error NotMember(address account)',
  'error NotAdmin(address account)',
  'error AppFrozen()',
  'error KeyNotFound(string key)',
  'error InvalidInput(string field, string reason)',
  'error RequestAlreadyExecuted(bytes32 requestKey, bytes24 contentHash, uint64 blockNumber)',
  'error AdminIsPermanentMember(address admin)',
  'error AlreadyInitialized()',
  'error BadImplementation(address implementation)',
  'error NotRegistry(address account)',
];

export const appInterface = new Interface([
  'function initialize(string appId, address admin, bytes members, uint8 mode, address registry)',
  'function put(bytes32 requestKey, string key, bytes value)',
  'function remove(bytes32 requestKey, string key)',
  'function get(string key) view returns (bytes value)',
  'function entry(string key) view returns (bool live, bytes value, uint64 lastBlock)',
  'function entries(bytes packedKeys) view returns (bytes packedEntries)',
  'function keyCount() view returns (uint256)',
  'function keysPacked(uint256 start, uint256 count) view returns (bytes packedKeys)',
  'function requestOf(bytes32 requestKey) view returns (bytes24 contentHash, uint64 blockNumber)',
  'function isMember(address account) view returns (bool)',
  'function isFrozen() view returns (bool)',
  'function appInfo() view returns (string appId, address admin, bool frozen, uint64 version, uint8 mode, uint64 createdBlock, address implementation, address registry, bytes members)',
  'function addMember(address account)',
  'function removeMember(address account)',
  'function freeze()',
  'function unfreeze()',
  'function upgradeTo(address implementation)',
  'function proxiableUUID() view returns (bytes32)',
  'function BSN_APP() view returns (string)',
  // Interchain (contracts/lib/app-grants.yul): grants set by the admin, entries only the registry calls.
  'function setGrant(uint8 direction, string peerChain, string peerApp, string ref, bytes methods, uint64 expiresAt, bool revoked)',
  'function grantAllows(uint8 direction, string peerChain, string peerApp, string method, string ref, uint256 nowMs) view returns (bool)',
  'function packetCall(uint8 op, string key, bytes value) returns (bytes result)',
  'function packetEvent(string name, bytes payload)',
  'event GrantSet(bytes32 indexed grantKey, uint8 direction, bool revoked, uint64 expiresAt)',
  'event MemberAdded(address account)',
  'event MemberRemoved(address account)',
  'event FrozenSet(bool frozen)',
  'event Upgraded(address implementation)',
  'event RequestExecuted(bytes32 indexed requestKey, bytes24 contentHash)',
  'event KvWritten(bytes32 indexed keyHash, string key, bytes value, bool deleted, uint64 previousBlock)',
  'event AppEvent(bytes32 indexed nameHash, string name, bytes payload)',
  ...ERRORS,
]);

const PACKET =
  'string srcChain, string srcApp, string dstChain, string dstApp, uint64 seq, string method, bytes payload, uint64 timeout, string grantRef';

export const registryInterface = new Interface([
  'function createApp(string appId, bytes members, uint8 mode) returns (address app)',
  'function appOf(string appId) view returns (address app, uint64 createdBlock)',
  'function implementation() view returns (address)',
  'function sendPacket(string srcApp, string dstChain, string dstApp, string method, bytes payload, uint64 timeout, string grantRef, uint64 seq, bytes32 packetId, bytes32 commitment) returns (bytes32 fieldsHash)',
  'function nextSeq(string srcApp, string dstChain, string dstApp) view returns (uint64)',
  'function commitmentOf(string srcApp, string dstChain, string dstApp, uint64 seq) view returns (bytes32)',
  'function BSN_REGISTRY() view returns (string)',
  // Delivery (contracts/lib/packet-delivery.yul); a packet is its nine fields in core's order, the payload raw.
  'function configureDelivery(string chainName, bytes attesters, uint8 threshold)',
  'function deliveryConfig() view returns (string chainName, uint8 threshold, uint64 epoch, address operator)',
  `function deliver(${PACKET}, bytes attestations) returns (uint8 status)`,
  `function recordTimeout(${PACKET}, bytes attestations)`,
  `function acknowledge(${PACKET}, bytes attestations, bytes32 ackPacketId, bytes32 ackCommitment, uint8 status, bytes result)`,
  `function closeTimedOut(${PACKET}, bytes attestations)`,
  'function targetState(bytes32 packetId) view returns (uint8 state, uint8 status, uint64 blockNumber, bytes32 commitment, bytes32 ackCommitment, bytes result)',
  'function sourceState(string srcApp, string dstChain, string dstApp, uint64 seq) view returns (bytes32 commitment, uint8 state, uint8 status, uint64 blockNumber, bytes32 ackCommitment, bytes result)',
  'event DeliveryConfigured(uint64 epoch, uint8 threshold, bytes attesters)',
  'event PacketDelivered(bytes32 indexed packetId, bytes32 commitment, uint8 status, bytes result, bytes32 ackCommitment)',
  'event PacketTimedOut(bytes32 indexed packetId, bytes32 commitment)',
  'event PacketAcknowledged(bytes32 indexed packetId, bytes32 ackCommitment)',
  'event PacketClosed(bytes32 indexed packetId)',
  'error NotOwner(address account)',
  'error Unauthorized(string reason)',
  'error Conflict(string reason)',
  'error NotFound(string reason)',
  'error BelowThreshold(uint256 counted, uint256 needed)',
  'error CallOutOfGas()',
  // Called on apps by the registry (sendPacket's checks):
  'function isMember(address account) view returns (bool)',
  'function isFrozen() view returns (bool)',
  'function initialize(string appId, address admin, bytes members, uint8 mode, address registry)',
  'event AppCreated(bytes32 indexed appIdHash, string appId, address app, address admin)',
  'event PacketSent(bytes32 indexed packetId, bytes32 indexed srcAppHash, bytes32 commitment, uint64 seq, bytes32 fieldsHash, address sender)',
  'error AppExists(string appId)',
  'error UnknownApp(string appId)',
  'error SeqMismatch(uint64 expected, uint64 given)',
  ...ERRORS,
]);

/** What `BSN_REGISTRY()` and `BSN_APP()` answer: how the adapter knows it found the right contracts. */
export const REGISTRY_ID = 'bsn.fisco-bcos.registry/1';
export const APP_ID = 'bsn.fisco-bcos.kv-app/1';
