#!/usr/bin/env bash
# ui-tty.sh - the terminal UI in a real terminal (tmux): three VMs, consoles, prefix keys, status, force-stop, the profile form, delete, resize, quit.
set -u
NAME=ui-tty
. "$(dirname "$0")/tty-setup.sh"
store=$dir/store
mkdir "$store"
uuids=(1b7a43f0-0000-4000-8000-00000000000a 1b7a43f0-0000-4000-8000-00000000000b
	1b7a43f0-0000-4000-8000-00000000000c)
i=0
for name in alpha bravo charlie; do
	cat >"$store/$name.ini" <<INI
; $name - a test profile
[vm]
name = $name
uuid = ${uuids[$i]}
memory = 32M            ; enough for the echo guest
autostart = yes

[boot]
kernel = $GUEST
cmdline = console=ttyS0

[serial]
log = $dir/$name.log
INI
	i=$((i + 1))
done
printf '[vm]\nname = zbroken\ncpus = 99\n[boot]\nkernel = %s\n' "$GUEST" \
	>"$store/zbroken.ini"

tmux -S "$sock" new-session -d -x 120 -y 40 -s t \
	"bash --norc -c '$HYVE -d $store; echo \"exited=\$?\"; sleep 600'"

screen() { tmux -S "$sock" capture-pane -p -t t; }
keys() { tmux -S "$sock" send-keys -t t "$@"; }

# wait_for TEXT: until the screen shows TEXT (20 s).
wait_for() {
	for _ in $(seq 200); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# wait_gone TEXT: until the screen no longer shows TEXT (20 s).
wait_gone() {
	for _ in $(seq 200); do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
	done
	return 1
}

not_shown() { ! screen | grep -qF -- "$1"; }

check() {
	local name=$1
	shift
	if "$@"; then
		echo "PASS: ui-$name"
	else
		echo "FAIL: ui-$name: the screen shows:"
		screen | sed 's/^/    /'
	fi
}

# The exit total of the status panel ("exits N total").
exits() { screen | grep -o 'exits [0-9]* total' | grep -o '[0-9]*'; }

running_count() { screen | grep -cE '^ *[0-9]+ (alpha|bravo|charlie) +running'; }
three_running() {
	for _ in $(seq 200); do
		[ "$(running_count)" -eq 3 ] && return 0
		sleep 0.1
	done
	return 1
}

check autostart-three three_running
check broken-profile-listed wait_for "zbroken      broken: zbroken.in"
keys j j j
check broken-profile-error wait_for 'zbroken.ini:3: cpus: "99" is out'
keys k k k

# Attach alpha (selected first), type, read the answer in the pane.
wait_for "exits" >/dev/null
before=$(exits)
keys Enter
wait_for " alpha - running" >/dev/null
keys "hello alpha" Enter
check console-answers wait_for "got: HELLO ALPHA"
for n in 1 2 3 4 5; do keys "line $n" Enter; done
wait_for "got: LINE 5" >/dev/null

# Prefix n: bravo's own screen, without alpha's lines.
keys C-] n
check prefix-next wait_for " bravo - running"
check own-screen not_shown "HELLO ALPHA"
keys "hello bravo" Enter
check second-console-answers wait_for "got: HELLO BRAVO"
keys C-] 1
check prefix-jump wait_for " alpha - running"
check jump-keeps-screen wait_for "got: HELLO ALPHA"
check jump-own-screen not_shown "HELLO BRAVO"
keys C-] p
check prefix-prev wait_for " charlie - running"
keys C-] C-] Enter
check literal-prefix wait_for "got: ^]"
keys C-] "?"
check help-screen wait_for "Console mode: after the prefix key C-]"
keys x
keys C-] 1 C-] d
check detach wait_for " # VM"

# The status panel: alpha's exits rose while it worked.
after=$(exits)
if [ -n "$before" ] && [ -n "$after" ] && [ "$after" -gt "$before" ]; then
	echo "PASS: ui-exits-rise ($before -> $after)"
else
	echo "FAIL: ui-exits-rise: before '$before', after '$after'"
fi
check status-memory wait_for "memory 32M, resident"
check serial-log grep -q "got: HELLO ALPHA" "$dir/alpha.log"

# Force-stop bravo (K, y); alpha and charlie keep answering.
keys j K
check force-stop-asks wait_for "force-stop bravo? "
keys y
check force-stopped wait_for "bravo        stopped"
keys k Enter
keys "still alive" Enter
check others-answer wait_for "got: STILL ALIVE"
keys C-] d

# The form: memory of alpha to 48M; only that line changes.
cp "$store/alpha.ini" "$dir/alpha.before"
keys e
wait_for "edit $store/alpha.ini" >/dev/null
check editor-running-note wait_for "applies at next start"
keys j j Enter C-u 48M Enter w
check editor-saved wait_for "saved $store/alpha.ini"
diff "$dir/alpha.before" "$store/alpha.ini" >"$dir/diff"
if [ "$(grep -c '^[<>]' "$dir/diff")" -eq 2 ] &&
	grep -qx '< memory = 32M            ; enough for the echo guest' "$dir/diff" &&
	grep -qx '> memory = 48M            ; enough for the echo guest' "$dir/diff"; then
	echo "PASS: ui-editor-one-line-changed"
else
	echo "FAIL: ui-editor-one-line-changed: diff:"
	sed 's/^/    /' "$dir/diff"
fi

