// One per FISCO BCOS group, beside BsnKvRegistry: the apps that bring their own contract.
// The package's code is deployed by its own transaction (FISCO keeps the ABI given with it:
// getABI), then `createApp` makes the app in one transaction — a BsnCustomAppProxy created
// here running that code, the initializer run through it, admin (the sender, always a member),
// members, mode recorded — so a failing initializer leaves no app. `upgrade` switches the
// proxy to new code and runs the migration in one transaction, the admin's alone, so a failed
// migration leaves the old version serving. Ids are unique across this and the preset
// registry (an id the preset registry holds is AppExists here; the adapter checks this one
// before a preset create). The proxy asks `canWrite` on every call.
//
// Selectors and topics are placeholders filled per crypto mode (see BsnKvApp.yul).
// Storage: 0x20 the preset registry; for h = H(appId): hashPair(h, 0x21) → createdBlock << 160 | proxy;
// 0x22 admin; 0x23 mode << 8 | frozen; 0x24 version; 0x25 member count, hashPair(that, i) → member i;
// hashPair(hashPair(h, 0x26), account) → index + 1; hashPair(hashPair(h, 0x27), version) → implementation.
object "BsnCustomApps" {
    code {
        // constructor(address presetRegistry)
        codecopy(0, sub(codesize(), 32), 32)
        let preset := mload(0)
        if or(shr(160, preset), iszero(extcodesize(preset))) { revert(0, 0) }
        sstore(0x20, preset)
        datacopy(0, dataoffset("BsnCustomApps_runtime"), datasize("BsnCustomApps_runtime"))
        return(0, datasize("BsnCustomApps_runtime"))
    }
    object "BsnCustomApps_runtime" {
        code {
            mstore(0x40, memoryguard(0x80))
            if callvalue() { revert(0, 0) }
            switch selector()
            case {{selector "createApp(string,bytes,uint8,address,bytes)"}} { createApp() }
            case {{selector "upgrade(string,address,bytes)"}} { upgrade() }
            case {{selector "addMember(string,address)"}} { setMember(1) }
            case {{selector "removeMember(string,address)"}} { setMember(0) }
            case {{selector "setFrozen(string,bool)"}} { setFrozen() }
            case {{selector "appInfo(string)"}} { appInfo() }
            case {{selector "implementationAt(string,uint64)"}} {
                let aOff, aLen := argBytes(0)
                returnWord(sload(hashPair(hashPair(hashCalldata(aOff, aLen), 0x27), argUint(1, 64))))
            }
            case {{selector "canWrite(bytes32,address)"}} { returnWord(canWrite(arg(0), argAddress(1))) }
            case {{selector "presetRegistry()"}} { returnWord(sload(0x20)) }
            case {{selector "BSN_CUSTOM_APPS()"}} {
                let p := alloc(32)
                mstore(p, "bsn.fisco-bcos.custom-apps/1")
                returnBytes(p, 28)
            }
            default { revert(0, 0) }

            // createApp(appId, members (20 bytes each), mode, implementation, initializer calldata)
            function createApp() {
                let aOff, aLen := argBytes(0)
                let mOff, mLen := argBytes(1)
                let mode := argUint(2, 8)
                let implementation := argAddress(3)
                let iOff, iLen := argBytes(4)
                checkId(aOff, aLen)
                if mod(mLen, 20) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/members", 8, "20 bytes per member", 19) }
                let h := hashCalldata(aOff, aLen)
                if or(sload(hashPair(h, 0x21)), presetHolds(aOff, aLen)) {
                    revertWithBytes({{selector "AppExists(string)"}}, copyCalldata(aOff, aLen), aLen)
                }
                if iszero(extcodesize(implementation)) { revertWithWord({{selector "ImplementationHasNoCode(address)"}}, implementation) }

                let size := datasize("BsnCustomAppProxy")
                let code := alloc(add(size, 64))
                datacopy(code, dataoffset("BsnCustomAppProxy"), size)
                mstore(add(code, size), implementation)
                mstore(add(add(code, size), 32), h)
                let proxy := create(0, code, add(size, 64))
                if iszero(proxy) { bubble() }

                sstore(hashPair(h, 0x21), or(shl(160, number()), proxy))
                sstore(hashPair(h, 0x22), caller())
                sstore(hashPair(h, 0x23), shl(8, mode))
                sstore(hashPair(h, 0x24), 1)
                sstore(hashPair(hashPair(h, 0x27), 1), implementation)
                addMemberTo(h, caller())
                for { let i := 0 } lt(i, mLen) { i := add(i, 20) } { addMemberTo(h, shr(96, calldataload(add(mOff, i)))) }
                if iLen { runOnProxy(proxy, implementation, iOff, iLen) }

                // AppCreated(bytes32 indexed appIdHash, string appId, address app, address admin)
                let aPad := and(add(aLen, 31), not(31))
                let out := alloc(add(128, aPad))
                mstore(out, 96)
                mstore(add(out, 32), proxy)
                mstore(add(out, 64), caller())
                mstore(add(out, 96), aLen)
                calldatacopy(add(out, 128), aOff, aLen)
                mstore(add(add(out, 128), aLen), 0)
                log2(out, add(128, aPad), {{topic "AppCreated(bytes32,string,address,address)"}}, h)
                published(h, 1, implementation)
                returnWord(proxy)
            }

            // upgrade(appId, implementation, migration calldata): the admin's alone.
            function upgrade() {
                let aOff, aLen := argBytes(0)
                let implementation := argAddress(1)
                let mOff, mLen := argBytes(2)
                let h, proxy := requireApp(aOff, aLen)
                onlyAdmin(h)
                if iszero(extcodesize(implementation)) { revertWithWord({{selector "ImplementationHasNoCode(address)"}}, implementation) }
                runOnProxy(proxy, implementation, mOff, mLen)
                let version := add(sload(hashPair(h, 0x24)), 1)
                sstore(hashPair(h, 0x24), version)
                sstore(hashPair(hashPair(h, 0x27), version), implementation)
                published(h, version, implementation)
                stop()
            }

            function setMember(add_) {
                let aOff, aLen := argBytes(0)
                let account := argAddress(1)
                let h, proxy := requireApp(aOff, aLen)
                onlyAdmin(h)
                switch add_
                case 1 { addMemberTo(h, account) }
                default {
                    if eq(account, sload(hashPair(h, 0x22))) { revertWithWord({{selector "AdminIsPermanentMember(address)"}}, account) }
                    removeMemberFrom(h, account)
                }
                stop()
            }

            function setFrozen() {
                let aOff, aLen := argBytes(0)
                let frozen := argUint(1, 1)
                let h, proxy := requireApp(aOff, aLen)
                onlyAdmin(h)
                let slot := hashPair(h, 0x23)
                sstore(slot, or(and(sload(slot), not(1)), frozen))
                stop()
            }

            // (address app, address admin, bytes members, bool frozen, uint64 version, uint8 mode,
            //  uint64 createdBlock, address implementation); app 0 when there is no such app.
            function appInfo() {
                let aOff, aLen := argBytes(0)
                let h := hashCalldata(aOff, aLen)
                let record := sload(hashPair(h, 0x21))
                let flags := sload(hashPair(h, 0x23))
                let version := sload(hashPair(h, 0x24))
                let list := hashPair(h, 0x25)
                let n := sload(list)
                let out := alloc(add(320, mul(n, 32)))
                mstore(out, and(record, 0xffffffffffffffffffffffffffffffffffffffff))
                mstore(add(out, 32), sload(hashPair(h, 0x22)))
                mstore(add(out, 64), 256)
                mstore(add(out, 96), and(flags, 1))
                mstore(add(out, 128), version)
                mstore(add(out, 160), and(shr(8, flags), 0xff))
                mstore(add(out, 192), shr(160, record))
                mstore(add(out, 224), sload(hashPair(hashPair(h, 0x27), version)))
                mstore(add(out, 256), mul(n, 20))
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    mstore(add(add(out, 288), mul(i, 20)), shl(96, sload(hashPair(list, i))))
                }
                mstore(add(add(out, 288), mul(n, 20)), 0)
                return(out, add(288, and(add(mul(n, 20), 31), not(31))))
            }

