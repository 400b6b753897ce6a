// What both versions of the sample token run (pasted in at `// @include token-core.yul`).
// Storage: 0 initialized, 1 owner, 2 totalSupply, hash(account, 3) balance; version 2 appends.

function selector() -> s {
    s := shr(224, calldataload(0))
}

function arg(i) -> v {
    if lt(calldatasize(), add(36, mul(i, 32))) { revert(0, 0) }
    v := calldataload(add(4, mul(i, 32)))
}

function argAddress(i) -> a {
    a := arg(i)
    if shr(160, a) { revert(0, 0) }
}

function returnWord(v) {
    mstore(0, v)
    return(0, 32)
}

// The chain's hash (SM3 on an SM chain) of a balance's slot.
function balanceSlot(account) -> slot {
    mstore(0, account)
    mstore(32, 3)
    slot := keccak256(0, 64)
}

function initialize() {
    if sload(0) { revertWith0({{selector "AlreadyInitialized()"}}) }
    sstore(0, 1)
    sstore(1, argAddress(0))
    stop()
}

function mint() {
    let to := argAddress(0)
    let amount := arg(1)
    if iszero(eq(caller(), sload(1))) { revertWithWord({{selector "NotTokenOwner(address)"}}, caller()) }
    let supply := add(sload(2), amount)
    if lt(supply, amount) { revert(0, 0) }
    sstore(2, supply)
    let slot := balanceSlot(to)
    sstore(slot, add(sload(slot), amount))
    transferred(0, to, amount)
    stop()
}

function transfer() {
    let to := argAddress(0)
    let amount := arg(1)
    debit(caller(), amount)
    let slot := balanceSlot(to)
    sstore(slot, add(sload(slot), amount))
    transferred(caller(), to, amount)
    returnWord(1)
}

function debit(account, amount) {
    let slot := balanceSlot(account)
    let held := sload(slot)
    if lt(held, amount) {
        // InsufficientBalance(address account, uint256 balance, uint256 needed)
        mstore(0, shl(224, {{selector "InsufficientBalance(address,uint256,uint256)"}}))
        mstore(4, account)
        mstore(36, held)
        mstore(68, amount)
        revert(0, 100)
    }
    sstore(slot, sub(held, amount))
}

// Transfer(address indexed from, address indexed to, uint256 value)
function transferred(from, to, amount) {
    mstore(0, amount)
    log3(0, 32, {{topic "Transfer(address,address,uint256)"}}, from, to)
}

function revertWith0(sel) {
    mstore(0, shl(224, sel))
    revert(0, 4)
}

function revertWithWord(sel, w) {
    mstore(0, shl(224, sel))
    mstore(4, w)
    revert(0, 36)
}
