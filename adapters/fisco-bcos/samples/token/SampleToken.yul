// The kit's sample of an app that brings its own contract on FISCO BCOS: a small token
// (version 1). It runs behind the app's proxy, so its state is set by `initialize` (run once,
// by the proxy, in the transaction that creates the app), not by a constructor. Written in Yul
// with {{selector …}} / {{topic …}} placeholders, filled with Keccak-256 or SM3 for the chain's
// crypto mode before solc compiles it: no SM-mode Solidity compiler can be had here.
object "SampleToken" {
    code {
        datacopy(0, dataoffset("SampleToken_runtime"), datasize("SampleToken_runtime"))
        return(0, datasize("SampleToken_runtime"))
    }
    object "SampleToken_runtime" {
        code {
            if callvalue() { revert(0, 0) }
            switch selector()
            case {{selector "initialize(address)"}} { initialize() }
            case {{selector "mint(address,uint256)"}} { mint() }
            case {{selector "transfer(address,uint256)"}} { transfer() }
            case {{selector "balanceOf(address)"}} { returnWord(sload(balanceSlot(argAddress(0)))) }
            case {{selector "totalSupply()"}} { returnWord(sload(2)) }
            case {{selector "owner()"}} { returnWord(sload(1)) }
            case {{selector "version()"}} { returnWord(1) }
            default { revert(0, 0) }

            // @include token-core.yul
        }
    }
}
