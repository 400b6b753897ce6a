// go-sdk-probe: transactions built and signed by FISCO BCOS's own Go SDK
// (github.com/FISCO-BCOS/go-sdk/v3, its pure-Go packages types and smcrypto), sent to a node
// over plain JSON-RPC/HTTP, with the node's answer decoded into the SDK's own types.Receipt.
// The adapter's faithfulness tests use it as an independent client of the emulator: the hash,
// the signature and the TARS bytes below all come from FISCO's code, not ours.
//
//	go-sdk-probe --crypto standard|sm --key <hex> --block-limit N --nonce S [--to <hex>] [--input <hex>]
//	             [--chain chain0] [--group group0] [--abi S] [--tamper hash|signature] [--url http://…]
//
// Prints one JSON object: the SDK's hash, signature, raw transaction and sender, and with --url
// the node's JSON-RPC answer and the receipt as types.Receipt decoded it.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/FISCO-BCOS/go-sdk/v3/smcrypto"
	"github.com/FISCO-BCOS/go-sdk/v3/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

type output struct {
	Hash        string          `json:"hash"`
	Signature   string          `json:"signature"`
	Raw         string          `json:"raw"`
	Sender      string          `json:"sender"`
	Response    json.RawMessage `json:"response,omitempty"`
	Receipt     *types.Receipt  `json:"receipt,omitempty"`
	DecodeError string          `json:"decodeError,omitempty"`
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "go-sdk-probe: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	mode := flag.String("crypto", "standard", "standard (secp256k1/Keccak) or sm (SM2/SM3)")
	keyHex := flag.String("key", "", "private key, hex")
	chain := flag.String("chain", "chain0", "chain ID")
	group := flag.String("group", "group0", "group ID")
	blockLimit := flag.Int64("block-limit", 0, "blockLimit")
	nonce := flag.String("nonce", "", "nonce")
	to := flag.String("to", "", "callee address, hex (empty: deploy)")
	input := flag.String("input", "", "input, hex")
	abi := flag.String("abi", "", "ABI JSON (deploys)")
	tamper := flag.String("tamper", "", "hash: a dataHash that is not the fields' hash; signature: a signature that verifies nothing")
	url := flag.String("url", "", "node JSON-RPC endpoint: send the transaction there")
	flag.Parse()

	key, err := hex.DecodeString(strings.TrimPrefix(*keyHex, "0x"))
	if err != nil || len(key) != 32 {
		fail("--key must be 32 bytes of hex")
	}
	data, err := hex.DecodeString(strings.TrimPrefix(*input, "0x"))
	if err != nil {
		fail("--input is not hex")
	}
	sm := *mode == "sm"
	if !sm && *mode != "standard" {
		fail("--crypto must be standard or sm")
	}

	tx := &types.Transaction{
		Data: types.TransactionData{
			Version:    0,
			ChainID:    *chain,
			GroupID:    *group,
			BlockLimit: *blockLimit,
			Nonce:      *nonce,
			Input:      data,
			Abi:        *abi,
		},
		SMCrypto: sm,
	}
	if *to != "" {
		address := common.HexToAddress(*to)
		tx.Data.To = &address
	}
	hash := tx.Hash()

	var signature []byte
	var sender common.Address
	if sm {
		// go-sdk's WithSM2Signature copies into a nil slice (the signature would be empty): sign directly.
		signature, err = smcrypto.Sign(hash.Bytes(), key)
		if err != nil {
			fail("SM2 signing: %v", err)
		}
		sender = smcrypto.SM2KeyToAddress(key)
	} else {
		privateKey, err := crypto.ToECDSA(key)
		if err != nil {
			fail("secp256k1 key: %v", err)
		}
		signature, err = crypto.Sign(hash.Bytes(), privateKey)
		if err != nil {
			fail("secp256k1 signing: %v", err)
		}
		sender = crypto.PubkeyToAddress(privateKey.PublicKey)
	}
	switch *tamper {
	case "":
	case "hash":
		wrong := common.BytesToHash(bytes.Repeat([]byte{0x11}, 32))
		tx.DataHash = &wrong
	case "signature":
		if sm {
			signature[40] ^= 0x01 // s changes: the SM2 check fails
		} else {
			for i := 0; i < 64; i++ {
				signature[i] = 0 // r = s = 0: no key recovers
			}
		}
	default:
		fail("--tamper must be hash or signature")
	}
	tx.Signature = signature
	tx.Sender = &sender // Bytes() needs it; the node clears it
	raw := tx.Bytes()

	out := output{
		Hash:      hash.Hex(),
		Signature: "0x" + hex.EncodeToString(signature),
		Raw:       "0x" + hex.EncodeToString(raw),
		Sender:    strings.ToLower(sender.Hex()),
	}
	if *url != "" {
		request, _ := json.Marshal(map[string]any{
			"jsonrpc": "2.0", "id": 1, "method": "sendTransaction",
			"params": []any{*group, "", out.Raw, false},
		})
		response, err := http.Post(*url, "application/json", bytes.NewReader(request))
		if err != nil {
			fail("sending: %v", err)
		}
		body, _ := io.ReadAll(response.Body)
		response.Body.Close()
		out.Response = body
		var answer struct {
			Result json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(body, &answer); err != nil {
			fail("the node's answer is not JSON: %v", err)
		}
		if len(answer.Result) > 0 && string(answer.Result) != "null" {
			var receipt types.Receipt
			if err := json.Unmarshal(answer.Result, &receipt); err != nil {
				out.DecodeError = err.Error()
			} else {
				out.Receipt = &receipt
			}
		}
	}
	encoded, _ := json.Marshal(out)
	fmt.Println(string(encoded))
}
