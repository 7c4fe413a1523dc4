#!/bin/sh
# console-flood.sh - diagnostic, not in the suite: boots the L2 guest with
# hyve.bench=dmesg (its /init prints the kernel log, some 340 lines, on the
# serial console, then powers off), FLOOD_RUNS times (8) under hyve and
# under QEMU -M pc alike, with the console going to a file and through a
# pipe, and counts the runs that did not power off in time (a hang) or
# failed (a triple fault). Usage:
#   tests/sandbox/run console-flood build/hyve
#   tests/sandbox/run kvmtrace-on,console-flood,kvmtrace-dump build/hyve
# See "Faults of the emulated L1" in tests/sandbox/README.md.
# sandbox-suite: no
# sandbox-needs: hyve qemu
. /sandbox/scenarios/lib.sh

CMD="console=ttyS0 quiet panic=-1 hyve.bench=dmesg"
RUNS=${FLOOD_RUNS:-8}
cat > "$WORK/flood.ini" <<EOF
[vm]
name = flood
cpus = 1
memory = 256M
on_reboot = exit

[boot]
kernel = $L2_KERNEL
initrd = $L2_INITRD
cmdline = $CMD
EOF

QEMU="qemu-system-x86_64 -enable-kvm -cpu host -M pc -smp 1 -m 256M
	-nographic -nodefaults -serial stdio -no-reboot
	-kernel $L2_KERNEL -initrd $L2_INITRD"

# flood_run VMM: one boot (VMM hyve, qemu, hyve-pipe or qemu-pipe); prints
# the exit status and the lines the guest got out.
flood_run() {
	case $1 in
	hyve)	vm_start flood 3 "$HYVE" run "$WORK/flood.ini" ;;
	hyve-pipe)
		vm_start flood 3 sh -c "set -o pipefail
			$HYVE run $WORK/flood.ini | cat" ;;
	qemu)	vm_start flood 3 $QEMU -append "$CMD" ;;
	qemu-pipe)
		vm_start flood 3 sh -c "set -o pipefail
			$(echo $QEMU) -append '$CMD' | cat" ;;
	esac
	# (a pipe's VMM outlives the shell killed at a timeout)
	vm_wait flood 60 || killall -9 "${HYVE##*/}" qemu-system-x86_64 \
		2>/dev/null
	echo "$VM_RC $(wc -l < "$WORK/flood.out")"
}

for vmm in ${FLOOD_VMMS:-hyve hyve-pipe qemu qemu-pipe}; do
	bad=0
	i=0
	while [ $i -lt "$RUNS" ]; do
		i=$((i + 1))
		set -- $(flood_run $vmm)
		note "console-flood $vmm run $i: exit $1, $2 lines"
		if [ "$1" != 0 ]; then
			bad=$((bad + 1))
			show "$WORK/flood.out" 3
			show "$WORK/flood.err" 3
		fi
	done
	if [ $bad -eq 0 ]; then
		pass "console-flood-$vmm"
	else
		fail "console-flood-$vmm" "$bad of $RUNS runs hung or failed"
	fi
done
