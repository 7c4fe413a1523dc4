#!/usr/bin/env bash
# run-tty.sh - `hyve run` on a real terminal (tmux): raw mode, the Ctrl-] keys, exit status, terminal restored.
set -u
NAME=run-tty
. "$(dirname "$0")/tty-setup.sh"
cat >"$dir/echo.ini" <<INI
[vm]
name = tty
memory = 32M
[boot]
kernel = $GUEST
cmdline = console=ttyS0
INI

# The shell in the pane runs hyve twice, reporting each exit status, then
# whether the terminal is back in canonical mode.
run="$HYVE run $dir/echo.ini; echo \"status=\$?\""
tmux -S "$sock" new-session -d -x 100 -y 30 -s t \
	"bash --norc -c '$run; $run; stty -a | grep -o -- \" icanon\" | sed \"s/^/mode=/\"; sleep 600'"

screen() { tmux -S "$sock" capture-pane -p -t t -S -200; }

# wait_for TEXT [COUNT]: until the pane shows TEXT COUNT times (30 s).
wait_for() {
	local want=${2:-1}
	for _ in $(seq 300); do
		[ "$(screen | grep -cF -- "$1")" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

check() {
	local name=$1
	shift
	if "$@"; then
		echo "PASS: run-tty-$name"
	else
		echo "FAIL: run-tty-$name: the pane shows:"
		screen | tail -n 12 | sed 's/^/    /'
	fi
}

check boots wait_for "echo>"
tmux -S "$sock" send-keys -t t "hello tty" Enter
check answers wait_for "got: HELLO TTY"
tmux -S "$sock" send-keys -t t C-] C-] x Enter
check literal-escape wait_for "got: ^]X"
tmux -S "$sock" send-keys -t t C-] "?"
check help wait_for "q force-stop and quit"
tmux -S "$sock" send-keys -t t C-] r
check reset wait_for "echo: ready" 2
tmux -S "$sock" send-keys -t t C-] p
check power-button wait_for "status=0"
check second-run wait_for "echo: ready" 3
tmux -S "$sock" send-keys -t t C-] q
check quit-status wait_for "status=5"

check terminal-restored wait_for "mode= icanon"

# The terminal UI (hyve with no command) in its own tmux session.
bash tests/terminal/ui-tty.sh
