# host.sh - sandbox building blocks (bash, sourced by tests/sandbox/run and
# tests/bench/boot): fetch Debian kernels and busybox with apt-get download +
# dpkg-deb -x, and pack the L1 and L2 initramfs images (cpio "newc", the
# format of the kernel's Documentation/driver-api/early-userspace).
#
# Nothing here needs root. Kernel versions are never written down: they are
# resolved from the linux-image-amd64 and linux-image-cloud-amd64 meta
# packages each time, so a new Debian kernel is picked up by itself.

SANDBOX_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SANDBOX_ROOT=$(cd "$SANDBOX_DIR/../.." && pwd)
SANDBOX_CACHE=${HYVE_SANDBOX_CACHE:-${HOME:-/tmp}/.cache/hyve-sandbox}

# Modules the L1 kernel needs for /dev/kvm, in load order. Their own
# dependencies (read from each .ko's .modinfo) are loaded first anyway.
SANDBOX_L1_MODULES="irqbypass kvm ccp kvm_amd"

# Terminfo entries for TUI tests inside L1.
SANDBOX_TERMINFO="x/xterm-256color v/vt100 l/linux"

# Firmware QEMU needs for -M pc and -M microvm with -kernel.
SANDBOX_QEMU_FIRMWARE="/usr/share/seabios/bios-256k.bin
/usr/share/qemu/bios-microvm.bin /usr/share/qemu/qboot.rom
/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/linuxboot.bin
/usr/share/qemu/kvmvapic.bin /usr/share/qemu/pvh.bin
/usr/share/qemu/multiboot_dma.bin"

sandbox_say() { echo "sandbox: $*" >&2; }
sandbox_die() { echo "sandbox: $*" >&2; exit 1; }

# sandbox_need CMD PACKAGE...: fail early with the package to install.
sandbox_need() {
	local cmd=$1
	shift
	command -v "$cmd" >/dev/null 2>&1 ||
		sandbox_die "$cmd not found: install it with 'apt-get install $*'"
}

sandbox_check_host() {
	sandbox_need apt-get apt
	sandbox_need dpkg-deb dpkg
	sandbox_need cpio cpio
	sandbox_need qemu-system-x86_64 qemu-system-x86
	sandbox_need timeout coreutils
	sandbox_need sha256sum coreutils
	mkdir -p "$SANDBOX_CACHE/pkg" || sandbox_die "cannot create $SANDBOX_CACHE"
	# Packages no run has used for two weeks (older kernels) go.
	find "$SANDBOX_CACHE/pkg" -mindepth 2 -maxdepth 2 -name .unpacked \
		-mtime +14 2>/dev/null | while read -r f; do
			rm -rf "$(dirname "$f")"
		done
}

# sandbox_apt_field PACKAGE FIELD: one field of the candidate version.
sandbox_apt_field() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n "s/^$2: //p" | head -n 1
}

# Make sure apt knows PACKAGE (a fresh machine has empty package lists).
sandbox_apt_ready() {
	[ -n "$(sandbox_apt_field "$1" Version)" ] && return 0
	if [ "$(id -u)" = 0 ] && [ -z "${SANDBOX_APT_UPDATED:-}" ]; then
		sandbox_say "apt does not know $1: running apt-get update"
		apt-get update -q >&2 || true
		SANDBOX_APT_UPDATED=1
		[ -n "$(sandbox_apt_field "$1" Version)" ] && return 0
	fi
	sandbox_die "apt-cache does not know package $1 (run 'apt-get update')"
}

# sandbox_kernel_package META: linux-image-amd64 -> linux-image-X.Y.Z-N-amd64
sandbox_kernel_package() {
	local dep
	sandbox_apt_ready "$1"
	dep=$(sandbox_apt_field "$1" Depends | tr ',' '\n' |
		sed -n 's/^ *\(linux-image-[^ |]*\).*/\1/p' | head -n 1)
	[ -n "$dep" ] || sandbox_die "cannot resolve the kernel package of $1"
	echo "$dep"
}