            function canWrite(h, account) -> ok {
                ok := and(iszero(and(sload(hashPair(h, 0x23)), 1)), gt(sload(hashPair(hashPair(h, 0x26), account)), 0))
            }

            function requireApp(aOff, aLen) -> h, proxy {
                h := hashCalldata(aOff, aLen)
                proxy := and(sload(hashPair(h, 0x21)), 0xffffffffffffffffffffffffffffffffffffffff)
                if iszero(proxy) { revertWithBytes({{selector "UnknownApp(string)"}}, copyCalldata(aOff, aLen), aLen) }
            }

            function onlyAdmin(h) {
                if iszero(eq(caller(), sload(hashPair(h, 0x22)))) { revertWithWord({{selector "NotAdmin(address)"}}, caller()) }
            }

            function addMemberTo(h, account) {
                let index := hashPair(hashPair(h, 0x26), account)
                if sload(index) { leave }
                let list := hashPair(h, 0x25)
                let n := sload(list)
                sstore(hashPair(list, n), account)
                sstore(list, add(n, 1))
                sstore(index, add(n, 1))
            }

            function removeMemberFrom(h, account) {
                let index := hashPair(hashPair(h, 0x26), account)
                let i := sload(index)
                if iszero(i) { leave }
                let list := hashPair(h, 0x25)
                let n := sload(list)
                let last := sload(hashPair(list, sub(n, 1)))
                sstore(hashPair(list, sub(i, 1)), last)
                sstore(hashPair(hashPair(h, 0x26), last), i)
                sstore(hashPair(list, sub(n, 1)), 0)
                sstore(list, sub(n, 1))
                sstore(index, 0)
            }

