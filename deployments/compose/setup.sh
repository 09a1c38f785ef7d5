#!/bin/sh
# One-shot setup of deployments/compose.yaml's dev chain: deploys BatchPin
# from geth --dev's developer account as that account's first transaction
# (so at the address the member configs name, CONTRACT) and gives each
# member's signing address (MEMBERS) 1000 ETH. Running it again changes
# nothing.
set -eu
RPC=${RPC:-http://geth:8545}

rpc() {
	curl -sf -H 'content-type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":$2}" "$RPC"
}

tries=0
until rpc eth_blockNumber '[]' >/dev/null; do
	tries=$((tries + 1))
	[ "$tries" -lt 120 ] || { echo "setup: no answer from $RPC" >&2; exit 1; }
	sleep 1
done

case "$(rpc eth_getCode "[\"$CONTRACT\",\"latest\"]")" in
*'"result":"0x"'*)
	out=$(ledgermirror contracts deploy --rpc "$RPC" --key-file /setup/keys/dev.key --chain-id 1337 --json)
	echo "setup: $out"
	case "$out" in
	*"\"address\":\"$CONTRACT\""*) ;;
	*) echo "setup: BatchPin is not at $CONTRACT: the developer account had sent transactions before; start from empty volumes" >&2; exit 1 ;;
	esac
	;;
*) echo "setup: BatchPin already at $CONTRACT" ;;
esac

for addr in $MEMBERS; do
	case "$(rpc eth_getBalance "[\"$addr\",\"latest\"]")" in
	*'"result":"0x0"'*)
		rpc eth_sendTransaction "[{\"from\":\"$DEV\",\"to\":\"$addr\",\"value\":\"0x3635c9adc5dea00000\"}]" >/dev/null
		echo "setup: funded $addr"
		;;
	*) echo "setup: $addr already funded" ;;
	esac
done
