#!/bin/sh
# disk-l1.sh - the part of tests/bench/disk that runs inside the sandbox's L1
# (busybox sh): the same L2 guest and raw image under hyve and under QEMU's
# virtio-blk-pci; sequential dd and random-read IOPS in the guest; BENCH:
# lines with medians and ratios. See tests/bench/disk.
# sandbox-needs: qemu
# sandbox-suite: no
. /sandbox/scenarios/lib.sh

RUNS=3 MB=256 RAND_SECONDS=10
[ -f /sandbox/bench.conf ] && . /sandbox/bench.conf
BOOT_T=300
CMD_T=$(( MB * 2 + RAND_SECONDS + 120 ))
EXIT_T=90
CMDLINE="console=ttyS0 quiet panic=-1"

if [ ! -x /sandbox/randread ]; then
	echo "FAIL: bench-disk: no randread helper in L1"
	exit 0
fi
# The tool goes to the guest as a tar archive on a read-only disk.
mkdir -p tools && cp /sandbox/randread tools/ &&
	tar -cf tools.tar tools || { echo "FAIL: bench-disk: tar"; exit 0; }
# Written in full first, so that no VMM's run pays for allocating it.
dd if=/dev/zero of=bench.img bs=1M count=$((MB + 64)) 2>/dev/null

VMMS="qemu"
if [ -n "${HYVE:-}" ]; then
	VMMS="hyve qemu"
	cat > bench.ini <<INI
[vm]
name = bench
cpus = 1
memory = 256M
on_reboot = exit

[boot]
kernel = $L2_KERNEL
initrd = $L2_INITRD
cmdline = $CMDLINE

[disk.bench]
path = $WORK/bench.img
format = raw
cache = writeback

[disk.tools]
path = $WORK/tools.tar
format = raw
readonly = yes
INI
else
	echo "SKIP: bench-disk-hyve: no hyve binary given; QEMU only"
fi

vmm_start() {
	case $1 in
	hyve)
		vm_start "$2" 3 "$HYVE" run "$WORK/bench.ini" ;;
	qemu)
		vm_start "$2" 3 qemu-system-x86_64 -enable-kvm -cpu host -M pc \
			-smp 1 -m 256M -nographic -nodefaults -serial stdio \
			-no-reboot -kernel "$L2_KERNEL" -initrd "$L2_INITRD" \
			-append "$CMDLINE" \
			-drive "file=$WORK/bench.img,if=none,id=d0,format=raw,cache=writeback,aio=threads" \
			-device virtio-blk-pci,drive=d0 \
			-drive "file=$WORK/tools.tar,if=none,id=d1,format=raw,readonly=on" \
			-device virtio-blk-pci,drive=d1 ;;
	esac
}

# mbps: "DD-TIME=T0 T1" (guest uptime around a dd of MB MiB) -> MB/s.
mbps() {
	awk -v mb="$MB" '/^DD-TIME=/ { sub("DD-TIME=", ""); d = $2 - $1
		if (d > 0) printf "%d\n", mb * 1048576 / d / 1000000 }' |
		tail -n 1
}

# timed_dd ARGS: the guest command line that times one dd with uptime.
timed_dd() {
	echo "t0=\$(cut -d' ' -f1 /proc/uptime); dd $* 2>/dev/null;" \
		"echo DD-TIME=\$t0 \$(cut -d' ' -f1 /proc/uptime)"
}

# run_one VMM N: one boot; appends "seqwrite seqread iops" to VMM.results.
run_one() {
	local vm="$1$2" w r i
	vmm_start "$1" "$vm"
	if ! vm_expect "$vm" -F "hyve-guest# " "$BOOT_T"; then
		echo "FAIL: bench-disk-$1: the guest did not boot"
		show "$WORK/$vm.out"
		vm_kill "$vm"
		return
	fi
	vm_mark "$vm"
	vm_send "$vm" "tar -xf /dev/vdb -C /tmp && echo TOOLS-OK"
	vm_expect "$vm" -Fx "TOOLS-OK" "$CMD_T" ||
		{ echo "FAIL: bench-disk-$1: no tools"; vm_kill "$vm"; return; }
	vm_mark "$vm"
	vm_send "$vm" "$(timed_dd if=/dev/zero of=/dev/vda bs=1M count=$MB oflag=direct)"
	vm_expect "$vm" -E "^DD-TIME=[0-9.]+ [0-9.]+" "$CMD_T"
	w=$(tail -c +$(( $(eval "echo \$VM_MARK_$vm") + 1 )) "$WORK/$vm.out" |
		tr -d '\r' | mbps)
	vm_mark "$vm"
	vm_send "$vm" "$(timed_dd if=/dev/vda of=/dev/null bs=1M count=$MB iflag=direct)"
	vm_expect "$vm" -E "^DD-TIME=[0-9.]+ [0-9.]+" "$CMD_T"
	r=$(tail -c +$(( $(eval "echo \$VM_MARK_$vm") + 1 )) "$WORK/$vm.out" |
		tr -d '\r' | mbps)
	vm_mark "$vm"
	vm_send "$vm" "/tmp/tools/randread /dev/vda $RAND_SECONDS"
	vm_expect "$vm" -E "^RANDREAD-IOPS=[0-9]+" "$CMD_T"
	i=$(tr -d '\r' < "$WORK/$vm.out" | sed -n 's/^RANDREAD-IOPS=//p' | tail -n 1)
	vm_send "$vm" "poweroff -f"
	vm_wait "$vm" "$EXIT_T"
	echo "SANDBOX: $1 run $2: seqwrite ${w:-?} MB/s, seqread ${r:-?} MB/s, randread ${i:-?} IOPS"
	[ -n "$w" ] && [ -n "$r" ] && [ -n "$i" ] &&
		echo "$w $r $i" >> "$WORK/$1.results"
}

median() {	# median of column $1 of file $2
	cut -d' ' -f"$1" "$2" | sort -n | awk '{ v[NR] = $1 }
		END { if (NR) print v[int((NR + 1) / 2)] }'
}

n=1
while [ $n -le "$RUNS" ]; do
	for v in $VMMS; do
		run_one "$v" "$n"
	done
	n=$((n + 1))
done

for v in $VMMS; do
	[ -s "$WORK/$v.results" ] || { echo "FAIL: bench-disk-$v: no results"; continue; }
	echo "BENCH: disk $v seqwrite $(median 1 "$WORK/$v.results") MB/s," \
		"seqread $(median 2 "$WORK/$v.results") MB/s," \
		"randread $(median 3 "$WORK/$v.results") IOPS (medians of $RUNS)"
done
if [ -s "$WORK/hyve.results" ] && [ -s "$WORK/qemu.results" ]; then
	col=1
	for what in seqwrite seqread randread; do
		h=$(median $col "$WORK/hyve.results")
		q=$(median $col "$WORK/qemu.results")
		ratio=$(awk -v h="$h" -v q="$q" 'BEGIN { if (q > 0) printf "%.2f", h / q; else print "?" }')
		verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 1.0) ? "meets" : "misses" }')
		echo "BENCH: disk $what hyve/qemu = ${ratio}x ($verdict the >= 1.0x target)"
		col=$((col + 1))
	done
fi
