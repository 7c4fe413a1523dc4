#!/bin/bash
# Debian on a sparse image split into 1G files (xhyve built from
# dunkelstern's sparse-disk branch): the image grows as the guest writes.

KERNEL=boot/vmlinuz-4.9.0-3-amd64
INITRD=boot/initrd.img-4.9.0-3-amd64
CMDLINE="earlyprintk=serial console=ttyS0 root=/dev/vda1 ro"
DISK="-s 4,virtio-blk,disk.img,sectorsize=4096,size=20G,split=1G,sparse"

exec build/Release/xhyve -A -m 2G -c 2 \
	-s 0:0,hostbridge -s 31,lpc \
	-s 2:0,virtio-net \
	$DISK \
	-l com1,stdio \
	-f "kexec,$KERNEL,$INITRD,$CMDLINE"
