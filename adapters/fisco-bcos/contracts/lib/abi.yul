// ABI helpers shared by the BSN contracts (pasted into each object by scripts/build-contracts.mjs
// at `// @include lib/abi.yul`). Calldata is read as the Solidity ABI lays it out; dynamic
// arguments are bounds-checked (malformed calldata reverts with no data, as Solidity's decoder).

function selector() -> s {
    s := shr(224, calldataload(0))
}

function arg(i) -> v {
    let at := add(4, mul(i, 32))
    if gt(add(at, 32), calldatasize()) { revert(0, 0) }
    v := calldataload(at)
}

function argAddress(i) -> a {
    a := arg(i)
    if shr(160, a) { revert(0, 0) }
}

function argUint(i, bits) -> v {
    v := arg(i)
    if shr(bits, v) { revert(0, 0) }
}

// A dynamic `bytes`/`string` argument: where its data starts in calldata, and its length.
function argBytes(i) -> offset, length {
    let head := arg(i)
    if gt(head, 0xffffffff) { revert(0, 0) }
    let p := add(4, head)
    if gt(add(p, 32), calldatasize()) { revert(0, 0) }
    length := calldataload(p)
    if gt(length, 0xffffffff) { revert(0, 0) }
    offset := add(p, 32)
    if gt(add(offset, length), calldatasize()) { revert(0, 0) }
}

// ---------------------------------------------------------------- memory

function alloc(size) -> p {
    p := mload(0x40)
    mstore(0x40, add(p, and(add(size, 31), not(31))))
}

function copyCalldata(offset, length) -> p {
    p := alloc(length)
    calldatacopy(p, offset, length)
}

// Word-wise copy (no MCOPY: FISCO 3.x before the Cancun executor runs London/Paris rules).
// It may write up to 31 bytes past dst+length; callers zero-pad right after.
function copyMemory(dst, src, length) {
    for { let i := 0 } lt(i, length) { i := add(i, 32) } {
        mstore(add(dst, i), mload(add(src, i)))
    }
}

function hashCalldata(offset, length) -> h {
    let p := mload(0x40)
    calldatacopy(p, offset, length)
    h := keccak256(p, length)
}

// keccak256 is the chain's hash: SM3 on SM chains (the host's hash_fn), Keccak-256 otherwise.
function hashPair(a, b) -> h {
    mstore(0, a)
    mstore(32, b)
    h := keccak256(0, 64)
}

// ---------------------------------------------------------------- return values

function returnWord(v) {
    mstore(0, v)
    return(0, 32)
}

// abi.encode(bytes) of `length` bytes at memory `p`.
function returnBytes(p, length) {
    let out := alloc(add(64, length))
    mstore(out, 32)
    mstore(add(out, 32), length)
    copyMemory(add(out, 64), p, length)
    let padded := and(add(length, 31), not(31))
    mstore(add(add(out, 64), length), 0)
    return(out, add(64, padded))
}

// ---------------------------------------------------------------- storage of byte strings

// A byte string in storage: its length at `slot`, its words from hash(slot) on.
function storeBytes(slot, p, length) {
    sstore(slot, length)
    let base := hashPair(slot, 0)
    for { let i := 0 } lt(mul(i, 32), length) { i := add(i, 1) } {
        sstore(add(base, i), mload(add(p, mul(i, 32))))
    }
}

function loadBytes(slot) -> p, length {
    length := sload(slot)
    p := alloc(length)
    let base := hashPair(slot, 0)
    for { let i := 0 } lt(mul(i, 32), length) { i := add(i, 1) } {
        mstore(add(p, mul(i, 32)), sload(add(base, i)))
    }
}

// ---------------------------------------------------------------- errors

function revertWith0(sel) {
    mstore(0, shl(224, sel))
    revert(0, 4)
}

function revertWithWord(sel, w) {
    mstore(0, shl(224, sel))
    mstore(4, w)
    revert(0, 36)
}

// Error(bytes or string) with one dynamic argument taken from memory.
function revertWithBytes(sel, p, length) {
    let out := alloc(add(100, length))
    mstore(out, shl(224, sel))
    mstore(add(out, 4), 32)
    mstore(add(out, 36), length)
    copyMemory(add(out, 68), p, length)
    mstore(add(add(out, 68), length), 0)
    revert(out, add(68, and(add(length, 31), not(31))))
}

// InvalidInput(string field, string reason) from two short literals (each at most 32 bytes).
function revertInvalid(sel, field, fieldLength, reason, reasonLength) {
    let out := alloc(196)
    mstore(out, shl(224, sel))
    mstore(add(out, 4), 64)
    mstore(add(out, 36), 128)
    mstore(add(out, 68), fieldLength)
    mstore(add(out, 100), field)
    mstore(add(out, 132), reasonLength)
    mstore(add(out, 164), reason)
    revert(out, 196)
}
