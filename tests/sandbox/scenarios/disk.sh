#!/bin/sh
# disk.sh - issue 4: virtio-blk and virtio-rng over PCI under `hyve run` with
# Debian's cloud kernel. /dev/vdX appear with the profile's size and sector
# size; the guest mounts an ext4 image made here with `mke2fs -d`, writes a
# file, syncs and powers off, and debugfs finds the file in the image; the
# same through an xhyve-sparse image hyve creates (checked by a second
# boot); a read-only disk refuses writes; /dev/hwrng gives random bytes; a
# second VM asking for a disk in use gets the lock error.
# sandbox-needs: hyve e2fsprogs
. /sandbox/scenarios/lib.sh

BOOT_T=${BOOT_TIMEOUT:-300}
CMD_T=${CMD_TIMEOUT:-90}
EXIT_T=${EXIT_TIMEOUT:-90}
MKE2FS=/usr/sbin/mke2fs
DEBUGFS=/usr/sbin/debugfs

if [ -z "${HYVE:-}" ]; then
	fail disk "no hyve binary in the sandbox"
	exit 0
fi
if [ ! -x "$MKE2FS" ] || [ ! -x "$DEBUGFS" ]; then
	fail disk "no mke2fs/debugfs in L1 (sandbox-needs: e2fsprogs)"
	exit 0
fi

mkdir -p profiles seed
ln -sf "$L2_KERNEL" profiles/vmlinuz
ln -sf "$L2_INITRD" profiles/initrd.cpio

# An ext4 image (16 MiB) with one file in it, made on this side.
echo "made-by-the-host-4242" > seed/host.txt
if ! "$MKE2FS" -q -F -t ext4 -d seed profiles/root.img 16M \
		> mkfs.log 2>&1; then
	fail disk "mke2fs -d failed: $(head -c 200 mkfs.log)"
	exit 0
fi
cp profiles/root.img profiles/ro.img

vm_header() {
	cat <<EOF
# written by tests/sandbox/scenarios/disk.sh
[vm]
name = $1
cpus = 1
memory = 256M
on_reboot = ${2:-exit}

[boot]
kernel = vmlinuz
initrd = initrd.cpio
cmdline = console=ttyS0 panic=-1 quiet

EOF
}

# disks: raw ext4 (512), a raw disk hyve creates (4096-byte sectors, slot
# 9), the read-only copy, an xhyve-sparse disk hyve creates; and an rng.
{
	vm_header diskvm
	cat <<EOF
[disk.root]
path = root.img
format = raw

[disk.big]
path = big.img
format = raw
size = 8M
sectorsize = 4096
slot = 9

[disk.ro]
path = ro.img
format = raw
readonly = yes

[disk.sparse]
path = sparse.img
format = xhyve-sparse
size = 16M
split = 4M

[rng]
type = virtio-rng
EOF
} > profiles/diskvm.ini

# The same root image again: must be refused while diskvm runs.
{ vm_header second; printf '[disk.root]\npath = root.img\nformat = raw\n'; } \
	> profiles/second.ini
# The sparse disk alone, to read back what the first boot wrote.
{
	vm_header sparsevm restart
	printf '[disk.sparse]\npath = sparse.img\nformat = xhyve-sparse\n'
	printf 'size = 16M\nsplit = 4M\n'
} > profiles/sparsevm.ini

hyve_start() {
	local name=$1
	shift
	cd / && vm_start "$name" "$2" "$HYVE" run "$1"
	cd "$WORK" || exit 1
}

# boot_to_shell NAME: waits for the guest's shell after a (re)boot: its init's
# "shell" line first, since the prompt of a shell about to reboot may still
# arrive after the mark.
boot_to_shell() {
	local rc
	vm_expect "$1" -Fx "HYVE-GUEST: shell" "$BOOT_T" &&
		vm_expect "$1" -F "hyve-guest# " "$BOOT_T"
	rc=$?
	if [ $rc != 0 ]; then
		vm_wait "$1" 1
		note "$1: no shell prompt: $(why_not $rc "$BOOT_T")," \
			"hyve exit status $VM_RC"
		show "$WORK/$1.out" 30
		show "$WORK/$1.err"
		return 1
	fi
	note "$1: prompt after $(vm_elapsed "$1") s"
	return 0
}

T_ALL="disk-vda-size disk-512 disk-4096 disk-slot disk-ext4-host-file
disk-ext4-write disk-readonly hwrng disk-msix disk-ecam disk-bar64 disk-lock
disk-sparse-write
disk-ext4-debugfs disk-sparse-reboot disk-after-reset disk-poweroff"

hyve_start diskvm "$WORK/profiles/diskvm.ini" 3
if ! boot_to_shell diskvm; then
	lost $T_ALL
	exit 0
fi
# Disks appear in slot order: root (1), ro (2), sparse (3), big (9).
ask diskvm disk-vda-size 'echo SIZE=$(cat /sys/block/vda/size)' \
	"SIZE=32768"