# sandbox_package NAME: download and unpack the candidate version of NAME
# once into the cache; prints the directory holding its files.
sandbox_package() {
	local name=$1 version dir tmp deb
	sandbox_apt_ready "$name"
	version=$(sandbox_apt_field "$name" Version)
	dir="$SANDBOX_CACHE/pkg/${name}_${version//:/%3a}"
	if [ ! -e "$dir/.unpacked" ]; then
		sandbox_say "fetching $name $version"
		tmp=$(mktemp -d "$SANDBOX_CACHE/pkg/.dl.XXXXXX")
		# (the "unsandboxed as root" warning of apt-get is noise here)
		if ! (cd "$tmp" && apt-get download -q "$name=$version" 2>&1 |
		      grep -v -e 'unsandboxed' -e '^Get:' -e '^Fetched' >&2;
		      ls ./*.deb >/dev/null 2>&1); then
			rm -rf "$tmp"
			sandbox_die "apt-get download $name=$version failed"
		fi
		deb=$(ls "$tmp"/*.deb | head -n 1)
		rm -rf "$dir"
		mkdir -p "$tmp/root"
		dpkg-deb -x "$deb" "$tmp/root" ||
			{ rm -rf "$tmp"; sandbox_die "dpkg-deb -x $deb failed"; }
		mv "$tmp/root" "$dir"
		rm -rf "$tmp"
	fi
	touch "$dir/.unpacked"		# (marks it as used, see above)
	echo "$dir"
}

# sandbox_kernel META: sets KDIR (unpacked package), KVER, KIMAGE.
sandbox_kernel() {
	local pkg
	pkg=$(sandbox_kernel_package "$1") || exit 1
	KDIR=$(sandbox_package "$pkg") || exit 1
	KVER=$(ls "$KDIR/lib/modules" | head -n 1)
	KIMAGE="$KDIR/boot/vmlinuz-$KVER"
	[ -n "$KVER" ] && [ -f "$KIMAGE" ] ||
		sandbox_die "$pkg has no kernel image or modules"
}

# sandbox_modules KDIR KVER NAME...: prints "name path" lines for NAME...
# and everything they depend on, dependencies first. Module names use
# underscores (kvm_amd); file names may use dashes (kvm-amd.ko).
sandbox_modules() {
	local kdir=$1 kver=$2 index
	shift 2
	index="$kdir/.module-index"
	if [ ! -s "$index" ]; then
		(cd "$kdir/lib/modules/$kver" && find . -name '*.ko' |
			sed 's|^\./||' | while read -r p; do
				b=${p##*/}
				b=${b%.ko}
				echo "${b//-/_} $p"
			done) > "$index.tmp" && mv "$index.tmp" "$index"
	fi
	local -A seen=()
	local out=()
	_sandbox_mod_visit() {
		local m=${1//-/_} path deps d
		[ -n "${seen[$m]:-}" ] && return 0
		seen[$m]=1
		path=$(awk -v m="$m" '$1 == m { print $2; exit }' "$index")
		[ -n "$path" ] || sandbox_die "module $m not found in $kver"
		deps=$(LC_ALL=C tr '\0' '\n' < "$kdir/lib/modules/$kver/$path" |
			LC_ALL=C sed -n 's/^depends=//p' | head -n 1)
		for d in ${deps//,/ }; do
			_sandbox_mod_visit "$d"
		done
		out+=("$m $kdir/lib/modules/$kver/$path")
	}
	local n
	for n in "$@"; do
		_sandbox_mod_visit "$n"
	done
	printf '%s\n' "${out[@]}"
}

# sandbox_busybox STAGE: busybox-static and its applet links under STAGE.
sandbox_busybox() {
	local stage=$1 bb a
	bb=$(sandbox_package busybox-static) || exit 1
	mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin"
	cp "$bb/bin/busybox" "$stage/bin/busybox"
	for a in $("$bb/bin/busybox" --list-full); do
		[ -e "$stage/$a" ] || ln -s /bin/busybox "$stage/$a"
	done
}

# sandbox_cpio STAGE OUT: pack STAGE as a newc archive owned by root.
sandbox_cpio() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) > "$2.tmp" &&
		mv "$2.tmp" "$2" || sandbox_die "cpio failed for $2"
}

