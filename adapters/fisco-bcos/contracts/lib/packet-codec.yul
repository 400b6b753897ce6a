// Rebuilds on chain, byte for byte, what core signs for interchain delivery
// (docs/interchain-delivery.md): the packet's RFC 8785 JSON, its commitment and id, the ack's JSON
// and commitment, the attestation digest. Every string field is first checked against an alphabet
// JSON never escapes, so the JSON is built by concatenation. Hashes are SHA-256 (precompile 0x02)
// on every chain, SM or not: they are core's, not the chain's.
//
// A packet lives in memory as 9 fields of two words each (pointer, length; a number in the first
// word): 0 srcChain, 1 srcApp, 2 dstChain, 3 dstApp, 4 seq, 5 method, 6 payload (raw bytes),
// 7 timeout, 8 grantRef.

function packetField(p, i) -> ptr, len {
    ptr := mload(add(p, mul(i, 64)))
    len := mload(add(p, add(mul(i, 64), 32)))
}

function setPacketField(p, i, ptr, len) {
    mstore(add(p, mul(i, 64)), ptr)
    mstore(add(p, add(mul(i, 64), 32)), len)
}

// The packet from 9 consecutive ABI arguments (string srcChain, string srcApp, string dstChain,
// string dstApp, uint64 seq, string method, bytes payload, uint64 timeout, string grantRef).
function packetFromArgs(first) -> p {
    p := alloc(576)
    for { let i := 0 } lt(i, 9) { i := add(i, 1) } {
        switch or(eq(i, 4), eq(i, 7))
        case 1 { setPacketField(p, i, argUint(add(first, i), 64), 0) }
        default {
            let off, len := argBytes(add(first, i))
            setPacketField(p, i, copyCalldata(off, len), len)
        }
    }
}

// Every rule core's checkPacket applies, InvalidInput naming the field otherwise.
function checkPacket(p) {
    checkChainName(p, 0, "/packet/srcChain", 16)
    checkAppId(p, 1, "/packet/srcApp", 14)
    checkChainName(p, 2, "/packet/dstChain", 16)
    checkAppId(p, 3, "/packet/dstApp", 14)
    checkSafeInteger(p, 4, "/packet/seq", 11)
    checkMethodName(p, 5, "/packet/method", 14)
    let _, payloadLen := packetField(p, 6)
    if gt(payloadLen, 65536) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/packet/payload", 15, "payload too large", 17) }
    checkSafeInteger(p, 7, "/packet/timeout", 15)
    checkAppId(p, 8, "/packet/grantRef", 16)
}

function checkSafeInteger(p, i, field, fieldLen) {
    let v, _ := packetField(p, i)
    if or(iszero(v), gt(v, 0x1fffffffffffff)) {
        revertInvalid({{selector "InvalidInput(string,string)"}}, field, fieldLen, "must be 1..2^53-1", 17)
    }
}

function isDigit(c) -> ok { ok := and(gt(c, 0x2f), lt(c, 0x3a)) }
function isLower(c) -> ok { ok := and(gt(c, 0x60), lt(c, 0x7b)) }
function isUpper(c) -> ok { ok := and(gt(c, 0x40), lt(c, 0x5b)) }

// ^[a-z0-9][a-z0-9._-]{0,63}$
function checkChainName(p, i, field, fieldLen) {
    let ptr, len := packetField(p, i)
    checkChainBytes(ptr, len, field, fieldLen)
}

function checkChainBytes(ptr, len, field, fieldLen) {
    if or(iszero(len), gt(len, 64)) {
        revertInvalid({{selector "InvalidInput(string,string)"}}, field, fieldLen, "chain name must be 1-64 chars", 29)
    }
    for { let k := 0 } lt(k, len) { k := add(k, 1) } {
        let c := byte(0, mload(add(ptr, k)))
        let ok := or(isLower(c), isDigit(c))
        if k { ok := or(ok, or(or(eq(c, 0x2e), eq(c, 0x5f)), eq(c, 0x2d))) }
        if iszero(ok) { revertInvalid({{selector "InvalidInput(string,string)"}}, field, fieldLen, "only [a-z0-9._-], from [a-z0-9]", 31) }
    }
}

// ^[A-Za-z0-9._:-]{1,128}$
function checkAppId(p, i, field, fieldLen) {
    let ptr, len := packetField(p, i)
    if or(iszero(len), gt(len, 128)) { revertInvalid({{selector "InvalidInput(string,string)"}}, field, fieldLen, "must be 1-128 characters", 24) }
    for { let k := 0 } lt(k, len) { k := add(k, 1) } {
        let c := byte(0, mload(add(ptr, k)))
        let ok := or(or(isLower(c), isUpper(c)), isDigit(c))
        ok := or(ok, or(or(eq(c, 0x2e), eq(c, 0x5f)), or(eq(c, 0x3a), eq(c, 0x2d))))
        if iszero(ok) { revertInvalid({{selector "InvalidInput(string,string)"}}, field, fieldLen, "only A-Z a-z 0-9 . _ : -", 24) }
    }
}

