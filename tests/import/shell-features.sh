#!/bin/sh
# A run script full of shell constructs that hyve import steps over.

usage() {
	echo "usage: $0 [console]" >&2
	exit 2
}

case "$1" in
-h|--help) usage ;;
esac

BASE=~/vms/debian
NAME='debian $HOME'
KERNEL="$BASE/vmlinuz"
for f in a b; do
	echo $f
done
ARGS=(-A -m 1G)
cat > /tmp/notes <<'END'
xhyve -m 64G -f kexec,wrong
END
DISK="$HOME/vms/debian/disk.img"
IFS=:
SLOTS="-s:0,hostbridge"
xhyve $SLOTS -s 31,lpc -m 512 -c "$(nproc)" \
	-s 2,virtio-blk,My\ VMs/debian.img,ro,nocache \
	-s 3,virtio-tap,tap0,mac=52:54:00:12:34:56 \
	-s 4,virtio-9p,share \
	-s 5,uart \
	-s 2:1,ahci-cd,"$DISK" \
	-l com2,stdio -H -P -w -x \
	-f kexec,$KERNEL,,"console=ttyS1 $(cat cmdline.txt)" > xhyve.log 2>&1 &
unset IFS
xhyve -f kexec,other
