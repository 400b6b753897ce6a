// One per FISCO BCOS group: app id → app. `createApp` makes an app in one transaction — a
// BsnAppProxy created here (FISCO puts a CREATE inside a transaction at H("{block}_{tx}_{n}")),
// initialised with the sender as admin, recorded — so a refused create leaves nothing behind.
// It is also BSN's interchain outbox: a member of an app sends a packet through `sendPacket`,
// which checks membership through the app itself, assigns the packet's seq per
// (srcApp, dstChain, dstApp) and emits PacketSent with `fieldsHash`, the chain's hash of what
// it was sent; a verifier pins this registry's address and recomputes every binding.
//
// Selectors and topics are placeholders filled per crypto mode (see BsnKvApp.yul).
// Delivery (configure, deliver, acknowledge, time out): lib/packet-delivery.yul.
// Storage: 0x10 implementation for new apps; hashPair(H(appId), 0x11) → createdBlock << 160 | app;
// hashPair(channel, 0x12) → last seq; hashPair(hashPair(channel, seq), 0x13) → commitment.
object "BsnKvRegistry" {
    code {
        // constructor(address implementation)
        codecopy(0, sub(codesize(), 32), 32)
        let implementation := mload(0)
        if or(shr(160, implementation), iszero(extcodesize(implementation))) { revert(0, 0) }
        sstore(0x10, implementation)
        // The deployer is the group's operator: the only one who pins delivery attesters.
        sstore(0x20, caller())
        datacopy(0, dataoffset("BsnKvRegistry_runtime"), datasize("BsnKvRegistry_runtime"))
        return(0, datasize("BsnKvRegistry_runtime"))
    }
    object "BsnKvRegistry_runtime" {
        code {
            mstore(0x40, memoryguard(0x80))
            if callvalue() { revert(0, 0) }
            switch selector()
            case {{selector "createApp(string,bytes,uint8)"}} { createApp() }
            case {{selector "appOf(string)"}} { appOf() }
            case {{selector "implementation()"}} { returnWord(sload(0x10)) }
            case {{selector "sendPacket(string,string,string,string,bytes,uint64,string,uint64,bytes32,bytes32)"}} { sendPacket() }
            case {{selector "nextSeq(string,string,string)"}} { returnWord(add(sload(hashPair(channelHash(), 0x12)), 1)) }
            case {{selector "commitmentOf(string,string,string,uint64)"}} {
                returnWord(sload(hashPair(hashPair(channelHash(), argUint(3, 64)), 0x13)))
            }
            case {{selector "configureDelivery(string,bytes,uint8)"}} { configureDelivery() }
            case {{selector "deliveryConfig()"}} { deliveryConfig() }
            case {{selector "deliver(string,string,string,string,uint64,string,bytes,uint64,string,bytes)"}} { deliver() }
            case {{selector "recordTimeout(string,string,string,string,uint64,string,bytes,uint64,string,bytes)"}} { recordTimeout() }
            case {{selector "acknowledge(string,string,string,string,uint64,string,bytes,uint64,string,bytes,bytes32,bytes32,uint8,bytes)"}} {
                acknowledge()
            }
            case {{selector "closeTimedOut(string,string,string,string,uint64,string,bytes,uint64,string,bytes)"}} { closeTimedOut() }
            case {{selector "targetState(bytes32)"}} { targetState() }
            case {{selector "sourceState(string,string,string,uint64)"}} { sourceState() }
            case {{selector "BSN_REGISTRY()"}} {
                let p := alloc(32)
                mstore(p, "bsn.fisco-bcos.registry/1")
                returnBytes(p, 25)
            }
            default { revert(0, 0) }

            // ---------------------------------------------------------------- apps

            function createApp() {
                let aOff, aLen := argBytes(0)
                let mOff, mLen := argBytes(1)
                let mode := argUint(2, 8)
                checkId(aOff, aLen, "/appId", 6)
                let slot := hashPair(hashCalldata(aOff, aLen), 0x11)
                if sload(slot) { revertWithBytes({{selector "AppExists(string)"}}, copyCalldata(aOff, aLen), aLen) }

                let size := datasize("BsnAppProxy")
                let code := alloc(add(size, 32))
                datacopy(code, dataoffset("BsnAppProxy"), size)
                mstore(add(code, size), sload(0x10))
                let app := create(0, code, add(size, 32))
                if iszero(app) { bubble() }

                // app.initialize(appId, msg.sender, members, mode, this)
                let aPad := and(add(aLen, 31), not(31))
                let mPad := and(add(mLen, 31), not(31))
                let inLen := add(add(228, aPad), mPad)
                let input := alloc(add(inLen, 32))
                mstore(input, shl(224, {{selector "initialize(string,address,bytes,uint8,address)"}}))
                mstore(add(input, 4), 160)
                mstore(add(input, 36), caller())
                mstore(add(input, 68), add(192, aPad))
                mstore(add(input, 100), mode)
                mstore(add(input, 132), address())
                mstore(add(input, 164), aLen)
                calldatacopy(add(input, 196), aOff, aLen)
                mstore(add(add(input, 196), aLen), 0)
                let mAt := add(add(input, 196), aPad)
                mstore(mAt, mLen)
                calldatacopy(add(mAt, 32), mOff, mLen)
                mstore(add(add(mAt, 32), mLen), 0)
                if iszero(call(gas(), app, 0, input, inLen, 0, 0)) { bubble() }

                sstore(slot, or(shl(160, number()), app))
                // AppCreated(bytes32 indexed appIdHash, string appId, address app, address admin)
                let out := alloc(add(128, aPad))
                mstore(out, 96)
                mstore(add(out, 32), app)
                mstore(add(out, 64), caller())
                mstore(add(out, 96), aLen)
                calldatacopy(add(out, 128), aOff, aLen)
                mstore(add(add(out, 128), aLen), 0)
                log2(out, add(128, aPad), {{topic "AppCreated(bytes32,string,address,address)"}}, hashCalldata(aOff, aLen))
                returnWord(app)
            }

            // (address app, uint64 createdBlock); zeros when there is no such app.
            function appOf() {
                let aOff, aLen := argBytes(0)
                let record := sload(hashPair(hashCalldata(aOff, aLen), 0x11))
                mstore(0, and(record, 0xffffffffffffffffffffffffffffffffffffffff))
                mstore(32, shr(160, record))
                return(0, 64)
            }

            // ^[A-Za-z0-9._:-]{1,128}$, the standard's id rule.
            function checkId(off, len, field, fieldLen) {
                if or(iszero(len), gt(len, 128)) {
                    revertInvalid({{selector "InvalidInput(string,string)"}}, field, fieldLen, "must be 1-128 characters", 24)
                }
                for { let i := 0 } lt(i, len) { i := add(i, 1) } {
                    let c := byte(0, calldataload(add(off, i)))
                    let ok := or(or(and(gt(c, 0x2f), lt(c, 0x3b)), and(gt(c, 0x40), lt(c, 0x5b))), and(gt(c, 0x60), lt(c, 0x7b)))
                    ok := or(ok, or(or(eq(c, 0x2e), eq(c, 0x5f)), eq(c, 0x2d)))
                    if iszero(ok) {
                        revertInvalid({{selector "InvalidInput(string,string)"}}, field, fieldLen, "only A-Z a-z 0-9 . _ : -", 24)
                    }
                }
            }

            function bubble() {
                returndatacopy(0, 0, returndatasize())
                revert(0, returndatasize())
            }

            // ---------------------------------------------------------------- interchain

            // sendPacket(srcApp, dstChain, dstApp, method, payload, timeout, grantRef, seq, packetId, commitment)
            function sendPacket() {
                checkLength(1, 64, "/packet/dstChain", 16)
                checkLength(2, 128, "/packet/dstApp", 14)
                checkLength(3, 64, "/packet/method", 14)
                checkLength(6, 128, "/packet/grantRef", 16)
                let pOff, pLen := argBytes(4)
                if gt(pLen, 65536) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/packet/payload", 15, "payload too large", 17) }
                // FISCO's block.timestamp is in milliseconds, like the packet's timeout.
                if iszero(gt(argUint(5, 64), timestamp())) {
                    revertInvalid({{selector "InvalidInput(string,string)"}}, "/packet/timeout", 15, "timeout has passed", 18)
                }
                let packetId := arg(8)
                let commitment := arg(9)
                if iszero(packetId) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/packetId", 9, "zero packet id", 14) }
                if iszero(commitment) { revertInvalid({{selector "InvalidInput(string,string)"}}, "/commitment", 11, "zero commitment", 15) }
                checkSender()

                let channel := channelHash()
                let seq := argUint(7, 64)
                let seqSlot := hashPair(channel, 0x12)
                let next := add(sload(seqSlot), 1)
                if iszero(eq(seq, next)) {
                    mstore(0, shl(224, {{selector "SeqMismatch(uint64,uint64)"}}))
                    mstore(4, next)
                    mstore(36, seq)
                    revert(0, 68)
                }
                sstore(seqSlot, next)
                sstore(hashPair(hashPair(channel, seq), 0x13), commitment)
                if sload(0x22) {
                    let sOff, sLen := argBytes(0)
                    checkDeliverable(and(sload(hashPair(hashCalldata(sOff, sLen), 0x11)), 0xffffffffffffffffffffffffffffffffffffffff), seq)
                }
                let fieldsHash := fieldsHashOf(seq)
                let srcOff, srcLen := argBytes(0)
                let srcHash := hashCalldata(srcOff, srcLen)
                // PacketSent(bytes32 indexed packetId, bytes32 indexed srcAppHash, bytes32 commitment, uint64 seq, bytes32 fieldsHash, address sender)
                let out := alloc(128)
                mstore(out, commitment)
                mstore(add(out, 32), seq)
                mstore(add(out, 64), fieldsHash)
                mstore(add(out, 96), caller())
                log3(out, 128, {{topic "PacketSent(bytes32,bytes32,bytes32,uint64,bytes32,address)"}}, packetId, srcHash)
                returnWord(fieldsHash)
            }

            function checkLength(i, max, field, fieldLen) {
                let off, len := argBytes(i)
                if iszero(len) { revertInvalid({{selector "InvalidInput(string,string)"}}, field, fieldLen, "empty", 5) }
                if gt(len, max) { revertInvalid({{selector "InvalidInput(string,string)"}}, field, fieldLen, "too long", 8) }
            }

            // The source app exists, the sender is a member, it is not frozen: asked of the app itself.
            function checkSender() {
                let srcOff, srcLen := argBytes(0)
                let app := and(sload(hashPair(hashCalldata(srcOff, srcLen), 0x11)), 0xffffffffffffffffffffffffffffffffffffffff)
                if iszero(app) { revertWithBytes({{selector "UnknownApp(string)"}}, copyCalldata(srcOff, srcLen), srcLen) }
                mstore(0, shl(224, {{selector "isMember(address)"}}))
                mstore(4, caller())
                if iszero(staticcall(gas(), app, 0, 36, 0, 32)) { bubble() }
                if iszero(mload(0)) { revertWithWord({{selector "NotMember(address)"}}, caller()) }
                mstore(0, shl(224, {{selector "isFrozen()"}}))
                if iszero(staticcall(gas(), app, 0, 4, 0, 32)) { bubble() }
                if mload(0) { revertWith0({{selector "AppFrozen()"}}) }
            }

            // H(u32 length ‖ bytes) of srcApp, dstChain, dstApp (arguments 0-2).
            function channelHash() -> h {
                let start := mload(0x40)
                let cursor := start
                for { let i := 0 } lt(i, 3) { i := add(i, 1) } { cursor := appendPart(cursor, i) }
                h := keccak256(start, sub(cursor, start))
            }

            // H(srcApp ‖ dstChain ‖ dstApp ‖ method ‖ payload ‖ u64 timeout ‖ grantRef ‖ u64 seq), each
            // byte string preceded by its u32 length: the binding a verifier recomputes from a packet.
            function fieldsHashOf(seq) -> h {
                let start := mload(0x40)
                let cursor := start
                for { let i := 0 } lt(i, 5) { i := add(i, 1) } { cursor := appendPart(cursor, i) }
                mstore(cursor, shl(192, argUint(5, 64)))
                cursor := add(cursor, 8)
                cursor := appendPart(cursor, 6)
                mstore(cursor, shl(192, seq))
                cursor := add(cursor, 8)
                h := keccak256(start, sub(cursor, start))
            }

            function appendPart(cursor, i) -> next {
                let off, len := argBytes(i)
                mstore(cursor, shl(224, len))
                calldatacopy(add(cursor, 4), off, len)
                next := add(add(cursor, 4), len)
            }

            // @include lib/packet-codec.yul
            // @include lib/packet-delivery.yul
            // @include lib/abi.yul
        }
        // @include BsnAppProxy.yul
    }
}