# sandbox_copy_binary STAGE FILE [DEST]: FILE (as DEST in the image) plus
# every shared library ldd names and the dynamic loader, at their paths.
sandbox_copy_binary() {
	local stage=$1 file=$2 dest=${3:-$2} lib
	mkdir -p "$stage/$(dirname "$dest")"
	cp -L "$file" "$stage/$dest" || sandbox_die "cannot copy $file"
	# ("name => /path (addr)" lines, and "/path (addr)" for the loader)
	for lib in $(ldd "$file" 2>/dev/null | sed -n \
	    -e 's/.*=> \(\/[^ ]*\).*/\1/p' \
	    -e 's/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		[ -e "$stage/$lib" ] && continue
		mkdir -p "$stage/$(dirname "$lib")"
		cp -L "$lib" "$stage/$lib"
	done
}

# sandbox_key STRING|FILE...: a short key for cache file names (hashes the
# strings, and of files their contents only: two checkouts of the same
# tree share their cached images).
sandbox_key() {
	local f
	for f in "$@"; do
		if [ -f "$f" ]; then
			sha256sum < "$f"
		else
			printf '%s\n' "$f"
		fi
	done | sha256sum | cut -c1-16
}

# sandbox_l2 : builds (or reuses) the L2 image; sets L2_KERNEL, L2_INITRD.
# The L2 guest is Debian's cloud kernel with a busybox initramfs whose /init
# is tests/sandbox/l2/init; modules named in tests/sandbox/l2/modules are
# packed with their dependencies and loaded in order at boot.
sandbox_l2() {
	local KDIR KVER KIMAGE mods key stage bbver
	sandbox_kernel linux-image-cloud-amd64
	L2_KERNEL=$KIMAGE
	mods=$(sed 's/#.*//' "$SANDBOX_DIR/l2/modules" 2>/dev/null | xargs)
	bbver=$(sandbox_apt_field busybox-static Version)
	key=$(sandbox_key "$KVER" "$bbver" "$mods" "$SANDBOX_DIR/l2/init")
	L2_INITRD="$SANDBOX_CACHE/l2-initrd-$key.cpio"
	[ -s "$L2_INITRD" ] && return 0
	sandbox_say "building the L2 initramfs ($KVER)"
	stage=$(mktemp -d "$SANDBOX_CACHE/.stage.XXXXXX")
	sandbox_busybox "$stage"
	mkdir -p "$stage"/{proc,sys,dev,tmp,root,etc,lib/modules}
	install -m 755 "$SANDBOX_DIR/l2/init" "$stage/init"
	: > "$stage/etc/modules"
	if [ -n "$mods" ]; then
		sandbox_modules "$KDIR" "$KVER" $mods > "$stage/.mods" ||
			{ rm -rf "$stage"; exit 1; }
		while read -r m p; do
			cp "$p" "$stage/lib/modules/$m.ko"
			echo "$m" >> "$stage/etc/modules"
		done < "$stage/.mods"
		rm -f "$stage/.mods"
	fi
	sandbox_cpio "$stage" "$L2_INITRD"
	rm -rf "$stage"
	# the three newest stay (another checkout may be using one right now)
	ls -t "$SANDBOX_CACHE"/l2-initrd-*.cpio | tail -n +4 | xargs -r rm -f
}

# sandbox_keeper: prints the path of a static kvm-keeper (see kvm-keeper.c),
# built once per source version with the host's C compiler; nothing if
# there is no compiler (L1 then runs without it).
sandbox_keeper() {
	local key out
	key=$(sandbox_key "$SANDBOX_DIR/kvm-keeper.c")
	out="$SANDBOX_CACHE/kvm-keeper-$key"
	if [ ! -x "$out" ]; then
		rm -f "$SANDBOX_CACHE"/kvm-keeper-*
		if ! "${CC:-cc}" -std=gnu11 -O2 -Wall -Wextra -static \
			-o "$out" "$SANDBOX_DIR/kvm-keeper.c" >&2; then
			sandbox_say "warning: cannot build kvm-keeper (need" \
				"gcc and libc6-dev); L1 may wedge (see kvm-keeper.c)"
			rm -f "$out"
			return 0
		fi
	fi
	echo "$out"
}

# sandbox_l1_base WITH_QEMU(0|1): builds (or reuses) the cached part of the
# L1 image; sets L1_KERNEL, L1_BASE. It holds busybox, the kvm modules,
# tests/sandbox/l1/init, kvm-keeper, the L2 kernel and initramfs, terminfo
# entries and,
# with WITH_QEMU=1, the host's qemu-system-x86_64 with libraries+firmware.
sandbox_l1_base() {
	local with_qemu=$1 KDIR KVER KIMAGE key stage bbver qver f t keeper
	sandbox_l2
	sandbox_kernel linux-image-amd64
	L1_KERNEL=$KIMAGE
	keeper=$(sandbox_keeper)
	bbver=$(sandbox_apt_field busybox-static Version)
	qver=none
	[ "$with_qemu" = 1 ] && qver=$(qemu-system-x86_64 --version | head -n 1)
	key=$(sandbox_key "$KVER" "$bbver" "$qver" "$L2_INITRD" \
		"$L2_KERNEL" "$SANDBOX_DIR/l1/init" "$SANDBOX_L1_MODULES" \
		"${keeper:-no-keeper}")
	L1_BASE="$SANDBOX_CACHE/l1-base-q$with_qemu-$key.cpio"
	[ -s "$L1_BASE" ] && return 0
	sandbox_say "building the L1 initramfs ($KVER, qemu: $qver)"
	stage=$(mktemp -d "$SANDBOX_CACHE/.stage.XXXXXX")
	sandbox_busybox "$stage"
	mkdir -p "$stage"/{proc,sys,dev,tmp,root,etc,sandbox/modules,sandbox/l2}
	install -m 755 "$SANDBOX_DIR/l1/init" "$stage/init"
	: > "$stage/sandbox/modules/order"
	sandbox_modules "$KDIR" "$KVER" $SANDBOX_L1_MODULES > "$stage/.mods" ||
		{ rm -rf "$stage"; exit 1; }
	while read -r m p; do
		cp "$p" "$stage/sandbox/modules/$m.ko"
		echo "$m" >> "$stage/sandbox/modules/order"
	done < "$stage/.mods"
	rm -f "$stage/.mods"
	[ -n "$keeper" ] && cp "$keeper" "$stage/sandbox/kvm-keeper"
	cp "$L2_KERNEL" "$stage/sandbox/l2/vmlinuz"
	cp "$L2_INITRD" "$stage/sandbox/l2/initrd.cpio"
	for t in $SANDBOX_TERMINFO; do
		for f in "/lib/terminfo/$t" "/usr/share/terminfo/$t"; do
			[ -e "$f" ] || continue
			mkdir -p "$stage/lib/terminfo/${t%%/*}"
			cp -L "$f" "$stage/lib/terminfo/$t"
			break
		done
	done
	if [ "$with_qemu" = 1 ]; then
		sandbox_copy_binary "$stage" "$(command -v qemu-system-x86_64)" \
			/usr/bin/qemu-system-x86_64
		for f in $SANDBOX_QEMU_FIRMWARE; do
			[ -e "$f" ] || continue
			mkdir -p "$stage/$(dirname "$f")"
			cp -L "$f" "$stage/$f"
		done
	fi
	rm -f "$SANDBOX_CACHE"/l1-base-q"$with_qemu"-*.cpio
	sandbox_cpio "$stage" "$L1_BASE"
	rm -rf "$stage"
}
