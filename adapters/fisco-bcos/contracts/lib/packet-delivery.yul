// The delivery half of BSN interchain in BsnKvRegistry (docs/interchain-delivery.md): the
// operator pins t-of-M attesters; a packet attested by t of them is executed once on its target
// app, its receipt and ack written in the same transaction; the source records the attested ack
// or timeout once. Every commitment counted is rebuilt here from the fields acted on
// (lib/packet-codec.yul); a relayer only carries bytes.
//
// Storage: 0x20 operator   0x21 chain name (bytes)   0x22 threshold   0x23 epoch
//   hashPair(hashPair(epoch, attester), 0x24) → index + 1 (an earlier epoch's attesters count no more)
//   target, by packet id: hashPair(id, 0x26) → state | status << 8 | block << 16; 0x27 ack commitment; 0x25 result; 0x2b packet commitment
//   source, by k = hashPair(channel, seq) (whose 0x13 is the commitment sent): 0x28 state word; 0x29 ack commitment; 0x2a result
// States: 1 delivered / acknowledged, 2 timed out.

function revertReason(sel, reason, len) {
    let out := alloc(100)
    mstore(out, shl(224, sel))
    mstore(add(out, 4), 32)
    mstore(add(out, 36), len)
    mstore(add(out, 68), reason)
    revert(out, 100)
}

function unauthorized(reason, len) { revertReason({{selector "Unauthorized(string)"}}, reason, len) }
function conflict(reason, len) { revertReason({{selector "Conflict(string)"}}, reason, len) }

function configureDelivery() {
    if iszero(eq(caller(), sload(0x20))) { revertWithWord({{selector "NotOwner(address)"}}, caller()) }
    let nOff, nLen := argBytes(0)
    let name := copyCalldata(nOff, nLen)
    checkChainBytes(name, nLen, "/chainName", 10)
    switch sload(0x21)
    case 0 { storeBytes(0x21, name, nLen) }
    default {
        let known, knownLen := loadBytes(0x21)
        if iszero(and(eq(knownLen, nLen), eq(keccak256(known, knownLen), keccak256(name, nLen)))) {
            revertInvalid({{selector "InvalidInput(string,string)"}}, "/chainName", 10, "fixed at its first configuration", 32)
        }
    }
    let aOff, aLen := argBytes(1)
    let m := div(aLen, 20)
    if or(or(mod(aLen, 20), iszero(m)), gt(m, 64)) {
        revertInvalid({{selector "InvalidInput(string,string)"}}, "/attesters", 10, "1-64 addresses of 20 bytes", 26)
    }
    let t := argUint(2, 8)
    if or(or(iszero(t), gt(t, m)), iszero(gt(mul(t, 2), m))) {
        revertInvalid({{selector "InvalidInput(string,string)"}}, "/threshold", 10, "must be a majority: m/2 < t <= m", 32)
    }
    let epoch := add(sload(0x23), 1)
    for { let i := 0 } lt(i, m) { i := add(i, 1) } {
        let a := shr(96, calldataload(add(aOff, mul(i, 20))))
        if iszero(a) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/attesters", 10, "zero address", 12) }
        let slot := hashPair(hashPair(epoch, a), 0x24)
        if sload(slot) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/attesters", 10, "pinned twice", 12) }
        sstore(slot, add(i, 1))
    }
    sstore(0x22, t)
    sstore(0x23, epoch)
    // DeliveryConfigured(uint64 epoch, uint8 threshold, bytes attesters)
    let out := alloc(add(128, aLen))
    mstore(out, epoch)
    mstore(add(out, 32), t)
    mstore(add(out, 64), 96)
    mstore(add(out, 96), aLen)
    calldatacopy(add(out, 128), aOff, aLen)
    mstore(add(add(out, 128), aLen), 0)
    log1(out, add(128, and(add(aLen, 31), not(31))), {{topic "DeliveryConfigured(uint64,uint8,bytes)"}})
    stop()
}

