#!/bin/sh
# tui.sh - issue 5: the terminal UI on L1's serial console. The host side
# (tests/sandbox/tui.sh) runs the sandbox inside tmux, so this console is a
# real terminal there; it reads the screen and types the keys. Here hyve
# opens its UI on a store with one autostarting Debian guest (L2), and the
# scenario reports how hyve ended.
# sandbox-needs: hyve
# sandbox-suite: no
. /sandbox/scenarios/lib.sh

if [ -z "${HYVE:-}" ]; then
	fail tui-exit "no hyve binary in the sandbox"
	exit 0
fi
mkdir -p profiles
cat > profiles/debian.ini <<INI
; the Debian cloud kernel with the test initramfs (tests/sandbox/l2)
[vm]
name = debian
cpus = 2
memory = 256M
autostart = yes

[boot]
kernel = $L2_KERNEL
initrd = $L2_INITRD
cmdline = console=ttyS0 quiet panic=-1
INI
note "tui: starting the UI on the console"
# The console as controlling terminal (resizes, job control), TERM as the
# host's tmux pane speaks it.
TERM=xterm-256color setsid cttyhack "$HYVE" -d "$WORK/profiles"
rc=$?
clear
echo	# the verdict on a line of its own, after the UI's last escapes
if [ "$rc" = 0 ]; then
	pass tui-exit
else
	fail tui-exit "hyve exited with status $rc"
fi
