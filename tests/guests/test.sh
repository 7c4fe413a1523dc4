#!/bin/bash
# test.sh - boots the test guests with `hyve run`; checks their COM1 output and hyve(1) exit codes.
#
# Run by tests/run as `bash tests/guests/test.sh` with BUILD set. Prints one
# PASS:/FAIL:/SKIP: line per test; details of a failure follow it, indented.
# V=1 prints the time each test took. HYVE_TEST_TIMEOUT bounds one run.

set -u

BUILD=${BUILD:-build}
HYVE=${HYVE:-$BUILD/hyve}
GUESTS=$BUILD/guests
TIMEOUT=${HYVE_TEST_TIMEOUT:-120}
MEMORY_MIB=64
V=${V:-0}

case $HYVE in /*) ;; *) HYVE=$PWD/$HYVE ;; esac
case $GUESTS in /*) ;; *) GUESTS=$PWD/$GUESTS ;; esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hyve-guests.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS: $1"; }
skip() { echo "SKIP: $1: $2"; }

# fail NAME WHY: the verdict, then what the guest and hyve said.
fail() {
	echo "FAIL: $1: $2"
	if [ -f "$TMP/$1.out" ]; then
		echo "  --- COM1 output (last lines):"
		tail -n 15 "$TMP/$1.out" | tr -d '\r' | sed 's/^/  | /'
	fi
	if [ -s "$TMP/$1.err" ]; then
		echo "  --- hyve stderr (last lines):"
		tail -n 8 "$TMP/$1.err" | sed 's/^/  | /'
	fi
}

now() { date +%s.%N; }

# profile FILE NAME GUEST CPUS ON_REBOOT CMDLINE: writes an INI profile.
profile() {
	cat > "$1" <<EOF
; written by tests/guests/test.sh
[vm]
name = $2
cpus = $4
memory = ${MEMORY_MIB}M
on_reboot = $5

[boot]
kernel = $GUESTS/$3.bzImage
cmdline = $6
EOF
}

# run TEST PROFILE... < input: runs hyve, leaving TEST.out (COM1, \r
# stripped), TEST.err and the exit code in $rc.
run() {
	local t=$1
	shift
	timeout "$TIMEOUT" "$HYVE" run "$@" > "$TMP/$t.raw" 2> "$TMP/$t.err"
	rc=$?
	tr -d '\r' < "$TMP/$t.raw" > "$TMP/$t.out"
}

# has TEST LINE: TEST's output has LINE as a whole line.
has() { grep -qxF -- "$2" "$TMP/$1.out"; }

# expect_rc TEST WANT: false (after a FAIL line) unless $rc is WANT.
expect_rc() {
	if [ "$rc" -eq 124 ]; then
		fail "$1" "hyve did not stop within ${TIMEOUT}s"
		return 1
	fi
	if [ "$rc" -ne "$2" ]; then
		fail "$1" "hyve exited $rc, expected $2"
		return 1
	fi
}

# Address of the first instruction whose disassembly matches $2 in guest $1.
insn_addr() {
	command -v objdump > /dev/null || return 0
	objdump -d "$GUESTS/$1.elf" 2> /dev/null |
		awk -v re="$2" '$0 ~ re { sub(":", "", $1); print $1; exit }'
}

# ---- bzImage headers (Linux boot protocol, no KVM needed) ----

le() { od -An -t "u$3" -j "$2" -N "$3" --endian=little "$1" | tr -d ' '; }

# check_image FILE: prints what is wrong with FILE's setup header, if anything.
check_image() {
	local f=$1 size setup syssize init ver
	hdr() { le "$f" $(($1)) "$2"; }	# hdr OFFSET SIZE: a field of $f
	size=$(stat -c %s "$f")
	[ "$size" -ge 1024 ] || { echo "only $size bytes"; return; }
	[ "$(hdr 0x1f1 1)" -ge 1 ] || echo "setup_sects is 0"
	setup=$((($(hdr 0x1f1 1) + 1) * 512))
	[ "$(hdr 0x1fe 2)" = $((0xaa55)) ] || echo "no boot_flag 0xAA55"
	[ "$(dd if="$f" bs=1 skip=$((0x202)) count=4 2> /dev/null)" = HdrS ] ||
		echo "no HdrS magic"
	ver=$(hdr 0x206 2)
	[ "$ver" -ge $((0x20c)) ] || printf 'protocol %#x < 0x20c\n' "$ver"
	[ $(($(hdr 0x211 1) & 1)) = 1 ] || echo "no LOADED_HIGH in loadflags"
	[ $(($(hdr 0x236 2) & 1)) = 1 ] || echo "no XLF_KERNEL_64 in xloadflags"
	[ "$(hdr 0x234 1)" = 0 ] || echo "relocatable_kernel is set"
	[ "$(hdr 0x258 8)" = $((0x100000)) ] || echo "pref_address is not 1 MiB"
	[ "$(hdr 0x22c 4)" = $((0x7fffffff)) ] || echo "bad initrd_addr_max"
	[ "$(hdr 0x238 4)" -gt 0 ] || echo "cmdline_size is 0"
	syssize=$(($(hdr 0x1f4 4) * 16))
	if [ "$syssize" -lt $((size - setup)) ] ||
	   [ "$syssize" -ge $((size - setup + 16)) ]; then
		echo "syssize covers $syssize bytes, not the" \
		     "$((size - setup)) after the setup sectors"
	fi
	init=$(hdr 0x260 4)
	[ "$init" -ge "$syssize" ] || echo "init_size $init < $syssize"
	[ "$(hdr $((setup + 0x200)) 1)" = $((0xfa)) ] ||
		echo "no cli at the 64-bit entry (offset $((setup + 0x200)))"
}

test_image_headers() {
	local g why bad=
	for g in hello echo smp reboot-count crash internal; do
		if [ ! -f "$GUESTS/$g.bzImage" ]; then
			bad="$bad $g: missing (make guests);"
			continue
		fi
		why=$(check_image "$GUESTS/$g.bzImage" | tr '\n' ';')
		[ -z "$why" ] || bad="$bad $g: $why"
	done
	if [ -n "$bad" ]; then
		fail image-headers "$bad"
	else
		pass image-headers
	fi
}

# ---- guests under hyve run ----

test_hello() {
	local t=hello cmdline='console=ttyS0 hyve.test=hello-42 a=b,c' kib
	profile "$TMP/$t.ini" "$t" hello 1 exit "$cmdline"
	run "$t" "$TMP/$t.ini" < /dev/null
	expect_rc "$t" 0 || return
	has "$t" "hello from hyve guest" || { fail "$t" "no greeting"; return; }
	has "$t" "cmdline: $cmdline" ||
		{ fail "$t" "command line not 'cmdline: $cmdline'"; return; }
	kib=$(sed -n 's/^e820: [0-9]* entries, \([0-9]*\) KiB usable$/\1/p' \
		"$TMP/$t.out")
	if [ -z "$kib" ] || [ "$kib" -gt $((MEMORY_MIB * 1024)) ] ||
	   [ "$kib" -lt $(((MEMORY_MIB - 1) * 1024)) ]; then
		fail "$t" "e820 usable RAM: '${kib}' KiB, memory = ${MEMORY_MIB}M"
		return
	fi
	pass "$t"
}

# [serial] log keeps the console output, appended run after run, and a
# plain NAME runs NAME.ini from the profile store ($HYVE_PROFILES).
test_serial_log() {
	local t=serial-log n
	mkdir -p "$TMP/store"
	profile "$TMP/store/$t.ini" "$t" echo 1 exit ""
	printf '[serial]\nlog = console.log\n' >> "$TMP/store/$t.ini"
	printf 'abc\nquit\n' > "$TMP/$t.in"
	HYVE_PROFILES=$TMP/store run "$t" "$t" < "$TMP/$t.in"
	expect_rc "$t" 0 || return
	has "$t" "got: ABC" || { fail "$t" "no 'got: ABC' on the terminal"; return; }
	HYVE_PROFILES=$TMP/store run "$t" "$t" < "$TMP/$t.in"
	expect_rc "$t" 0 || return
	n=$(tr -d '\r' < "$TMP/store/console.log" | grep -cxF "got: ABC")
	[ "$n" = 2 ] || { fail "$t" "'got: ABC' $n times in the log, not 2"; return; }
	pass "$t"
}

# com1 = none: the guest runs (and powers off) but nothing reaches the
# terminal; the output of the port set to console does.
test_com1_none() {
	local t=com1-none
	profile "$TMP/$t.ini" "$t" hello 1 exit "console=ttyS0"
	printf '[serial]\ncom1 = none\n' >> "$TMP/$t.ini"
	run "$t" "$TMP/$t.ini" < /dev/null
	expect_rc "$t" 0 || return
	[ ! -s "$TMP/$t.out" ] || { fail "$t" "COM1 output reached the terminal"; return; }
	pass "$t"
}

# The RSDP found by scanning 0xe0000-0xfffff, not from boot_params.
test_hello_rsdp_scan() {
	local t=hello-rsdp-scan
	profile "$TMP/$t.ini" "$t" hello 1 exit "acpi_rsdp=scan"
	run "$t" "$TMP/$t.ini" < /dev/null
	expect_rc "$t" 0 || return
	has "$t" "acpi: ignoring boot_params.acpi_rsdp_addr" ||
		{ fail "$t" "guest did not take the scan path"; return; }
	pass "$t"
}

# Input piped at once: most of it arrives before the guest enables the UART.
test_echo() {
	local t=echo
	profile "$TMP/$t.ini" "$t" echo 1 exit ""
	printf 'abc\nquit\n' > "$TMP/$t.in"
	run "$t" "$TMP/$t.ini" < "$TMP/$t.in"
	expect_rc "$t" 0 || return
	has "$t" "got: ABC" || { fail "$t" "no 'got: ABC'"; return; }
	has "$t" "got: QUIT" || { fail "$t" "no 'got: QUIT'"; return; }
	pass "$t"
}

# wait_for TEST LINE: waits (bounded) until TEST.raw has a line with LINE.
wait_for() {
	local i
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		tr -d '\r' < "$TMP/$1.raw" 2> /dev/null | grep -qF -- "$2" &&
			return 0
		kill -0 "$pid" 2> /dev/null || return 1
		sleep 0.1
	done
	return 1
}

# bg_start TEST PROFILE: runs hyve in the background, stdin from a FIFO
# held open on descriptor 3; $pid is the timeout(1) wrapping it, which
# passes signals on to hyve (once: --foreground, else it also signals its
# process group, and a second SIGTERM makes hyve force-stop).
bg_start() {
	mkfifo "$TMP/$1.in"
	: > "$TMP/$1.raw"
	timeout --foreground "$TIMEOUT" "$HYVE" run "$2" < "$TMP/$1.in" \
		> "$TMP/$1.raw" 2> "$TMP/$1.err" &
	pid=$!
	exec 3> "$TMP/$1.in"
}

# bg_finish TEST: closes the input, waits for hyve, sets $rc and TEST.out.
bg_finish() {
	exec 3>&-
	wait "$pid"
	rc=$?
	tr -d '\r' < "$TMP/$1.raw" > "$TMP/$1.out"
}

# Input sent only once the guest waits in hlt: the receive IRQ must wake it.
test_echo_late_input() {
	local t=echo-late-input pid
	profile "$TMP/$t.ini" "$t" echo 1 exit ""
	bg_start "$t" "$TMP/$t.ini"
	if wait_for "$t" "echo> "; then
		sleep 0.2
		printf 'late\n' >&3
		wait_for "$t" "got: LATE" && printf 'quit\n' >&3
	fi
	bg_finish "$t"
	expect_rc "$t" 0 || return
	has "$t" "got: LATE" || { fail "$t" "no 'got: LATE'"; return; }
	pass "$t"
}

# SIGTERM makes hyve press the ACPI power button; the guest gets the SCI.
test_echo_power_button() {
	local t=echo-power-button pid
	profile "$TMP/$t.ini" "$t" echo 1 exit ""
	bg_start "$t" "$TMP/$t.ini"
	wait_for "$t" "echo> " && sleep 0.2 && kill -TERM "$pid"
	bg_finish "$t"
	expect_rc "$t" 0 || return
	has "$t" "echo: power button pressed, powering off" ||
		{ fail "$t" "guest saw no power button event"; return; }
	pass "$t"
}

test_echo_reset() {	# TEST LINE: a reset with on_reboot = exit
	local t=$1
	profile "$TMP/$t.ini" "$t" echo 1 exit ""
	printf '%s\n' "$2" > "$TMP/$t.in"
	run "$t" "$TMP/$t.ini" < "$TMP/$t.in"
	expect_rc "$t" 4 || return
	has "$t" "got: ${2^^}" || { fail "$t" "no 'got: ${2^^}'"; return; }
	pass "$t"
}

test_reboot_count() {
	local t=reboot-count boots
	profile "$TMP/$t.ini" "$t" reboot-count 1 restart ""
	run "$t" "$TMP/$t.ini" < /dev/null
	expect_rc "$t" 0 || return
	boots=$(grep '^boot ' "$TMP/$t.out" | tr '\n' ,)
	if [ "$boots" != "boot 0,boot 1,boot 2," ]; then
		fail "$t" "not boot 0, 1, 2 (does CMOS RAM survive a reset?)"
		return
	fi
	pass "$t"
}

test_smp() {	# CPUS
	local t=smp-$1 i
	profile "$TMP/$t.ini" "$t" smp "$1" exit ""
	run "$t" "$TMP/$t.ini" < /dev/null
	expect_rc "$t" 0 || return
	has "$t" "smp: $1 cpus online" ||
		{ fail "$t" "no 'smp: $1 cpus online'"; return; }
	for ((i = 1; i < $1; i++)); do
		grep -qx "cpu $i up (apic [0-9]*)" "$TMP/$t.out" ||
			{ fail "$t" "no 'cpu $i up' line"; return; }
	done
	pass "$t"
}

# On AMD, KVM resets the vCPU when it intercepts a shutdown, so the RIP
# hyve reads afterwards is the reset vector 0xfff0, not the faulting one.
test_crash() {
	local t=crash addr
	profile "$TMP/$t.ini" "$t" crash 1 exit ""
	run "$t" "$TMP/$t.ini" < /dev/null
	expect_rc "$t" 3 || return
	grep -qi "triple fault" "$TMP/$t.err" ||
		{ fail "$t" "no 'triple fault' in hyve's message"; return; }
	grep -qiE "rip:? *(0x)?[0-9a-f]+" "$TMP/$t.err" ||
		{ fail "$t" "message lacks a RIP"; return; }
	addr=$(insn_addr crash '\tud2')
	if [ -n "$addr" ] &&
	   ! grep -qiE "rip:? *(0x)?0*($addr|fff0)\b" "$TMP/$t.err"; then
		fail "$t" "message lacks the ud2's RIP 0x$addr"
		return
	fi
	pass "$t"
}

test_internal() {
	local t=internal addr
	profile "$TMP/$t.ini" "$t" internal 1 exit "internal=movntdqa"
	run "$t" "$TMP/$t.ini" < /dev/null
	expect_rc "$t" 3 || return
	addr=$(insn_addr internal '\tmovntdqa')
	if [ -n "$addr" ]; then
		grep -qiE "rip:? *(0x)?0*$addr\b" "$TMP/$t.err" ||
			{ fail "$t" "message lacks the RIP 0x$addr"; return; }
	else
		grep -qiE "rip:? *(0x)?[0-9a-f]+" "$TMP/$t.err" ||
			{ fail "$t" "message lacks a RIP"; return; }
	fi
	grep -qi "66 0f 38 2a" "$TMP/$t.err" ||
		{ fail "$t" "message lacks the bytes 66 0f 38 2a"; return; }
	pass "$t"
}

# Two VMs in one process, each COM1 line whole and prefixed with [NAME].
# Interleaving is timing-dependent: a few rounds make a mix-up likelier.
test_two_vms() {
	local t=two-vms round l
	profile "$TMP/$t-a.ini" alpha hello 1 exit "vm=alpha"
	profile "$TMP/$t-b.ini" beta hello 1 exit "vm=beta"
	for round in 1 2 3; do
		run "$t" "$TMP/$t-a.ini" "$TMP/$t-b.ini" < /dev/null
		expect_rc "$t" 0 || return
		for l in "[alpha] hello from hyve guest" \
			 "[alpha] cmdline: vm=alpha" \
			 "[beta] hello from hyve guest" \
			 "[beta] cmdline: vm=beta"; do
			has "$t" "$l" && continue
			fail "$t" "round $round: no whole line '$l'"
			return
		done
	done
	pass "$t"
}

# ---- main ----

ALL="image-headers hello hello-rsdp-scan echo echo-late-input
echo-power-button echo-reboot echo-acpireset reboot-count smp-1 smp-2 smp-4
crash internal two-vms serial-log com1-none"

# timed NAME FUNCTION ARGS...: runs a test; with V=1 says how long it took.
timed() {
	local name=$1 start
	shift
	start=$(now)
	"$@"
	[ "$V" = 1 ] && awk -v a="$start" -v b="$(now)" -v n="$name" \
		'BEGIN { printf "  time: %s %.2f s\n", n, b - a }'
	true
}

timed image-headers test_image_headers
if [ ! -e /dev/kvm ]; then
	for t in $ALL; do
		[ "$t" = image-headers ] || skip "$t" "no /dev/kvm"
	done
	exit 0
fi
if [ ! -x "$HYVE" ]; then
	for t in $ALL; do
		[ "$t" = image-headers ] || fail "$t" "no hyve at $HYVE (make)"
	done
	exit 0
fi
timed hello test_hello
timed hello-rsdp-scan test_hello_rsdp_scan
timed echo test_echo
timed echo-late-input test_echo_late_input
timed echo-power-button test_echo_power_button
timed echo-reboot test_echo_reset echo-reboot reboot
timed echo-acpireset test_echo_reset echo-acpireset acpireset
timed reboot-count test_reboot_count
timed smp-1 test_smp 1
timed smp-2 test_smp 2
timed smp-4 test_smp 4
timed crash test_crash
timed internal test_internal
timed two-vms test_two_vms
timed serial-log test_serial_log
timed com1-none test_com1_none
exit 0