// (string chainName, uint8 threshold, uint64 epoch, address operator)
function deliveryConfig() {
    let name, len := loadBytes(0x21)
    let out := alloc(add(192, len))
    mstore(out, 128)
    mstore(add(out, 32), sload(0x22))
    mstore(add(out, 64), sload(0x23))
    mstore(add(out, 96), sload(0x20))
    mstore(add(out, 128), len)
    copyMemory(add(out, 160), name, len)
    mstore(add(add(out, 160), len), 0)
    return(out, add(160, and(add(len, 31), not(31))))
}

// Reverts BelowThreshold unless t distinct attesters of the current epoch signed (kind, commitment).
// Signatures: packed r ‖ s ‖ v (65 bytes each, v 27/28, low s), at ABI argument `i`.
function countAttestations(kind, commitment, i) {
    let t := sload(0x22)
    if iszero(t) { unauthorized("delivery is not configured", 26) }
    let sOff, sLen := argBytes(i)
    if mod(sLen, 65) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/attestations", 13, "65 bytes each", 13) }
    let digest := attestationDigest(kind, commitment)
    let epoch := sload(0x23)
    let buf := alloc(128)
    let seen := 0
    let counted := 0
    for { let k := 0 } lt(k, div(sLen, 65)) { k := add(k, 1) } {
        let at := add(sOff, mul(k, 65))
        let r := calldataload(at)
        let s := calldataload(add(at, 32))
        let v := byte(0, calldataload(add(at, 64)))
        let ok := and(or(eq(v, 27), eq(v, 28)), iszero(gt(s, 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0)))
        if ok {
            mstore(buf, digest)
            mstore(add(buf, 32), v)
            mstore(add(buf, 64), r)
            mstore(add(buf, 96), s)
            let signer := 0
            if and(staticcall(gas(), 1, buf, 128, buf, 32), eq(returndatasize(), 32)) { signer := mload(buf) }
            let slot := 0
            if signer { slot := sload(hashPair(hashPair(epoch, signer), 0x24)) }
            if and(iszero(iszero(slot)), iszero(and(seen, shl(slot, 1)))) {
                seen := or(seen, shl(slot, 1))
                counted := add(counted, 1)
            }
        }
    }
    if lt(counted, t) {
        mstore(0, shl(224, {{selector "BelowThreshold(uint256,uint256)"}}))
        mstore(4, counted)
        mstore(36, t)
        revert(0, 68)
    }
}

function sameBytes(aPtr, aLen, bPtr, bLen) -> same {
    same := and(eq(aLen, bLen), eq(keccak256(aPtr, aLen), keccak256(bPtr, bLen)))
}

// The packet is well formed and the chain named at `field` (0 srcChain, 2 dstChain) is this one.
function checkOnThisChain(p, field) {
    checkPacket(p)
    let name, nameLen := loadBytes(0x21)
    if iszero(nameLen) { unauthorized("delivery is not configured", 26) }
    let ptr, len := packetField(p, field)
    if iszero(sameBytes(ptr, len, name, nameLen)) {
        switch field
        case 0 { revertInvalid({{selector "InvalidInput(string,string)"}}, "/packet/srcChain", 16, "not this chain", 14) }
        default { revertInvalid({{selector "InvalidInput(string,string)"}}, "/packet/dstChain", 16, "not this chain", 14) }
    }
}

function appAddress(ptr, len) -> app {
    app := and(sload(hashPair(keccak256(ptr, len), 0x11)), 0xffffffffffffffffffffffffffffffffffffffff)
}

function targetRecordOf(id) -> state {
    state := and(sload(hashPair(id, 0x26)), 0xff)
}

function notAnswered(id) {
    switch targetRecordOf(id)
    case 1 { conflict("already delivered", 17) }
    case 2 { conflict("timed out", 9) }
}

