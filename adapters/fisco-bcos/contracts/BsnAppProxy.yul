// A BSN app on FISCO BCOS: a proxy holding the app's state, running the implementation
// whose address sits in the EIP-1967 slot (set from its one constructor argument).
// `upgradeTo` on the implementation moves the slot; the state stays here.
object "BsnAppProxy" {
    code {
        codecopy(0, sub(codesize(), 32), 32)
        sstore(0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc, mload(0))
        datacopy(0, dataoffset("BsnAppProxy_runtime"), datasize("BsnAppProxy_runtime"))
        return(0, datasize("BsnAppProxy_runtime"))
    }
    object "BsnAppProxy_runtime" {
        code {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), sload(0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc), 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }
}