// ^[A-Za-z_][A-Za-z0-9_.]{0,63}$
function checkMethodName(p, i, field, fieldLen) {
    let ptr, len := packetField(p, i)
    if or(iszero(len), gt(len, 64)) { revertInvalid({{selector "InvalidInput(string,string)"}}, field, fieldLen, "must be 1-64 characters", 23) }
    for { let k := 0 } lt(k, len) { k := add(k, 1) } {
        let c := byte(0, mload(add(ptr, k)))
        let ok := or(or(isLower(c), isUpper(c)), eq(c, 0x5f))
        if k { ok := or(ok, or(isDigit(c), eq(c, 0x2e))) }
        if iszero(ok) { revertInvalid({{selector "InvalidInput(string,string)"}}, field, fieldLen, "not an identifier", 17) }
    }
}

// ---------------------------------------------------------------- building bytes

// Appends the first `len` (<= 32) bytes of the word `text`.
function appendText(cursor, text, len) -> next {
    mstore(cursor, text)
    next := add(cursor, len)
}

function appendBytes(cursor, ptr, len) -> next {
    copyMemory(cursor, ptr, len)
    next := add(cursor, len)
}

function appendField(cursor, p, i) -> next {
    let ptr, len := packetField(p, i)
    next := appendBytes(cursor, ptr, len)
}

// Decimal, as RFC 8785 writes an integer.
function appendDecimal(cursor, v) -> next {
    let digits := 1
    for { let t := div(v, 10) } t { t := div(t, 10) } { digits := add(digits, 1) }
    next := add(cursor, digits)
    for { let k := sub(next, 1) } 1 { k := sub(k, 1) } {
        mstore8(k, add(48, mod(v, 10)))
        v := div(v, 10)
        if eq(k, cursor) { break }
    }
}

function base64Digit(v) -> c {
    switch lt(v, 26)
    case 1 { c := add(v, 65) }
    default {
        switch lt(v, 52)
        case 1 { c := add(v, 71) }
        default {
            switch lt(v, 62)
            case 1 { c := sub(v, 4) }
            default { c := add(43, mul(eq(v, 63), 4)) }
        }
    }
}

// Standard base64 with padding (RFC 4648 §4), as core's toBase64 writes it.
function appendBase64(cursor, ptr, len) -> next {
    next := cursor
    for { let k := 0 } lt(k, len) { k := add(k, 3) } {
        let chunk := shr(232, mload(add(ptr, k)))
        let rest := sub(len, k)
        if lt(rest, 3) { chunk := and(chunk, shl(mul(8, sub(3, rest)), sub(shl(mul(8, rest), 1), 1))) }
        mstore8(next, base64Digit(and(shr(18, chunk), 0x3f)))
        mstore8(add(next, 1), base64Digit(and(shr(12, chunk), 0x3f)))
        mstore8(add(next, 2), base64Digit(and(shr(6, chunk), 0x3f)))
        mstore8(add(next, 3), base64Digit(and(chunk, 0x3f)))
        next := add(next, 4)
    }
    switch mod(len, 3)
    case 1 {
        mstore8(sub(next, 1), 0x3d)
        mstore8(sub(next, 2), 0x3d)
    }
    case 2 { mstore8(sub(next, 1), 0x3d) }
}

// Lowercase hex of a word, as core's toHex spells commitments and ids.
function appendHex32(cursor, w) -> next {
    for { let k := 0 } lt(k, 32) { k := add(k, 1) } {
        let b := byte(k, w)
        mstore8(add(cursor, mul(k, 2)), hexDigit(shr(4, b)))
        mstore8(add(cursor, add(mul(k, 2), 1)), hexDigit(and(b, 0x0f)))
    }
    next := add(cursor, 64)
}

function hexDigit(v) -> c {
    c := add(v, 48)
    if gt(v, 9) { c := add(v, 87) }
}

function sha256Of(ptr, len) -> h {
    if iszero(staticcall(gas(), 2, ptr, len, 0, 32)) { revert(0, 0) }
    h := mload(0)
}

// ---------------------------------------------------------------- what core hashes