// deliver(packet…, bytes attestations) → uint8 status: steps 1-7, then the call, the receipt and the ack.
function deliver() {
    let p := packetFromArgs(0)
    checkOnThisChain(p, 2)
    let commitment := packetCommitmentOf(p)
    let id := packetIdOf(p)
    countAttestations(1, commitment, 9)
    let dPtr, dLen := packetField(p, 3)
    let app := appAddress(dPtr, dLen)
    if iszero(app) { revertWithBytes({{selector "UnknownApp(string)"}}, dPtr, dLen) }
    if isFrozenApp(app) { conflict("the target app is frozen", 24) }
    notAnswered(id)
    let timeout, _t := packetField(p, 7)
    // FISCO's block timestamp is in milliseconds, like the packet's timeout.
    if iszero(lt(timestamp(), timeout)) { conflict("timed out", 9) }
    let op := opOf(p)
    if iszero(op) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/packet/method", 14, "unregistered method", 19) }
    if iszero(grantAllows(app, 1, p, 0)) { unauthorized("target app grants no such call", 30) }

    // The receipt first: a call that reaches back into deliver finds the packet delivered.
    sstore(hashPair(id, 0x26), 1)
    let status, rPtr, rLen := executeCall(app, op, p)
    let ackC, jsonPtr, jsonLen := ackCommitmentOf(id, commitment, status, rPtr, rLen)
    sstore(hashPair(id, 0x26), or(or(1, shl(8, status)), shl(16, number())))
    sstore(hashPair(id, 0x27), ackC)
    sstore(hashPair(id, 0x2b), commitment)
    storeBytes(hashPair(id, 0x25), rPtr, rLen)
    // PacketDelivered(bytes32 indexed packetId, bytes32 commitment, uint8 status, bytes result, bytes32 ackCommitment)
    let out := alloc(add(192, rLen))
    mstore(out, commitment)
    mstore(add(out, 32), status)
    mstore(add(out, 64), 128)
    mstore(add(out, 96), ackC)
    mstore(add(out, 128), rLen)
    copyMemory(add(out, 160), rPtr, rLen)
    mstore(add(add(out, 160), rLen), 0)
    log2(out, add(160, and(add(rLen, 31), not(31))), {{topic "PacketDelivered(bytes32,bytes32,uint8,bytes,bytes32)"}}, id)
    appEvent(app, "packet.received", 15, jsonPtr, jsonLen)
    returnWord(status)
}

// recordTimeout(packet…, bytes attestations): steps 1, 2 and 4, then the clock at or past the timeout.
function recordTimeout() {
    let p := packetFromArgs(0)
    checkOnThisChain(p, 2)
    let commitment := packetCommitmentOf(p)
    let id := packetIdOf(p)
    countAttestations(1, commitment, 9)
    notAnswered(id)
    let timeout, _t := packetField(p, 7)
    if lt(timestamp(), timeout) { conflict("not timed out yet", 17) }
    sstore(hashPair(id, 0x26), or(2, shl(16, number())))
    mstore(0, commitment)
    log2(0, 32, {{topic "PacketTimedOut(bytes32,bytes32)"}}, id)
    let dPtr, dLen := packetField(p, 3)
    let app := appAddress(dPtr, dLen)
    if app { appEventHex(app, "packet.timeout", 14, id) }
    stop()
}

// (uint8 state, uint8 status, uint64 blockNumber, bytes32 commitment, bytes32 ackCommitment, bytes result)
function targetState() {
    let id := arg(0)
    let record := sload(hashPair(id, 0x26))
    let rPtr, rLen := loadBytes(hashPair(id, 0x25))
    let out := alloc(add(256, rLen))
    mstore(out, and(record, 0xff))
    mstore(add(out, 32), and(shr(8, record), 0xff))
    mstore(add(out, 64), shr(16, record))
    mstore(add(out, 96), sload(hashPair(id, 0x2b)))
    mstore(add(out, 128), sload(hashPair(id, 0x27)))
    mstore(add(out, 160), 192)
    mstore(add(out, 192), rLen)
    copyMemory(add(out, 224), rPtr, rLen)
    mstore(add(add(out, 224), rLen), 0)
    return(out, add(224, and(add(rLen, 31), not(31))))
}

// ---------------------------------------------------------------- the source

// H(u32 length ‖ bytes) of srcApp, dstChain, dstApp, as channelHash() over sendPacket's arguments.
function channelOf(p) -> h {
    let start := mload(0x40)
    let cursor := start
    for { let i := 1 } lt(i, 4) { i := add(i, 1) } {
        let ptr, len := packetField(p, i)
        mstore(cursor, shl(224, len))
        copyMemory(add(cursor, 4), ptr, len)
        cursor := add(add(cursor, 4), len)
    }
    h := keccak256(start, sub(cursor, start))
}

