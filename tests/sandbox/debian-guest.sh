#!/usr/bin/env bash
# debian-guest.sh - builds the Debian guest with share/hyve-debian-guest
# (as a user would, from Debian's archive) and boots it in the sandbox
# with scenario debian.sh. Prints PASS:/FAIL: lines.
#
# usage: tests/sandbox/debian-guest.sh [HYVE_BINARY]
set -u
cd "$(dirname "$0")/../.."
HYVE=${1:-build/hyve}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if ! share/hyve-debian-guest -s 128M "$dir/guest" 2> "$dir/make.err"; then
	echo "FAIL: debian-guest-made: share/hyve-debian-guest failed:"
	tail -n 5 "$dir/make.err" | sed 's/^/    /'
	exit 0
fi
echo "PASS: debian-guest-made"
HYVE_SANDBOX_FILES="$dir/guest:/sandbox/debian-guest" \
	tests/sandbox/run debian "$HYVE" 2>/dev/null
