#!/bin/sh
# Compiles BatchPin.sol with the solc pinned in package-lock.json and writes
# BatchPin.abi and BatchPin.bin into OUT_DIR (default: build/ beside this
# script). Installs the compiler into node_modules/ with `npm ci` when it is
# missing or older than the lock file.
#
# Usage: build.sh [OUT_DIR]
#
# The output is deterministic: solc's metadata (whose hash ends the bytecode)
# records the source's path as given on the command line, so the script always
# compiles from this directory with the bare file name.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build}
case $out in
/*) ;;
*) out=$(pwd)/$out ;;
esac

cd "$here"

command -v npm >/dev/null 2>&1 || {
	echo "build.sh: npm is required to install the Solidity compiler (Node.js 18 or later)" >&2
	exit 1
}

# npm ci writes node_modules/.package-lock.json; if it is missing or older than
# the committed lock, the installed compiler may not be the pinned one.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "build.sh: installing the pinned Solidity compiler (npm ci)" >&2
	npm ci --no-audit --no-fund --loglevel=error >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The optimizer is on: pinBatch is called for every batch, so its gas matters
# more than the one-off deployment cost.
node_modules/.bin/solcjs --optimize --optimize-runs 200 --bin --abi -o "$tmp" BatchPin.sol >&2

# solcjs names files <source>_<contract>; keep the names stable for Go and git.
mkdir -p "$out"
for ext in abi bin; do
	src="$tmp/BatchPin_sol_LedgerMirror.$ext"
	[ -s "$src" ] || {
		echo "build.sh: solcjs wrote no $src" >&2
		exit 1
	}
	# solcjs writes no trailing newline; add one so the files are clean text.
	{ cat "$src"; echo; } >"$out/BatchPin.$ext"
done
echo "build.sh: wrote $out/BatchPin.abi and $out/BatchPin.bin" >&2
