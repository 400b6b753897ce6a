// The address an app that brings its own contract lives at: it holds the app's storage and
// runs the package's code (the implementation in the EIP-1967 slot) by DELEGATECALL. The app's
// code knows nothing of BSN, so this proxy enforces BSN's rules itself:
//  - only the registry that created it may switch the implementation (`upgradeTo`, with an
//    initializer or migration run in the same call, whose revert undoes the switch); like a
//    transparent proxy, the registry never calls the app otherwise, so no selector of the
//    app is shadowed for anyone else;
//  - a caller the registry says may not write (not a member, or the app frozen) runs the call
//    again through this proxy inside STATICCALL: reads answer, any write fails, and the call
//    reverts NotWriter (the app then sees the proxy as msg.sender);
//  - `bsnRequest(requestKey, data)` runs `data` at most once per request key (the gateway's
//    idempotent submit), recording H(sender ‖ data)[:24] and the block as BsnKvApp does; the
//    adapter refuses a package whose ABI has that selector.
// Constructor arguments (appended, not ABI-offset): implementation, H(appId). The creator is
// the registry. Slots are H(label) - 1, far from any Solidity layout.
object "BsnCustomAppProxy" {
    code {
        codecopy(0, sub(codesize(), 64), 64)
        sstore(0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc, mload(0))
        sstore(0x65e35ccefadcf27b1e1d2263f43e26a20c9e0f88cba27c737c4aae72d3eb9fce, caller())
        sstore(0xfb1280aff71d2d0fd207cadd2d40c2bb51147b3f4c8361c5828dd883d49d37d2, mload(32))
        datacopy(0, dataoffset("BsnCustomAppProxy_runtime"), datasize("BsnCustomAppProxy_runtime"))
        return(0, datasize("BsnCustomAppProxy_runtime"))
    }
    object "BsnCustomAppProxy_runtime" {
        code {
            let registry := sload(0x65e35ccefadcf27b1e1d2263f43e26a20c9e0f88cba27c737c4aae72d3eb9fce)
            if eq(caller(), registry) { upgradeTo() }
            // The read-only re-entry of readOnly() below.
            if eq(caller(), address()) { delegate(0, calldatasize()) }
            // Asked in scratch memory 0-68, which runs over the free-memory pointer: set after.
            mstore(0, shl(224, {{selector "canWrite(bytes32,address)"}}))
            mstore(4, sload(0xfb1280aff71d2d0fd207cadd2d40c2bb51147b3f4c8361c5828dd883d49d37d2))
            mstore(36, caller())
            if iszero(staticcall(gas(), registry, 0, 68, 0, 32)) { revert(0, 0) }
            let writer := mload(0)
            mstore(0x40, memoryguard(0x80))
            if iszero(writer) { readOnly() }
            if eq(selector(), {{selector "bsnRequest(bytes32,bytes)"}}) { bsnRequest() }
            delegate(0, calldatasize())

            // upgradeTo(address implementation, bytes data): the registry's only call.
            function upgradeTo() {
                if iszero(eq(selector(), {{selector "upgradeTo(address,bytes)"}})) { revert(0, 0) }
                let implementation := argAddress(0)
                let off, len := argBytes(1)
                sstore(0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc, implementation)
                if len {
                    calldatacopy(0, off, len)
                    if iszero(delegatecall(gas(), implementation, 0, len, 0, 0)) {
                        returndatacopy(0, 0, returndatasize())
                        revert(0, returndatasize())
                    }
                }
                stop()
            }

            function readOnly() {
                calldatacopy(0, 0, calldatasize())
                let ok := staticcall(gas(), address(), 0, calldatasize(), 0, 0)
                returndatacopy(0, 0, returndatasize())
                if ok { return(0, returndatasize()) }
                if returndatasize() { revert(0, returndatasize()) }
                revertWithWord({{selector "NotWriter(address)"}}, caller())
            }

            function bsnRequest() {
                let requestKey := arg(0)
                let off, len := argBytes(1)
                let slot := hashPair(requestKey, 0xf1c36e85739185ac45599bd83ae0ca69d2a771414c3d79fbb4a3f242ba56127a)
                let stored := sload(slot)
                if stored {
                    mstore(0, shl(224, {{selector "RequestAlreadyExecuted(bytes32,bytes24,uint64)"}}))
                    mstore(4, requestKey)
                    mstore(36, and(stored, not(0xffffffffffffffff)))
                    mstore(68, and(stored, 0xffffffffffffffff))
                    revert(0, 100)
                }
                let p := alloc(add(20, len))
                mstore(p, shl(96, caller()))
                calldatacopy(add(p, 20), off, len)
                let content := and(keccak256(p, add(20, len)), not(0xffffffffffffffff))
                sstore(slot, or(content, number()))
                // RequestExecuted(bytes32 indexed requestKey, bytes24 contentHash)
                mstore(0, content)
                log2(0, 32, {{topic "RequestExecuted(bytes32,bytes24)"}}, requestKey)
                delegate(off, len)
            }

            // Runs calldata [off, off + len) on the implementation and answers as it does.
            function delegate(off, len) {
                calldatacopy(0, off, len)
                let ok := delegatecall(gas(), sload(0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc), 0, len, 0, 0)
                returndatacopy(0, 0, returndatasize())
                if iszero(ok) { revert(0, returndatasize()) }
                return(0, returndatasize())
            }

            // @include lib/abi.yul
        }
    }
}