// A packet sent from here, as sent, still unanswered: its source key, id and commitment.
function sourceChecks(p) -> key, id, commitment {
    checkOnThisChain(p, 0)
    let seq, _s := packetField(p, 4)
    key := hashPair(channelOf(p), seq)
    let stored := sload(hashPair(key, 0x13))
    if iszero(stored) { revertReason({{selector "NotFound(string)"}}, "no such packet was sent here", 28) }
    commitment := packetCommitmentOf(p)
    if iszero(eq(commitment, stored)) {
        revertInvalid({{selector "InvalidInput(string,string)"}}, "/packet", 7, "differs from the packet sent", 28)
    }
    id := packetIdOf(p)
    switch and(sload(hashPair(key, 0x28)), 0xff)
    case 1 { conflict("already acknowledged", 20) }
    case 2 { conflict("already closed as timed out", 27) }
}

// acknowledge(packet…, bytes attestations, bytes32 ackPacketId, bytes32 ackCommitment, uint8 status, bytes result)
function acknowledge() {
    let p := packetFromArgs(0)
    let key, id, commitment := sourceChecks(p)
    if iszero(eq(arg(10), id)) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/ack/packetId", 13, "not the packet's id", 19) }
    if iszero(eq(arg(11), commitment)) {
        revertInvalid({{selector "InvalidInput(string,string)"}}, "/ack/commitment", 15, "not the packet's commitment", 27)
    }
    let status := arg(12)
    if gt(status, 5) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/ack/status", 11, "unknown status", 14) }
    let rOff, rLen := argBytes(13)
    let rPtr := copyCalldata(rOff, rLen)
    let ackC, jsonPtr, jsonLen := ackCommitmentOf(id, commitment, status, rPtr, rLen)
    countAttestations(2, ackC, 9)
    sstore(hashPair(key, 0x28), or(or(1, shl(8, status)), shl(16, number())))
    sstore(hashPair(key, 0x29), ackC)
    storeBytes(hashPair(key, 0x2a), rPtr, rLen)
    mstore(0, ackC)
    log2(0, 32, {{topic "PacketAcknowledged(bytes32,bytes32)"}}, id)
    let sPtr, sLen := packetField(p, 1)
    appEvent(appAddress(sPtr, sLen), "packet.acknowledged", 19, jsonPtr, jsonLen)
    stop()
}

// closeTimedOut(packet…, bytes attestations): the target's attested timeout record closes the packet.
function closeTimedOut() {
    let p := packetFromArgs(0)
    let key, id, commitment := sourceChecks(p)
    countAttestations(3, commitment, 9)
    sstore(hashPair(key, 0x28), or(2, shl(16, number())))
    log2(0, 0, {{topic "PacketClosed(bytes32)"}}, id)
    let sPtr, sLen := packetField(p, 1)
    appEventHex(appAddress(sPtr, sLen), "packet.closed", 13, id)
    stop()
}

// sourceState(srcApp, dstChain, dstApp, seq) → (bytes32 commitment, uint8 state, uint8 status, uint64 blockNumber, bytes32 ackCommitment, bytes result)
function sourceState() {
    let key := hashPair(channelHash(), argUint(3, 64))
    let record := sload(hashPair(key, 0x28))
    let rPtr, rLen := loadBytes(hashPair(key, 0x2a))
    let out := alloc(add(256, rLen))
    mstore(out, sload(hashPair(key, 0x13)))
    mstore(add(out, 32), and(record, 0xff))
    mstore(add(out, 64), and(shr(8, record), 0xff))
    mstore(add(out, 96), shr(16, record))
    mstore(add(out, 128), sload(hashPair(key, 0x29)))
    mstore(add(out, 160), 192)
    mstore(add(out, 192), rLen)
    copyMemory(add(out, 224), rPtr, rLen)
    mstore(add(add(out, 224), rLen), 0)
    return(out, add(224, and(add(rLen, 31), not(31))))
}

