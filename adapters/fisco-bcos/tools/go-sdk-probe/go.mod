module bsn.dev/adapter-fisco-bcos/go-sdk-probe

go 1.22

require (
	github.com/FISCO-BCOS/go-sdk/v3 v3.0.3-0.20241225123119-50bbbeef7168
	github.com/ethereum/go-ethereum v1.13.10
)

require (
	github.com/FISCO-BCOS/crypto v0.0.0-20200202032121-bd8ab0b5d4f1 // indirect
	github.com/TarsCloud/TarsGo v1.4.5 // indirect
	github.com/btcsuite/btcd/btcec/v2 v2.3.2 // indirect
	github.com/decred/dcrd/dcrec/secp256k1/v4 v4.2.0 // indirect
	github.com/holiman/uint256 v1.2.4 // indirect
	github.com/sirupsen/logrus v1.9.3 // indirect
	golang.org/x/crypto v0.18.0 // indirect
	golang.org/x/sys v0.16.0 // indirect
)
