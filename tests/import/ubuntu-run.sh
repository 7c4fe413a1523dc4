#!/bin/sh
# run.sh - boots the installed Ubuntu from ubuntu.img.
#
# The kernel and initrd were copied out of the image after the install
# (the installer puts them in /boot of the first partition).

KERNEL="boot/vmlinuz-4.4.0-31-generic"
INITRD="boot/initrd.img-4.4.0-31-generic"
CMDLINE="earlyprintk=serial console=ttyS0 acpi=off root=/dev/vda1 ro"

MEM="-m 1G"
SMP="-c 2"
NET="-s 3:0,virtio-net,en0"
IMG_HDD="-s 2,virtio-blk,ubuntu.img"
PCI_DEV="-s 0:0,hostbridge -s 31,lpc"
LPC_DEV="-l com1,stdio"
UUID="-U efcf0a67-1b0d-4a5c-b3b0-2c8f5a1d9e44"   # keeps the vmnet address

sudo xhyve $MEM $SMP $PCI_DEV $LPC_DEV $NET $IMG_HDD $UUID \
	-f kexec,$KERNEL,$INITRD,"$CMDLINE"