// The packet's RFC 8785 JSON: keys dstApp, dstChain, grantRef, method, payload, seq, srcApp, srcChain, timeout, v.
// Built right after a prefix of `prefixLen` (<= 32) bytes, so the hashed bytes need no copy.
function packetJson(p, prefix, prefixLen) -> start, ptr, len {
    let _, payloadLen := packetField(p, 6)
    start := alloc(add(1088, mul(div(add(payloadLen, 2), 3), 4)))
    mstore(start, prefix)
    ptr := add(start, prefixLen)
    let c := appendText(ptr, "{\"dstApp\":\"", 11)
    c := appendField(c, p, 3)
    c := appendText(c, "\",\"dstChain\":\"", 14)
    c := appendField(c, p, 2)
    c := appendText(c, "\",\"grantRef\":\"", 14)
    c := appendField(c, p, 8)
    c := appendText(c, "\",\"method\":\"", 12)
    c := appendField(c, p, 5)
    c := appendText(c, "\",\"payload\":\"", 13)
    let payload, _l := packetField(p, 6)
    c := appendBase64(c, payload, payloadLen)
    c := appendText(c, "\",\"seq\":", 8)
    let seq, _s := packetField(p, 4)
    c := appendDecimal(c, seq)
    c := appendText(c, ",\"srcApp\":\"", 11)
    c := appendField(c, p, 1)
    c := appendText(c, "\",\"srcChain\":\"", 14)
    c := appendField(c, p, 0)
    c := appendText(c, "\",\"timeout\":", 12)
    let timeout, _t := packetField(p, 7)
    c := appendDecimal(c, timeout)
    c := appendText(c, ",\"v\":1}", 7)
    len := sub(c, ptr)
}

// core packetCommitment(): SHA-256("bsn:packet-commitment:v1\n" ‖ JSON).
function packetCommitmentOf(p) -> h {
    let start, ptr, len := packetJson(p, "bsn:packet-commitment:v1\n", 25)
    h := sha256Of(start, add(25, len))
}

// core packetId(): SHA-256("bsn:packet-id:v1\n" ‖ RFC 8785 of {dstApp, dstChain, seq, srcApp, srcChain}).
function packetIdOf(p) -> h {
    let start := alloc(512)
    let c := appendText(start, "bsn:packet-id:v1\n{\"dstApp\":\"", 28)
    c := appendField(c, p, 3)
    c := appendText(c, "\",\"dstChain\":\"", 14)
    c := appendField(c, p, 2)
    c := appendText(c, "\",\"seq\":", 8)
    let seq, _ := packetField(p, 4)
    c := appendDecimal(c, seq)
    c := appendText(c, ",\"srcApp\":\"", 11)
    c := appendField(c, p, 1)
    c := appendText(c, "\",\"srcChain\":\"", 14)
    c := appendField(c, p, 0)
    c := appendText(c, "\"}", 2)
    h := sha256Of(start, sub(c, start))
}

// core ACK_STATUSES by index: 0 OK, 1 INVALID_INPUT, 2 NOT_FOUND, 3 CONFLICT, 4 REJECTED_BY_CHAIN, 5 UNAUTHORIZED.
function appendStatus(cursor, status) -> next {
    switch status
    case 0 { next := appendText(cursor, "OK", 2) }
    case 1 { next := appendText(cursor, "INVALID_INPUT", 13) }
    case 2 { next := appendText(cursor, "NOT_FOUND", 9) }
    case 3 { next := appendText(cursor, "CONFLICT", 8) }
    case 4 { next := appendText(cursor, "REJECTED_BY_CHAIN", 17) }
    default { next := appendText(cursor, "UNAUTHORIZED", 12) }
}

// The ack's RFC 8785 JSON {commitment, packetId, result, status}, right after the commitment's prefix.
function ackJson(id, commitment, status, resultPtr, resultLen) -> start, ptr, len {
    start := alloc(add(352, mul(div(add(resultLen, 2), 3), 4)))
    mstore(start, "bsn:ack-commitment:v1\n")
    ptr := add(start, 22)
    let c := appendText(ptr, "{\"commitment\":\"", 15)
    c := appendHex32(c, commitment)
    c := appendText(c, "\",\"packetId\":\"", 14)
    c := appendHex32(c, id)
    c := appendText(c, "\",\"result\":\"", 12)
    c := appendBase64(c, resultPtr, resultLen)
    c := appendText(c, "\",\"status\":\"", 12)
    c := appendStatus(c, status)
    c := appendText(c, "\"}", 2)
    len := sub(c, ptr)
}

// core ackCommitment(): SHA-256("bsn:ack-commitment:v1\n" ‖ the ack's JSON), and that JSON.
function ackCommitmentOf(id, commitment, status, resultPtr, resultLen) -> h, jsonPtr, jsonLen {
    let start, ptr, len := ackJson(id, commitment, status, resultPtr, resultLen)
    h := sha256Of(start, add(22, len))
    jsonPtr := ptr
    jsonLen := len
}

// core interchainDigest(): SHA-256("bsn:interchain-attestation:v1\n" ‖ kind byte ‖ commitment).
function attestationDigest(kind, commitment) -> h {
    let p := alloc(96)
    mstore(p, "bsn:interchain-attestation:v1\n")
    mstore8(add(p, 30), kind)
    mstore(add(p, 31), commitment)
    h := sha256Of(p, 63)
}