ask diskvm disk-512 \
	'echo LBS=$(cat /sys/block/vda/queue/logical_block_size)' "LBS=512"
ask diskvm disk-4096 \
	'echo LBS=$(cat /sys/block/vdd/queue/logical_block_size)/$(cat /sys/block/vdd/size)' \
	"LBS=4096/16384"
ask diskvm disk-slot \
	'echo SLOT=$(basename $(readlink -f /sys/block/vdd/device/..) | cut -d: -f2-)' \
	"SLOT=00:09.0"
ask diskvm disk-ext4-host-file \
	'mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && cat /mnt/host.txt' \
	"made-by-the-host-4242"
ask diskvm disk-ext4-write \
	'echo written-in-the-guest-777 > /mnt/guest.txt && sync && umount /mnt && echo WRITE-OK' \
	"WRITE-OK"
ask diskvm disk-readonly \
	'echo RO=$(cat /sys/block/vdb/ro); dd if=/dev/zero of=/dev/vdb bs=512 count=1 2>/dev/null && echo RO-WROTE || echo RO-REFUSED' \
	"RO-REFUSED"
ask diskvm hwrng \
	'a=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d " \n"); b=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d " \n"); [ ${#a} = 64 ] && [ "$a" != "$b" ] && [ "$a" != "$(printf %064d 0)" ] && echo RNG-OK' \
	"RNG-OK"

# Interrupts come as MSI-X (irqfd), config space through ECAM (MCFG).
ask diskvm disk-msix \
	'grep -q "PCI-MSI.*virtio0-req" /proc/interrupts && echo MSIX-OK' \
	"MSIX-OK"
ask diskvm disk-ecam \
	'dmesg | grep -q "MMCONFIG.*0xe0000000.*reserved" && echo ECAM-OK' \
	"ECAM-OK"
# The virtio BAR (64-bit, prefetchable) sits in the 64-bit window above
# 4 GiB that PCI0's _CRS describes, and Linux keeps it there.
ask diskvm disk-bar64 \
	'r=$(head -n 1 /sys/bus/pci/devices/0000:00:01.0/resource | cut -d" " -f1); echo BAR0=$r; ! dmesg | grep -E "BAR.*(no space|failed to assign|no compatible bridge window)" && [ $((r)) -ge $((0x100000000)) ] && echo BAR64-OK' \
	"BAR64-OK"

# A second VM wanting root.img while diskvm has it: exit 1, lock message.
hyve_start second "$WORK/profiles/second.ini" 4
vm_wait second 60
if [ "$VM_RC" = 1 ] && grep -q 'root.img.*in use' "$WORK/second.err"; then
	pass disk-lock
	note "lock: $(head -n 1 "$WORK/second.err")"
else
	fail disk-lock "exit status $VM_RC (expected 1), stderr:\
 $(head -c 300 "$WORK/second.err" | tr '\n' ' ')"
	[ "$VM_RC" = timeout ] || vm_kill second
fi

# The xhyve-sparse disk: copy the ext4 image in, mount it, add a file.
ask diskvm disk-sparse-write \
	'dd if=/dev/vda of=/dev/vdc bs=1M 2>/dev/null && mkdir -p /m2 && mount -t ext4 /dev/vdc /m2 && echo in-the-sparse-disk-99 > /m2/sparse.txt && sync && umount /m2 && echo SPARSE-OK' \
	"SPARSE-OK"
ends diskvm disk-poweroff 'poweroff -f' 0

# The host finds the guest's file in the raw image.
out=$("$DEBUGFS" -R "cat /guest.txt" profiles/root.img 2>/dev/null)
if [ "$out" = "written-in-the-guest-777" ]; then
	pass disk-ext4-debugfs
else
	fail disk-ext4-debugfs "debugfs cat /guest.txt gave '$out'"
fi
note "sparse image files: $(cd profiles && ls sparse.img* | xargs)"

# A second boot reads the file back through the sparse format.
hyve_start sparsevm "$WORK/profiles/sparsevm.ini" 5
if boot_to_shell sparsevm; then
	ask sparsevm disk-sparse-reboot \
		'mkdir -p /m && mount -t ext4 -o ro /dev/vda /m && cat /m/sparse.txt /m/guest.txt' \
		"in-the-sparse-disk-99"
	# A guest reboot rebuilds the machine: the disk works again after it.
	vm_mark sparsevm
	vm_send sparsevm 'umount /m; reboot -f'
	if boot_to_shell sparsevm; then
		ask sparsevm disk-after-reset \
			'mkdir -p /m && mount -t ext4 -o ro /dev/vda /m && cat /m/sparse.txt' \
			"in-the-sparse-disk-99"
	else
		lost disk-after-reset
	fi
	vm_send sparsevm 'poweroff -f'
	vm_wait sparsevm "$EXIT_T"
else
	lost disk-sparse-reboot disk-after-reset
fi