// With delivery configured, a packet leaves only under its app's outgoing grant, with the id and
// commitment rebuilt here (acknowledge compares with them), and goes on the app's stream as packet.sent.
function checkDeliverable(app, seq) {
    let name, nameLen := loadBytes(0x21)
    let p := alloc(576)
    setPacketField(p, 0, name, nameLen)
    for { let i := 0 } lt(i, 7) { i := add(i, 1) } {
        // sendPacket's arguments 0-6: srcApp, dstChain, dstApp, method, payload, timeout, grantRef
        let field := add(i, 1)
        if gt(i, 2) { field := add(i, 2) }
        switch eq(i, 5)
        case 1 { setPacketField(p, 7, argUint(5, 64), 0) }
        default {
            let off, len := argBytes(i)
            setPacketField(p, field, copyCalldata(off, len), len)
        }
    }
    setPacketField(p, 4, seq, 0)
    checkPacket(p)
    if iszero(grantAllows(app, 0, p, 1)) { unauthorized("no outgoing grant for the packet", 32) }
    let start, json, jsonLen := packetJson(p, "bsn:packet-commitment:v1\n", 25)
    if iszero(eq(sha256Of(start, add(25, jsonLen)), arg(9))) {
        revertInvalid({{selector "InvalidInput(string,string)"}}, "/commitment", 11, "not the packet's commitment", 27)
    }
    if iszero(eq(packetIdOf(p), arg(8))) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/packetId", 9, "not the packet's id", 19) }
    appEvent(app, "packet.sent", 11, json, jsonLen)
}

// ---------------------------------------------------------------- the target app

function isFrozenApp(app) -> frozen {
    mstore(0, shl(224, {{selector "isFrozen()"}}))
    if iszero(staticcall(gas(), app, 0, 4, 0, 32)) { bubble() }
    frozen := mload(0)
}

// 1 kv.put, 2 kv.get, 3 kv.delete, 0 any other method.
function opOf(p) -> op {
    let ptr, len := packetField(p, 5)
    let w := mload(ptr)
    if eq(len, 6) {
        if eq(shr(208, w), shr(208, "kv.put")) { op := 1 }
        if eq(shr(208, w), shr(208, "kv.get")) { op := 2 }
    }
    if and(eq(len, 9), eq(shr(184, w), shr(184, "kv.delete"))) { op := 3 }
}

// ABI bytes (length word, data, zero padding) at `cursor`.
function appendAbiBytes(cursor, ptr, len) -> next {
    mstore(cursor, len)
    copyMemory(add(cursor, 32), ptr, len)
    mstore(add(add(cursor, 32), len), 0)
    next := add(add(cursor, 32), and(add(len, 31), not(31)))
}

// app.grantAllows(direction, peerChain, peerApp, method, ref, nowMs): for an incoming grant the
// peer is the packet's source and no ref is compared; for an outgoing one the target and its grantRef.
function grantAllows(app, direction, p, withRef) -> allowed {
    let chainField := 0
    let appField := 1
    if iszero(direction) {
        chainField := 2
        appField := 3
    }
    let input := alloc(1024)
    mstore(input, shl(224, {{selector "grantAllows(uint8,string,string,string,string,uint256)"}}))
    mstore(add(input, 4), direction)
    mstore(add(input, 164), timestamp())
    let cursor := add(input, 196)
    let fields := 0
    for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
        mstore(add(input, add(36, mul(i, 32))), sub(cursor, add(input, 4)))
        let ptr := 0
        let len := 0
        switch i
        case 0 { ptr, len := packetField(p, chainField) }
        case 1 { ptr, len := packetField(p, appField) }
        case 2 { ptr, len := packetField(p, 5) }
        default { if withRef { ptr, len := packetField(p, 8) } }
        cursor := appendAbiBytes(cursor, ptr, len)
    }
    mstore(0x40, cursor)
    if iszero(staticcall(gas(), app, input, sub(cursor, input), 0, 32)) { bubble() }
    allowed := eq(mload(0), 1)
}

