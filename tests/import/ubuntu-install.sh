#!/bin/sh
# install.sh - runs the Ubuntu 16.04 server installer under xhyve.
#
# Before the first run:
#   dd if=/dev/zero of=ubuntu.img bs=1g count=16
#   copy install/vmlinuz and install/initrd.gz out of the ISO
#   (hdiutil attach -nomount, then mount -t cd9660)

KERNEL="install/vmlinuz"
INITRD="install/initrd.gz"
CMDLINE="earlyprintk=serial console=ttyS0 acpi=off"

MEM="-m 1G"
#SMP="-c 2"
NET="-s 3:0,virtio-net,en0"
IMG_CD="-s 4,ahci-cd,ubuntu-16.04.1-server-amd64.iso"
IMG_HDD="-s 2,virtio-blk,ubuntu.img"
PCI_DEV="-s 0:0,hostbridge -s 31,lpc"
LPC_DEV="-l com1,stdio"

sudo xhyve $MEM $SMP $PCI_DEV $LPC_DEV $NET $IMG_CD $IMG_HDD -f kexec,$KERNEL,$INITRD,"$CMDLINE"
