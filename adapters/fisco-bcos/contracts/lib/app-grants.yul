// An app's side of interchain (docs/interchain-delivery.md), pasted into BsnKvApp: the grants its
// admin sets, which the registry asks at send (outgoing) and at delivery (incoming), and the two
// entries only the app's registry may call — a packet's call on the preset store, and an event on
// the app's stream. A packet can never reach setGrant: the registry calls only packetCall.
//
// Storage: a grant of (direction, peerChain, peerApp) at g = H(u8 direction ‖ u32 len ‖ peerChain ‖ u32 len ‖ peerApp):
//   hashPair(g, 0x30) → 1 | revoked << 8 | version << 16 | expiresAt << 128
//   hashPair(g, 0x31) → ref (bytes)
//   hashPair(hashPair(hashPair(g, version), 0x32), H(method)) → 1 for each method of that version

function onlyRegistry() {
    if iszero(eq(caller(), sload(0x15))) { revertWithWord({{selector "NotRegistry(address)"}}, caller()) }
}

function grantKey(direction, chainArg, appArg) -> g {
    let start := mload(0x40)
    mstore8(start, direction)
    let cOff, cLen := argBytes(chainArg)
    mstore(add(start, 1), shl(224, cLen))
    calldatacopy(add(start, 5), cOff, cLen)
    let at := add(add(start, 5), cLen)
    let aOff, aLen := argBytes(appArg)
    mstore(at, shl(224, aLen))
    calldatacopy(add(at, 4), aOff, aLen)
    g := keccak256(start, sub(add(add(at, 4), aLen), start))
}

// setGrant(direction 0 outgoing / 1 incoming, peerChain, peerApp, ref, methods [u8 length ‖ name]…, expiresAt ms (0 never), revoked)
function setGrant() {
    let direction := argUint(0, 8)
    if gt(direction, 1) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/grant/direction", 16, "outgoing or incoming", 20) }
    let cOff, cLen := argBytes(1)
    if or(iszero(cLen), gt(cLen, 64)) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/grant/peerChain", 16, "must be 1-64 characters", 23) }
    let aOff, aLen := argBytes(2)
    if or(iszero(aLen), gt(aLen, 128)) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/grant/peerApp", 14, "must be 1-128 characters", 24) }
    let rOff, rLen := argBytes(3)
    if or(iszero(rLen), gt(rLen, 128)) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/grant/ref", 10, "must be 1-128 characters", 24) }
    let mOff, mLen := argBytes(4)
    if iszero(mLen) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/grant/methods", 14, "at least one method", 19) }
    let g := grantKey(direction, 1, 2)
    let slot := hashPair(g, 0x30)
    let version := add(and(shr(16, sload(slot)), 0xffffffffffff), 1)
    let methods := hashPair(hashPair(g, version), 0x32)
    for { let at := 0 } lt(at, mLen) { } {
        let n := byte(0, calldataload(add(mOff, at)))
        if or(iszero(n), gt(add(add(at, 1), n), mLen)) {
            revertInvalid({{selector "InvalidInput(string,string)"}}, "/grant/methods", 14, "u8 length and name, each", 24)
        }
        sstore(hashPair(methods, hashCalldata(add(add(mOff, at), 1), n)), 1)
        at := add(add(at, 1), n)
    }
    storeBytes(hashPair(g, 0x31), copyCalldata(rOff, rLen), rLen)
    let revoked := iszero(iszero(arg(6)))
    sstore(slot, or(or(or(1, shl(8, revoked)), shl(16, version)), shl(128, argUint(5, 64))))
    // GrantSet(bytes32 indexed grantKey, uint8 direction, bool revoked, uint64 expiresAt)
    let out := alloc(96)
    mstore(out, direction)
    mstore(add(out, 32), revoked)
    mstore(add(out, 64), argUint(5, 64))
    log2(out, 96, {{topic "GrantSet(bytes32,uint8,bool,uint64)"}}, g)
    stop()
}

// grantAllows(direction, peerChain, peerApp, method, ref, nowMs): set, not revoked, not expired at
// nowMs, listing the method; for an outgoing grant, `ref` must be the grant's ref.
function grantAllows() {
    let direction := argUint(0, 8)
    let g := grantKey(direction, 1, 2)
    let record := sload(hashPair(g, 0x30))
    let expiresAt := shr(128, record)
    let allowed := and(and(record, 1), iszero(and(shr(8, record), 1)))
    if and(iszero(iszero(expiresAt)), iszero(lt(arg(5), expiresAt))) { allowed := 0 }
    let version := and(shr(16, record), 0xffffffffffff)
    let mOff, mLen := argBytes(3)
    if iszero(sload(hashPair(hashPair(hashPair(g, version), 0x32), hashCalldata(mOff, mLen)))) { allowed := 0 }
    if iszero(direction) {
        let rOff, rLen := argBytes(4)
        let ref, refLen := loadBytes(hashPair(g, 0x31))
        if iszero(and(eq(rLen, refLen), eq(hashCalldata(rOff, rLen), keccak256(ref, refLen)))) { allowed := 0 }
    }
    returnWord(allowed)
}

// packetCall(op 1 kv.put / 2 kv.get / 3 kv.delete, key, value): the preset's own rules and
// errors, without request ids (a packet executes once by its receipt) and without a member.
function packetCall() {
    if sload(0x11) { revertWith0({{selector "AppFrozen()"}}) }
    switch argUint(0, 8)
    case 1 { putEntry() }
    case 2 {
        let kOff, kLen := argBytes(1)
        getEntry(kOff, kLen)
    }
    case 3 { removeEntry() }
    default { revert(0, 0) }
}

function packetEvent() {
    let nOff, nLen := argBytes(0)
    if gt(nLen, 32) { revert(0, 0) }
    let pOff, pLen := argBytes(1)
    emitAppEvent(and(calldataload(nOff), not(shr(mul(8, nLen), not(0)))), nLen, pOff, pLen)
    stop()
}
