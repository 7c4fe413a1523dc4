#!/usr/bin/env bash
# Installs Alpine Linux (virt flavour) from its ISO onto alpine.img.
# Run setup-alpine in the guest, then boot with run.sh.
set -euo pipefail

cd "$(dirname "$0")"

VERSION=3.18.4
ISO="alpine-virt-${VERSION}-x86_64.iso"
DISK=alpine.img
KERNEL=boot/vmlinuz-virt
INITRD=boot/initramfs-virt
CMDLINE='console=ttyS0 modules=loop,squashfs,sd-mod,usb-storage alpine_dev=sr0:iso9660'
MEM=${MEM:-512M}
CPUS=${CPUS:-1}

if [ ! -f "$DISK" ]; then
	mkfile -n 4g "$DISK"
fi

XHYVE_ARGS="-A -U 1F0B5C3E-9A21-4F77-B1D4-3C2A9B8E7D61 -m $MEM -c $CPUS"
XHYVE_ARGS+=" -s 0:0,hostbridge -s 31,lpc -l com1,stdio"

exec sudo -E xhyve $XHYVE_ARGS \
	-s 2:0,virtio-net \
	-s 3,ahci-cd,"$ISO" \
	-s 4,virtio-blk,"$DISK" \
	-s 5,virtio-rnd \
	-f kexec,$KERNEL,$INITRD,"$CMDLINE"