            // The proxy's upgradeTo(implementation, data): switches the code and runs `data` through it.
            function runOnProxy(proxy, implementation, off, len) {
                let pad := and(add(len, 31), not(31))
                let p := alloc(add(100, pad))
                mstore(p, shl(224, {{selector "upgradeTo(address,bytes)"}}))
                mstore(add(p, 4), implementation)
                mstore(add(p, 36), 64)
                mstore(add(p, 68), len)
                calldatacopy(add(p, 100), off, len)
                mstore(add(add(p, 100), len), 0)
                if iszero(call(gas(), proxy, 0, p, add(100, pad), 0, 0)) { bubble() }
            }

            // ContractPublished(bytes32 indexed appIdHash, uint64 version, address implementation)
            function published(h, version, implementation) {
                mstore(0, version)
                mstore(32, implementation)
                log2(0, 64, {{topic "ContractPublished(bytes32,uint64,address)"}}, h)
            }

            // Whether the preset registry holds the id (its appOf answers a non-zero app).
            function presetHolds(aOff, aLen) -> held {
                let pad := and(add(aLen, 31), not(31))
                let p := alloc(add(68, pad))
                mstore(p, shl(224, {{selector "appOf(string)"}}))
                mstore(add(p, 4), 32)
                mstore(add(p, 36), aLen)
                calldatacopy(add(p, 68), aOff, aLen)
                mstore(add(add(p, 68), aLen), 0)
                if iszero(staticcall(gas(), sload(0x20), p, add(68, pad), 0, 64)) { bubble() }
                held := gt(mload(0), 0)
            }

            // ^[A-Za-z0-9._:-]{1,128}$, the standard's id rule.
            function checkId(off, len) {
                if or(iszero(len), gt(len, 128)) {
                    revertInvalid({{selector "InvalidInput(string,string)"}}, "/appId", 6, "must be 1-128 characters", 24)
                }
                for { let i := 0 } lt(i, len) { i := add(i, 1) } {
                    let c := byte(0, calldataload(add(off, i)))
                    let ok := or(or(and(gt(c, 0x2f), lt(c, 0x3b)), and(gt(c, 0x40), lt(c, 0x5b))), and(gt(c, 0x60), lt(c, 0x7b)))
                    ok := or(ok, or(or(eq(c, 0x2e), eq(c, 0x5f)), eq(c, 0x2d)))
                    if iszero(ok) {
                        revertInvalid({{selector "InvalidInput(string,string)"}}, "/appId", 6, "only A-Z a-z 0-9 . _ : -", 24)
                    }
                }
            }

            function bubble() {
                returndatacopy(0, 0, returndatasize())
                revert(0, returndatasize())
            }

            // @include lib/abi.yul
        }
        // @include BsnCustomAppProxy.yul
    }
}