# An invalid value shows hyve check's message and is not saved.
cp "$store/alpha.ini" "$dir/alpha.saved"
keys k Enter C-u 99 Enter
check editor-error wait_for "alpha.ini:7: cpus: \"99\" is out of range"
keys w
check editor-refuses wait_for "not saved"
check editor-file-unchanged cmp -s "$dir/alpha.saved" "$store/alpha.ini"
keys q q
wait_for " # VM" >/dev/null

# A disk added and removed again: the section goes with its keys, so the
# file is as it was. A NIC's forwards (repeatable) become one line each.
keys e
wait_for "edit $store/alpha.ini" >/dev/null
keys a data Enter
check editor-disk-added wait_for "[disk.data] added"
keys w
wait_for "saved $store/alpha.ini" >/dev/null
check editor-disk-saved grep -qx '\[disk.data\]' "$store/alpha.ini"
keys x
check editor-disk-removed wait_for "[disk.data] removed"
keys w
wait_for "saved $store/alpha.ini" >/dev/null
check editor-disk-section-gone cmp -s "$dir/alpha.saved" "$store/alpha.ini"
keys A eth0 Enter
wait_for "[net.eth0] added" >/dev/null
keys j j j Enter C-u "tcp:127.0.0.1:2222-:22 udp::5353-:53" Enter w
check editor-forwards-saved wait_for "saved $store/alpha.ini"
if [ "$(grep -c '^forward = ' "$store/alpha.ini")" -eq 2 ] &&
	grep -qx 'forward = udp::5353-:53' "$store/alpha.ini"; then
	echo "PASS: ui-editor-forward-lines"
else
	echo "FAIL: ui-editor-forward-lines:"
	sed 's/^/    /' "$store/alpha.ini"
fi
keys q
wait_for " # VM" >/dev/null

# Delete charlie after force-stopping it: the file moves to .trash.
keys j j K y
wait_for "charlie      stopped" >/dev/null
keys d
check delete-asks wait_for "delete charlie?"
keys y
check delete-trash wait_for "moved to"
check delete-in-trash test -f "$store/.trash/charlie.ini"
check delete-gone test ! -e "$store/charlie.ini"

# Resize: too small says so; back to normal draws the list again.
tmux -S "$sock" resize-window -t t -x 40 -y 10
check resize-too-small wait_for "terminal too small: 40x10"
tmux -S "$sock" resize-window -t t -x 110 -y 35
check resize-back wait_for " # VM"

# Quit with alpha running: q asks, p powers it off, hyve exits 0.
keys q
check quit-asks wait_for "running: p power off"
keys p
check quit-exits wait_for "exited=0"

# First start: no store yet, so hyve makes the demo profile (autostart,
# a 16M disk), whose guest answers help, cpus, mem, disk, write, read and
# poweroff in the pane; a block written survives a power-off and a start.
# (a server of its own: a new session on the old socket can race with the
# old server exiting after its last session)
tmux -S "$sock" kill-server
sock=$dir/tmux2.sock
demo_store=$dir/config/hyve/profiles
tmux -S "$sock" new-session -d -x 120 -y 40 -s t \
	"bash --norc -c 'XDG_CONFIG_HOME=$dir/config HYVE_PROFILES= $HYVE; echo \"exited=\$?\"; sleep 600'"
check demo-first-start wait_for "first start: made the demo profile"
check demo-profile test -f "$demo_store/demo.ini"
check demo-autostart wait_for "demo>"
check demo-status-disk wait_for "disk data: 16M, host"
keys Enter
keys cpus Enter
check demo-cpus wait_for "2 CPU(s), local APIC IDs: 0 1"
keys mem Enter
check demo-mem wait_for "KiB of RAM (63 MiB)"
keys help Enter
check demo-help wait_for "poweroff       power off through ACPI"
keys disk Enter
check demo-disk wait_for "disk: 16777216 bytes (16 MiB), 32768 blocks of 512"

# The status panel (in the list view) shows the written-bytes total
# ("  wr 512B ..."): it rises when the guest writes.
written() { screen | grep -oE '^  wr +[0-9.]+[BKMGT]' | awk '{print $2}'; }
keys C-] d
wait_for "  wr " >/dev/null
wr_before=$(written)
keys Enter
keys "write 7 kept across power off" Enter
check demo-write wait_for "wrote 21 bytes to block 7"
keys C-] d
wr_rose() {
	for _ in $(seq 50); do
		[ -n "$(written)" ] && [ "$(written)" != "$wr_before" ] &&
			return 0
		sleep 0.1
	done
	return 1
}
if [ -n "$wr_before" ] && wr_rose; then
	echo "PASS: ui-demo-written-rises ($wr_before -> $(written))"
else
	echo "FAIL: ui-demo-written-rises: before '$wr_before', now '$(written)'"
fi
keys Enter
check demo-image grep -q "kept across power off" "$demo_store/demo.img"
keys poweroff Enter
check demo-poweroff wait_for " demo - stopped"

# Start it again (s), attach, read block 7 back.
keys C-] d
wait_for " # VM" >/dev/null
keys s
wait_for " demo - running" >/dev/null
wait_for "demo        running" >/dev/null
keys Enter
sleep 0.5
keys Enter "read 7" Enter
check demo-read-back wait_for "text: kept across power off"
keys poweroff Enter
wait_for " demo - stopped" >/dev/null
keys C-] d q
check demo-quit wait_for "exited=0"
