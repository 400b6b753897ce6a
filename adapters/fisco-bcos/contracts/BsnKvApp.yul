// The BSN preset data contract ("预制链码") for FISCO BCOS: one app's members, admin, freeze
// flag and key/value store with request-id idempotency, run behind a BsnAppProxy.
//
// Written in Yul because no SM-mode Solidity compiler can be had: every ABI selector, error
// selector and event topic below is a `{{selector "…"}}` / `{{topic "…"}}` placeholder that
// scripts/build-contracts.mjs fills with Keccak-256 (standard chains) or SM3 (SM chains) of the
// signature, so one source compiles to both builds. Storage keys and the hashes computed at run
// time use the KECCAK256 opcode, which a FISCO node runs as the chain's own hash.
//
// Storage (in the proxy): fixed slots 0x10… and mappings at hashPair(key, slot).
//   0x10 admin   0x11 frozen   0x12 version   0x13 mode   0x14 createdBlock   0x15 registry
//   0x16 appId (bytes)   0x17 member count, member i at hashPair(0x17, 0) + i
//   0x18 member → index + 1   0x19 live key count, key i (1-based) as bytes at hashPair(0x19, i)
//   0x1a entry of a key hash: meta (live bit 255 | key index << 64 | last write block), value bytes at meta + 1
//   0x1b request key → content hash (high 24 bytes) | executing block
//   0x30… grants, see lib/app-grants.yul
object "BsnKvApp" {
    code {
        datacopy(0, dataoffset("BsnKvApp_runtime"), datasize("BsnKvApp_runtime"))
        return(0, datasize("BsnKvApp_runtime"))
    }
    object "BsnKvApp_runtime" {
        code {
            mstore(0x40, memoryguard(0x80))
            if callvalue() { revert(0, 0) }
            switch selector()
            case {{selector "initialize(string,address,bytes,uint8,address)"}} { initialize() }
            case {{selector "put(bytes32,string,bytes)"}} { put() }
            case {{selector "remove(bytes32,string)"}} { remove() }
            case {{selector "get(string)"}} { get() }
            case {{selector "entry(string)"}} { entry() }
            case {{selector "entries(bytes)"}} { entries() }
            case {{selector "keyCount()"}} { returnWord(sload(0x19)) }
            case {{selector "keysPacked(uint256,uint256)"}} { keysPacked() }
            case {{selector "requestOf(bytes32)"}} { requestOf() }
            case {{selector "isMember(address)"}} { returnWord(iszero(iszero(sload(hashPair(argAddress(0), 0x18))))) }
            case {{selector "isFrozen()"}} { returnWord(sload(0x11)) }
            case {{selector "appInfo()"}} { appInfo() }
            case {{selector "addMember(address)"}} { onlyAdmin() addMember(argAddress(0)) stop() }
            case {{selector "removeMember(address)"}} { onlyAdmin() removeMember(argAddress(0)) stop() }
            case {{selector "freeze()"}} { onlyAdmin() setFrozen(1) stop() }
            case {{selector "unfreeze()"}} { onlyAdmin() setFrozen(0) stop() }
            case {{selector "upgradeTo(address)"}} { onlyAdmin() upgradeTo(argAddress(0)) stop() }
            case {{selector "proxiableUUID()"}} { returnWord(0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc) }
            case {{selector "setGrant(uint8,string,string,string,bytes,uint64,bool)"}} { onlyAdmin() setGrant() }
            case {{selector "grantAllows(uint8,string,string,string,string,uint256)"}} { grantAllows() }
            case {{selector "packetCall(uint8,string,bytes)"}} { onlyRegistry() packetCall() }
            case {{selector "packetEvent(string,bytes)"}} { onlyRegistry() packetEvent() }
            case {{selector "BSN_APP()"}} {
                let p := alloc(32)
                mstore(p, "bsn.fisco-bcos.kv-app/1")
                returnBytes(p, 23)
            }
            default { revert(0, 0) }

            // ---------------------------------------------------------------- lifecycle

            function initialize() {
                if sload(0x10) { revertWith0({{selector "AlreadyInitialized()"}}) }
                let aOff, aLen := argBytes(0)
                let admin := argAddress(1)
                let mOff, mLen := argBytes(2)
                if iszero(admin) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/admin", 6, "zero address", 12) }
                if mod(mLen, 20) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/members", 8, "not 20-byte addresses", 21) }
                storeBytes(0x16, copyCalldata(aOff, aLen), aLen)
                sstore(0x10, admin)
                sstore(0x12, 1)
                sstore(0x13, argUint(3, 8))
                sstore(0x14, number())
                sstore(0x15, argAddress(4))
                addMember(admin)
                for { let i := 0 } lt(i, mLen) { i := add(i, 20) } {
                    let member := shr(96, calldataload(add(mOff, i)))
                    if iszero(member) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/members", 8, "zero address", 12) }
                    addMember(member)
                }
                stop()
            }

            function onlyAdmin() {
                if iszero(eq(caller(), sload(0x10))) { revertWithWord({{selector "NotAdmin(address)"}}, caller()) }
            }

            // Writers: members of an app that is not frozen.
            function writer() {
                if sload(0x11) { revertWith0({{selector "AppFrozen()"}}) }
                if iszero(sload(hashPair(caller(), 0x18))) { revertWithWord({{selector "NotMember(address)"}}, caller()) }
            }

            function addMember(account) {
                let indexSlot := hashPair(account, 0x18)
                if sload(indexSlot) { leave }
                let count := sload(0x17)
                sstore(add(hashPair(0x17, 0), count), account)
                sstore(0x17, add(count, 1))
                sstore(indexSlot, add(count, 1))
                mstore(0, account)
                log1(0, 32, {{topic "MemberAdded(address)"}})
            }

            function removeMember(account) {
                if eq(account, sload(0x10)) { revertWithWord({{selector "AdminIsPermanentMember(address)"}}, account) }
                let indexSlot := hashPair(account, 0x18)
                let index := sload(indexSlot)
                if iszero(index) { leave }
                let count := sload(0x17)
                let base := hashPair(0x17, 0)
                if lt(index, count) {
                    let moved := sload(add(base, sub(count, 1)))
                    sstore(add(base, sub(index, 1)), moved)
                    sstore(hashPair(moved, 0x18), index)
                }
                sstore(add(base, sub(count, 1)), 0)
                sstore(0x17, sub(count, 1))
                sstore(indexSlot, 0)
                mstore(0, account)
                log1(0, 32, {{topic "MemberRemoved(address)"}})
            }

            function setFrozen(frozen) {
                sstore(0x11, frozen)
                mstore(0, frozen)
                log1(0, 32, {{topic "FrozenSet(bool)"}})
            }

            function upgradeTo(implementation) {
                if iszero(extcodesize(implementation)) { revertWithWord({{selector "BadImplementation(address)"}}, implementation) }
                mstore(0, shl(224, {{selector "proxiableUUID()"}}))
                let ok := staticcall(gas(), implementation, 0, 4, 0, 32)
                if iszero(and(ok, eq(returndatasize(), 32))) { revertWithWord({{selector "BadImplementation(address)"}}, implementation) }
                if iszero(eq(mload(0), 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc)) {
                    revertWithWord({{selector "BadImplementation(address)"}}, implementation)
                }
                sstore(0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc, implementation)
                sstore(0x12, add(sload(0x12), 1))
                mstore(0, implementation)
                log1(0, 32, {{topic "Upgraded(address)"}})
            }

            // ---------------------------------------------------------------- requests

            // Executes a request key once: records H(sender ‖ calldata)[:24] and the block, or
            // refuses with what was recorded, so the adapter can tell a retry from a conflict.
            function request(requestKey) {
                if iszero(requestKey) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/requestId", 10, "zero request key", 16) }
                let slot := hashPair(requestKey, 0x1b)
                let record := sload(slot)
                if record {
                    mstore(0, shl(224, {{selector "RequestAlreadyExecuted(bytes32,bytes24,uint64)"}}))
                    mstore(4, requestKey)
                    mstore(36, and(record, not(0xffffffffffffffff)))
                    mstore(68, and(record, 0xffffffffffffffff))
                    revert(0, 100)
                }
                let p := mload(0x40)
                mstore(p, shl(96, caller()))
                calldatacopy(add(p, 20), 0, calldatasize())
                let content := and(keccak256(p, add(20, calldatasize())), not(0xffffffffffffffff))
                sstore(slot, or(content, number()))
                mstore(p, content)
                log2(p, 32, {{topic "RequestExecuted(bytes32,bytes24)"}}, requestKey)
            }

            function requestOf() {
                let record := sload(hashPair(arg(0), 0x1b))
                mstore(0, and(record, not(0xffffffffffffffff)))
                mstore(32, and(record, 0xffffffffffffffff))
                return(0, 64)
            }

            // ---------------------------------------------------------------- key/value

            function checkKey(kOff, kLen) {
                if iszero(kLen) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/key", 4, "empty key", 9) }
                if gt(kLen, 256) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/key", 4, "key over 256 bytes", 18) }
                for { let i := 0 } lt(i, kLen) { i := add(i, 1) } {
                    if iszero(byte(0, calldataload(add(kOff, i)))) {
                        revertInvalid({{selector "InvalidInput(string,string)"}}, "/key", 4, "key contains U+0000", 19)
                    }
                }
            }

            function put() {
                writer()
                request(arg(0))
                putEntry()
            }

            // The write of put(requestKey, key, value) or packetCall(op, key, value): arguments 1 and 2.
            function putEntry() {
                let kOff, kLen := argBytes(1)
                let vOff, vLen := argBytes(2)
                checkKey(kOff, kLen)
                if iszero(vLen) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/value", 6, "empty value", 11) }
                if gt(vLen, 32768) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/value", 6, "value over 32768 bytes", 22) }
                let keyHash := hashCalldata(kOff, kLen)
                let base := hashPair(keyHash, 0x1a)
                let meta := sload(base)
                let previous := and(meta, 0xffffffffffffffff)
                if iszero(shr(255, meta)) {
                    let count := add(sload(0x19), 1)
                    storeBytes(hashPair(0x19, count), copyCalldata(kOff, kLen), kLen)
                    sstore(0x19, count)
                    meta := or(shl(255, 1), shl(64, count))
                }
                sstore(base, or(and(meta, not(0xffffffffffffffff)), number()))
                let vPtr := copyCalldata(vOff, vLen)
                storeBytes(add(base, 1), vPtr, vLen)
                emitKvWritten(keyHash, kOff, kLen, vPtr, vLen, 0, previous)
                emitAppEvent("kv.put", 6, kOff, kLen)
                stop()
            }

            // The preset `delete` (a reserved word in Solidity, kept as `remove` across EVM chains).
            function remove() {
                writer()
                request(arg(0))
                removeEntry()
            }

            // The delete of remove(requestKey, key) or packetCall(op, key, value): argument 1.
            function removeEntry() {
                let kOff, kLen := argBytes(1)
                checkKey(kOff, kLen)
                let keyHash := hashCalldata(kOff, kLen)
                let base := hashPair(keyHash, 0x1a)
                let meta := sload(base)
                if iszero(shr(255, meta)) { revertWithBytes({{selector "KeyNotFound(string)"}}, copyCalldata(kOff, kLen), kLen) }
                let index := and(shr(64, meta), 0xffffffff)
                let count := sload(0x19)
                if lt(index, count) {
                    let lastPtr, lastLen := loadBytes(hashPair(0x19, count))
                    storeBytes(hashPair(0x19, index), lastPtr, lastLen)
                    let lastBase := hashPair(keccak256(lastPtr, lastLen), 0x1a)
                    let lastMeta := sload(lastBase)
                    sstore(lastBase, or(and(lastMeta, not(shl(64, 0xffffffff))), shl(64, index)))
                }
                sstore(hashPair(0x19, count), 0)
                sstore(0x19, sub(count, 1))
                sstore(base, number())
                sstore(add(base, 1), 0)
                emitKvWritten(keyHash, kOff, kLen, 0, 0, 1, and(meta, 0xffffffffffffffff))
                emitAppEvent("kv.delete", 9, kOff, kLen)
                stop()
            }

            function get() {
                let kOff, kLen := argBytes(0)
                getEntry(kOff, kLen)
            }

            function getEntry(kOff, kLen) {
                let base := hashPair(hashCalldata(kOff, kLen), 0x1a)
                if iszero(shr(255, sload(base))) { revertWithBytes({{selector "KeyNotFound(string)"}}, copyCalldata(kOff, kLen), kLen) }
                let vPtr, vLen := loadBytes(add(base, 1))
                returnBytes(vPtr, vLen)
            }

            // (bool live, bytes value, uint64 lastBlock): lastBlock is the block of the last write, a delete included.
            function entry() {
                let kOff, kLen := argBytes(0)
                let base := hashPair(hashCalldata(kOff, kLen), 0x1a)
                let meta := sload(base)
                let vPtr, vLen := loadBytes(add(base, 1))
                let out := alloc(add(128, vLen))
                mstore(out, shr(255, meta))
                mstore(add(out, 32), 96)
                mstore(add(out, 64), and(meta, 0xffffffffffffffff))
                mstore(add(out, 96), vLen)
                copyMemory(add(out, 128), vPtr, vLen)
                mstore(add(add(out, 128), vLen), 0)
                return(out, add(128, and(add(vLen, 31), not(31))))
            }

            // entries(packed keys [u16 length ‖ key]…) → bytes of [u8 live ‖ u64 lastBlock ‖ u32 length ‖ value]… per key.
            function entries() {
                let inOff, inLen := argBytes(0)
                let keys := copyCalldata(inOff, inLen)
                let out := mload(0x40)
                let cursor := add(out, 64)
                for { let at := 0 } lt(at, inLen) { } {
                    let kLen := shr(240, mload(add(keys, at)))
                    let kPtr := add(add(keys, at), 2)
                    if gt(add(add(at, 2), kLen), inLen) { revert(0, 0) }
                    at := add(add(at, 2), kLen)
                    let base := hashPair(keccak256(kPtr, kLen), 0x1a)
                    let meta := sload(base)
                    let live := shr(255, meta)
                    let vLen := mul(live, sload(add(base, 1)))
                    mstore(cursor, or(or(shl(248, live), shl(184, and(meta, 0xffffffffffffffff))), shl(152, vLen)))
                    cursor := add(cursor, 13)
                    let vBase := hashPair(add(base, 1), 0)
                    for { let i := 0 } lt(mul(i, 32), vLen) { i := add(i, 1) } {
                        mstore(add(cursor, mul(i, 32)), sload(add(vBase, i)))
                    }
                    cursor := add(cursor, vLen)
                }
                let length := sub(cursor, add(out, 64))
                mstore(cursor, 0)
                mstore(out, 32)
                mstore(add(out, 32), length)
                mstore(0x40, add(cursor, 32))
                return(out, add(64, and(add(length, 31), not(31))))
            }

            // keysPacked(start, count) → bytes of [u16 length ‖ key]… for live keys start…start+count (storage order).
            function keysPacked() {
                let start := arg(0)
                let total := sload(0x19)
                let end := add(start, arg(1))
                if or(gt(end, total), lt(end, start)) { end := total }
                let out := mload(0x40)
                let cursor := add(out, 64)
                for { let i := start } lt(i, end) { i := add(i, 1) } {
                    let slot := hashPair(0x19, add(i, 1))
                    let kLen := sload(slot)
                    mstore(cursor, shl(240, kLen))
                    cursor := add(cursor, 2)
                    let kBase := hashPair(slot, 0)
                    for { let j := 0 } lt(mul(j, 32), kLen) { j := add(j, 1) } {
                        mstore(add(cursor, mul(j, 32)), sload(add(kBase, j)))
                    }
                    cursor := add(cursor, kLen)
                }
                let length := sub(cursor, add(out, 64))
                mstore(cursor, 0)
                mstore(out, 32)
                mstore(add(out, 32), length)
                mstore(0x40, add(cursor, 32))
                return(out, add(64, and(add(length, 31), not(31))))
            }

            // KvWritten(bytes32 indexed keyHash, string key, bytes value, bool deleted, uint64 previousBlock)
            function emitKvWritten(keyHash, kOff, kLen, vPtr, vLen, deleted, previous) {
                let kPad := and(add(kLen, 31), not(31))
                let vPad := and(add(vLen, 31), not(31))
                let size := add(add(192, kPad), vPad)
                let out := alloc(add(size, 32))
                mstore(out, 128)
                mstore(add(out, 32), add(160, kPad))
                mstore(add(out, 64), deleted)
                mstore(add(out, 96), previous)
                mstore(add(out, 128), kLen)
                calldatacopy(add(out, 160), kOff, kLen)
                mstore(add(add(out, 160), kLen), 0)
                let vAt := add(add(out, 160), kPad)
                mstore(vAt, vLen)
                copyMemory(add(vAt, 32), vPtr, vLen)
                mstore(add(add(vAt, 32), vLen), 0)
                log2(out, size, {{topic "KvWritten(bytes32,string,bytes,bool,uint64)"}}, keyHash)
            }

            // AppEvent(bytes32 indexed nameHash, string name, bytes payload): what the gateway streams.
            function emitAppEvent(name, nameLen, pOff, pLen) {
                let pPad := and(add(pLen, 31), not(31))
                let size := add(160, pPad)
                let out := alloc(add(size, 32))
                mstore(out, 64)
                mstore(add(out, 32), 128)
                mstore(add(out, 64), nameLen)
                mstore(add(out, 96), name)
                mstore(add(out, 128), pLen)
                calldatacopy(add(out, 160), pOff, pLen)
                mstore(add(add(out, 160), pLen), 0)
                log2(out, size, {{topic "AppEvent(bytes32,string,bytes)"}}, keccak256(add(out, 96), nameLen))
            }

            // (string appId, address admin, bool frozen, uint64 version, uint8 mode, uint64 createdBlock,
            //  address implementation, address registry, bytes members): members packed 20 bytes each.
            function appInfo() {
                let aPtr, aLen := loadBytes(0x16)
                let count := sload(0x17)
                let mLen := mul(count, 20)
                let aPad := and(add(aLen, 31), not(31))
                let out := alloc(add(add(352, aPad), add(mLen, 32)))
                mstore(out, 288)
                mstore(add(out, 32), sload(0x10))
                mstore(add(out, 64), sload(0x11))
                mstore(add(out, 96), sload(0x12))
                mstore(add(out, 128), sload(0x13))
                mstore(add(out, 160), sload(0x14))
                mstore(add(out, 192), sload(0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc))
                mstore(add(out, 224), sload(0x15))
                mstore(add(out, 256), add(320, aPad))
                mstore(add(out, 288), aLen)
                copyMemory(add(out, 320), aPtr, aLen)
                mstore(add(add(out, 320), aLen), 0)
                let mAt := add(add(out, 320), aPad)
                mstore(mAt, mLen)
                let base := hashPair(0x17, 0)
                for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                    mstore(add(add(mAt, 32), mul(i, 20)), shl(96, sload(add(base, i))))
                }
                mstore(add(add(mAt, 32), mLen), 0)
                return(out, add(add(352, aPad), and(add(mLen, 31), not(31))))
            }

            // @include lib/app-grants.yul
            // @include lib/abi.yul
        }
    }
}
