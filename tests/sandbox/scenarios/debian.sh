#!/bin/sh
# debian.sh - issue 5: the Debian guest that share/hyve-debian-guest builds
# (run on the host by tests/sandbox/debian-guest.sh, copied to
# /sandbox/debian-guest) boots under `hyve run` from its ext4 disk, answers
# on its console, keeps a file written in it, and powers off.
# sandbox-needs: hyve e2fsprogs
# sandbox-suite: no
. /sandbox/scenarios/lib.sh

BOOT_T=300 CMD_T=90 EXIT_T=90
src=/sandbox/debian-guest
if [ ! -f "$src/debian.ini" ]; then
	fail debian-guest "no guest in $src (tests/sandbox/debian-guest.sh makes it)"
	exit 0
fi
cp -r "$src" guest		# the disk image must be writable
cd / && vm_start deb 3 "$HYVE" run "$WORK/guest/debian.ini"
cd "$WORK" || exit 1
if vm_expect deb -E "hyve-debian-guest: .* up" "$BOOT_T"; then
	pass debian-guest-boots
	note "debian guest: up after $(vm_elapsed deb) s"
	ask deb debian-guest-root-on-disk \
		"echo ROOT=\$(awk '\$2 == \"/\" { print \$1 }' /proc/mounts)" \
		"ROOT=/dev/vda"
	ask deb debian-guest-hwrng 'echo RNG=$(head -c 16 /dev/hwrng | wc -c)' \
		"RNG=16"
	vm_send deb 'echo kept-by-hyve > /root/note; sync'
	ends deb debian-guest-poweroff 'poweroff' 0
	if debugfs -R 'cat /root/note' guest/debian.img 2>/dev/null |
	   grep -qx kept-by-hyve; then
		pass debian-guest-file-kept
	else
		fail debian-guest-file-kept "/root/note not in the image after poweroff"
	fi
else
	fail debian-guest-boots "no boot message: $(why_not $? "$BOOT_T")"
	show "$WORK/deb.out" 20
	show "$WORK/deb.err" 5
	vm_kill deb 2>/dev/null
	lost debian-guest-root-on-disk debian-guest-hwrng \
		debian-guest-poweroff debian-guest-file-kept
fi
