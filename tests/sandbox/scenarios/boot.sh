#!/bin/sh
# boot.sh - issue 2: `hyve run PROFILE.ini` boots a real Debian cloud kernel
# with a busybox initramfs (the Linux x86 boot protocol path), honours the
# profile's cpus and cmdline, forwards the console both ways, and exits with
# the documented statuses (0 poweroff, 4 reboot with on_reboot = exit,
# 1 could not start). Several profiles in one hyve run boot side by side.
# sandbox-needs: hyve
. /sandbox/scenarios/lib.sh

BOOT_T=${BOOT_TIMEOUT:-300}	# launch to the guest's init marker
CMD_T=${CMD_TIMEOUT:-90}	# one command's answer
EXIT_T=${EXIT_TIMEOUT:-90}	# poweroff/reboot to hyve's exit

if [ -z "${HYVE:-}" ]; then
	fail boot "no hyve binary in the sandbox"
	exit 0
fi

# Profiles name their kernel and initrd relative to their own folder, and
# hyve runs from another directory, so relative paths are resolved right.
mkdir -p profiles
ln -sf "$L2_KERNEL" profiles/vmlinuz
ln -sf "$L2_INITRD" profiles/initrd.cpio

# profile NAME CPUS ON_REBOOT CMDLINE [KERNEL]   ($UNPACK: [boot] unpack)
profile() {
	cat > "profiles/$1.ini" <<EOF
# written by tests/sandbox/scenarios/boot.sh
[vm]
name = $1
cpus = $2
memory = 256M
on_reboot = $3

[boot]
kernel = ${5:-vmlinuz}
initrd = initrd.cpio
cmdline = $4
unpack = ${UNPACK:-yes}
EOF
}

# hyve_start NAME PROFILE...: hyve run in the background, from /.
hyve_start() {
	local name=$1
	shift
	cd / && vm_start "$name" 3 "$HYVE" run "$@"
	cd "$WORK" || exit 1
}

# boot_to_shell NAME TEST: wait for the init marker and then the prompt.
# Prints the TEST result for reaching init; returns 1 if the VM is no good.
boot_to_shell() {
	local rc
	# (a firmware may leave escape sequences before it on the line)
	vm_expect "$1" -E "HYVE-GUEST: init$" "$BOOT_T"
	rc=$?
	if [ $rc != 0 ]; then
		vm_wait "$1" 1
		[ -n "$2" ] && fail "$2" "no init marker: $(why_not $rc \
			"$BOOT_T"), hyve exit status $VM_RC"
		show "$WORK/$1.out"
		show "$WORK/$1.err"
		return 1
	fi
	note "$1: init after $(vm_elapsed "$1") s"
	[ -n "$2" ] && pass "$2"
	vm_expect "$1" -F "hyve-guest# " "$CMD_T"
	rc=$?
	if [ $rc != 0 ]; then
		vm_wait "$1" 1
		note "$1: no shell prompt: $(why_not $rc "$CMD_T")," \
			"hyve exit status $VM_RC"
		show "$WORK/$1.out"
		show "$WORK/$1.err"
		return 1
	fi
	note "$1: prompt after $(vm_elapsed "$1") s"
	return 0
}

# 1 vCPU: init, nproc, /proc/cmdline, console round trip, poweroff -> 0.
CMDLINE="console=ttyS0 panic=-1 hyve.test=boot-cmdline-7 quiet"
profile one 1 exit "$CMDLINE"
hyve_start one "$WORK/profiles/one.ini"
if boot_to_shell one boot-init; then
	ask one boot-nproc-1 'echo NPROC=$(nproc)' "NPROC=1"
	ask one boot-cmdline 'echo "CMDLINE<$(cat /proc/cmdline)>"' \
		"CMDLINE<$CMDLINE>"
	ask one boot-console 'echo hy$((40+2))ve' "hy42ve"
	# unpacked by hyve (LZ4): the kernel runs at its link address
	ask one boot-unpacked 'echo TEXT=$(grep -w _text /proc/kallsyms)' \
		"TEXT=ffffffff81000000 T _text"
	ends one boot-poweroff 'poweroff -f' 0
else
	lost boot-nproc-1 boot-cmdline boot-console boot-poweroff
fi

# 2 vCPUs: nproc, reboot with on_reboot = exit -> 4; the kernel boots
# through its own decompressor (unpack = no), which also randomizes it.
UNPACK=no profile two 2 exit "console=ttyS0 panic=-1 quiet"
hyve_start two "$WORK/profiles/two.ini"
if boot_to_shell two boot-own-decompressor; then
	ask two boot-nproc-2 'echo NPROC=$(nproc)' "NPROC=2"
	vm_mark two
	vm_send two 'grep -w _text /proc/kallsyms'
	vm_expect two -E "^[0-9a-f]+ T _text" "$CMD_T" &&
		note "two (unpack = no): $(grep ' T _text' "$WORK/two.out" |
			tail -n 1 | tr -d '\r')"
	ends two boot-reboot-exit 'reboot -f' 4
else
	lost boot-own-decompressor boot-nproc-2 boot-reboot-exit
fi

# 4 vCPUs: nproc.
profile four 4 exit "console=ttyS0 panic=-1 quiet"
hyve_start four "$WORK/profiles/four.ini"
if boot_to_shell four ""; then
	ask four boot-nproc-4 'echo NPROC=$(nproc)' "NPROC=4"
	ends four boot-poweroff-4 'poweroff -f' 0
else
	lost boot-nproc-4 boot-poweroff-4
fi

# A missing kernel: exit 1 and a message on stderr naming the file.
profile nokernel 1 exit "console=ttyS0" no-such-vmlinuz
hyve_start nokernel "$WORK/profiles/nokernel.ini"
vm_wait nokernel 60
if [ "$VM_RC" = 1 ] && grep -q 'no-such-vmlinuz' "$WORK/nokernel.err"; then
	pass boot-missing-kernel
	note "missing kernel: $(head -n 1 "$WORK/nokernel.err")"
else
	fail boot-missing-kernel "exit status $VM_RC (expected 1), stderr:\
 $(head -c 200 "$WORK/nokernel.err" | tr '\n' ' ')"
fi

# Two VMs in one process: both boot (and power off at once), each line of
# their consoles prefixed "[NAME] ", and hyve exits 0 once both stopped.
profile alpha 1 exit "console=ttyS0 panic=-1 quiet hyve.bench=poweroff"
profile beta 2 exit "console=ttyS0 panic=-1 quiet hyve.bench=poweroff"
hyve_start pair "$WORK/profiles/alpha.ini" "$WORK/profiles/beta.ini"
vm_wait pair "$BOOT_T"
miss=
grep -q '^\[alpha\] .*HYVE-GUEST: init' "$WORK/pair.out" || miss="$miss alpha"
grep -q '^\[beta\] .*HYVE-GUEST: init' "$WORK/pair.out" || miss="$miss beta"
if [ "$VM_RC" = 0 ] && [ -z "$miss" ]; then
	pass boot-two-vms
	note "two VMs: both done after $(vm_elapsed pair) s"
else
	fail boot-two-vms "exit status $VM_RC (expected 0)\
${miss:+, no init marker from$miss}"
	show "$WORK/pair.out" 10
	show "$WORK/pair.err" 5
fi
