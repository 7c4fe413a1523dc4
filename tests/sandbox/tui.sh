#!/usr/bin/env bash
# tui.sh - the terminal UI in the nested sandbox: runs the sandbox with its
# L1 console in a tmux pane (HYVE_SANDBOX_TTY=1) where scenario tui.sh opens
# `hyve` on a store with an autostarting Debian guest; then, as a user would:
# attach its console, type `uname -r` at the guest's busybox shell, read the
# answer in the pane, detach, quit (powering the guest off), and check that
# everything ended cleanly.
#
# usage: tests/sandbox/tui.sh [HYVE_BINARY]   (prints PASS:/FAIL: lines)
set -u
cd "$(dirname "$0")/../.."
HYVE=${1:-build/hyve}
BOOT_T=${HYVE_TUI_BOOT_TIMEOUT:-600}	# L1 and the UI up
GUEST_T=${HYVE_TUI_GUEST_TIMEOUT:-300}	# L2 at its prompt

if ! command -v tmux >/dev/null; then
	echo "FAIL: sandbox-tui: tmux is not installed (apt-get install tmux)"
	exit 1
fi
dir=$(mktemp -d)
sock=$dir/tmux.sock
log=${HYVE_SANDBOX_LOG:-build/sandbox/tui-$(date +%Y%m%d-%H%M%S).log}
mkdir -p "$(dirname "$log")"
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$dir"' EXIT

tmux -S "$sock" new-session -d -x 120 -y 40 -s t \
	"HYVE_SANDBOX_TTY=1 HYVE_SANDBOX_LOG='$log' tests/sandbox/run tui '$HYVE' 2>'$dir/run.err'; echo \"sandbox-exit=\$?\"; sleep 600"

screen() { tmux -S "$sock" capture-pane -p -t t; }
keys() { tmux -S "$sock" send-keys -t t "$@"; }

# wait_for SECONDS ERE: until a line of the screen matches.
wait_for() {
	local end=$((SECONDS + $1))
	while [ $SECONDS -lt $end ]; do
		screen | grep -qE -- "$2" && return 0
		sleep 0.5
	done
	return 1
}

# step NAME SECONDS ERE: a PASS when the screen shows ERE in time, else a
# FAIL with the screen, and the run stops there.
step() {
	if wait_for "$2" "$3"; then
		echo "PASS: sandbox-tui-$1"
		return 0
	fi
	echo "FAIL: sandbox-tui-$1: no /$3/ on the screen after $2 s:"
	screen | sed 's/^/    | /'
	tail -n 5 "$dir/run.err" 2>/dev/null | sed 's/^/    ! /'
	return 1
}

ok=1
step list "$BOOT_T" 'debian +(booting|running)' &&
	keys Enter &&
	step console "$GUEST_T" 'hyve-guest# *$' &&
	keys 'uname -r' Enter &&
	step uname 60 '^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-cloud-amd64 *$' || ok=0
if [ $ok = 1 ]; then
	keys C-] d
	step detach 30 'STATE' &&
		keys q &&
		step quit-asks 30 'running: p power off' &&
		keys p || ok=0
fi
[ $ok = 1 ] || keys C-] d q p 2>/dev/null
step sandbox-done 300 '^sandbox-exit=' >/dev/null
# The L1 scenario's own verdict (how hyve exited) is in the console log.
tr -d '\r' < "$log" | grep -aoE '(PASS|FAIL): tui-.*' || \
	echo "FAIL: sandbox-tui-exit: no verdict from L1 (log: $log)"
echo "sandbox-tui: log $log"