// Runs the call on the app; its own failure is the ack's status, never a revert here — except a
// call that ran out of gas (no revert data): the relayer's doing, so nothing is answered.
function executeCall(app, op, p) -> status, rPtr, rLen {
    let payload, len := packetField(p, 6)
    let kPtr := payload
    let kLen := len
    let vPtr := add(payload, len)
    let vLen := 0
    if eq(op, 1) {
        if lt(len, 2) {
            status := 1
            leave
        }
        let n := shr(240, mload(payload))
        if lt(len, add(2, n)) {
            status := 1
            leave
        }
        kPtr := add(payload, 2)
        kLen := n
        vPtr := add(kPtr, n)
        vLen := sub(len, add(2, n))
    }
    if or(gt(kLen, 256), iszero(isUtf8(kPtr, kLen))) {
        status := 1
        leave
    }
    // app.packetCall(uint8 op, string key, bytes value)
    let input := mload(0x40)
    mstore(input, shl(224, {{selector "packetCall(uint8,string,bytes)"}}))
    mstore(add(input, 4), op)
    mstore(add(input, 36), 96)
    let cursor := appendAbiBytes(add(input, 100), kPtr, kLen)
    mstore(add(input, 68), sub(cursor, add(input, 4)))
    cursor := appendAbiBytes(cursor, vPtr, vLen)
    mstore(0x40, cursor)
    let ok := call(gas(), app, 0, input, sub(cursor, input), 0, 0)
    if ok {
        if eq(op, 2) {
            // abi.encode(bytes value)
            let out := alloc(returndatasize())
            returndatacopy(out, 0, returndatasize())
            rPtr := add(out, 64)
            rLen := mload(add(out, 32))
        }
        leave
    }
    if lt(returndatasize(), 4) { revertWith0({{selector "CallOutOfGas()"}}) }
    returndatacopy(0, 0, 4)
    let reason := shr(224, mload(0))
    status := 4
    if eq(reason, {{selector "InvalidInput(string,string)"}}) { status := 1 }
    if eq(reason, {{selector "KeyNotFound(string)"}}) { status := 2 }
}

// Well-formed UTF-8 as a fatal TextDecoder takes it: no overlong form, no surrogate, nothing
// above U+10FFFF, no cut sequence.
function isUtf8(ptr, len) -> ok {
    ok := 1
    for { let k := 0 } lt(k, len) { } {
        let c := byte(0, mload(add(ptr, k)))
        if lt(c, 0x80) {
            k := add(k, 1)
            continue
        }
        let extra := 0
        let lo := 0x80
        let hi := 0xbf
        switch and(gt(c, 0xc1), lt(c, 0xe0))
        case 1 { extra := 1 }
        default {
            switch and(gt(c, 0xdf), lt(c, 0xf0))
            case 1 {
                extra := 2
                if eq(c, 0xe0) { lo := 0xa0 }
                if eq(c, 0xed) { hi := 0x9f }
            }
            default {
                if iszero(and(gt(c, 0xef), lt(c, 0xf5))) {
                    ok := 0
                    leave
                }
                extra := 3
                if eq(c, 0xf0) { lo := 0x90 }
                if eq(c, 0xf4) { hi := 0x8f }
            }
        }
        if iszero(lt(add(k, extra), len)) {
            ok := 0
            leave
        }
        let c1 := byte(0, mload(add(ptr, add(k, 1))))
        if or(lt(c1, lo), gt(c1, hi)) {
            ok := 0
            leave
        }
        for { let j := 2 } iszero(gt(j, extra)) { j := add(j, 1) } {
            let cj := byte(0, mload(add(ptr, add(k, j))))
            if or(lt(cj, 0x80), gt(cj, 0xbf)) {
                ok := 0
                leave
            }
        }
        k := add(k, add(extra, 1))
    }
}

// app.packetEvent(name, payload): an event on the app's own stream (names are at most 32 bytes).
function appEvent(app, name, nameLen, ptr, len) {
    let input := mload(0x40)
    mstore(input, shl(224, {{selector "packetEvent(string,bytes)"}}))
    mstore(add(input, 4), 64)
    mstore(add(input, 36), 128)
    mstore(add(input, 68), nameLen)
    mstore(add(input, 100), name)
    let cursor := appendAbiBytes(add(input, 132), ptr, len)
    mstore(0x40, cursor)
    if iszero(call(gas(), app, 0, input, sub(cursor, input), 0, 0)) { bubble() }
}

function appEventHex(app, name, nameLen, id) {
    let p := alloc(64)
    let _ := appendHex32(p, id)
    appEvent(app, name, nameLen, p, 64)
}
