// Version 2 of the sample token: version 1's storage and methods, plus `burn` and a symbol set
// by the migration `initializeV2`, which the upgrade runs once (an empty symbol makes it, and
// so the whole upgrade, fail). Storage appended: 4 migrated, 5 symbol (at most 32 bytes, left
// aligned), 6 its length.
object "SampleTokenV2" {
    code {
        datacopy(0, dataoffset("SampleTokenV2_runtime"), datasize("SampleTokenV2_runtime"))
        return(0, datasize("SampleTokenV2_runtime"))
    }
    object "SampleTokenV2_runtime" {
        code {
            if callvalue() { revert(0, 0) }
            switch selector()
            case {{selector "initialize(address)"}} { initialize() }
            case {{selector "initializeV2(string)"}} { initializeV2() }
            case {{selector "mint(address,uint256)"}} { mint() }
            case {{selector "transfer(address,uint256)"}} { transfer() }
            case {{selector "burn(uint256)"}} { burn() }
            case {{selector "balanceOf(address)"}} { returnWord(sload(balanceSlot(argAddress(0)))) }
            case {{selector "totalSupply()"}} { returnWord(sload(2)) }
            case {{selector "owner()"}} { returnWord(sload(1)) }
            case {{selector "symbol()"}} {
                mstore(0, 32)
                mstore(32, sload(6))
                mstore(64, sload(5))
                return(0, 96)
            }
            case {{selector "version()"}} { returnWord(2) }
            default { revert(0, 0) }

            function initializeV2() {
                if sload(4) { revertWith0({{selector "AlreadyMigrated()"}}) }
                let length := calldataload(add(4, arg(0)))
                if iszero(length) { revertWith0({{selector "EmptySymbol()"}}) }
                if gt(length, 32) { revert(0, 0) }
                sstore(4, 1)
                sstore(5, and(calldataload(add(36, arg(0))), not(shr(mul(length, 8), not(0)))))
                sstore(6, length)
                stop()
            }

            function burn() {
                let amount := arg(0)
                debit(caller(), amount)
                sstore(2, sub(sload(2), amount))
                transferred(caller(), 0, amount)
                stop()
            }

            // @include token-core.yul
        }
    }
}
