#!/bin/sh
# boot-l1.sh - the part of tests/bench/boot that runs inside the sandbox's
# L1 (busybox sh): boots the same L2 guest with hyve and with QEMU/KVM
# (-M pc and -M microvm) and prints BENCH: lines. See tests/bench/boot.
# sandbox-needs: qemu
. /sandbox/scenarios/lib.sh

RUNS=5 CPUS=1 MEMORY=256M
[ -f /sandbox/bench.conf ] && . /sandbox/bench.conf

MARKER="HYVE-GUEST: init"
CMDLINE="console=ttyS0 quiet panic=-1"
case $MEMORY in
*G) MEM_KB=$(( ${MEMORY%G} * 1024 * 1024 )) ;;
*M) MEM_KB=$(( ${MEMORY%M} * 1024 )) ;;
*) echo "FAIL: bench: MEMORY=$MEMORY: use e.g. 256M"; exit 0 ;;
esac
for helper in stopwatch scrub; do
	if ! command -v "$helper" >/dev/null; then
		echo "FAIL: bench: no $helper helper in L1"
		exit 0
	fi
done

VMMS="qemu-pc qemu-microvm"
if [ -n "${HYVE:-}" ]; then
	VMMS="hyve $VMMS"
	cat > "$WORK/bench.ini" <<EOF
[vm]
name = bench
cpus = $CPUS
memory = $MEMORY
on_reboot = exit

[boot]
kernel = $L2_KERNEL
initrd = $L2_INITRD
cmdline = $CMDLINE hyve.bench=poweroff
EOF
	sed 's/ hyve.bench=poweroff$//' "$WORK/bench.ini" > "$WORK/idle.ini"
else
	echo "SKIP: bench-hyve: no hyve binary given; QEMU only"
fi

# vmm_cmd VMM [idle]: the command that boots the guest with VMM; for QEMU
# the -append argument is left for the caller to add.
vmm_cmd() {
	case $1 in
	hyve)
		if [ "$2" = idle ]; then
			echo "$HYVE run $WORK/idle.ini"
		else
			echo "$HYVE run $WORK/bench.ini"
		fi ;;
	qemu-*)
		# (the caller splits this on spaces and adds the cmdline)
		echo "qemu-system-x86_64 -enable-kvm -cpu host -M ${1#qemu-}" \
			"-smp $CPUS -m $MEMORY -nographic -nodefaults" \
			"-serial stdio -no-reboot -kernel $L2_KERNEL" \
			"-initrd $L2_INITRD -append" ;;
	esac
}

# vmm_run VMM: one timed boot to poweroff; prints stopwatch's result line.
vmm_run() {
	case $1 in
	hyve) stopwatch -t 180 -o "$WORK/$1.out" "$MARKER" $(vmm_cmd "$1") ;;
	*) stopwatch -t 180 -o "$WORK/$1.out" "$MARKER" $(vmm_cmd "$1") \
		"$CMDLINE hyve.bench=poweroff" ;;
	esac
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
		END { if (NR == 0) print "nan";
		      else if (NR % 2) print v[(NR + 1) / 2];
		      else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ---- timing: launch -> init marker, launch -> exit after poweroff ----------
# Runs are interleaved (hyve, qemu-pc, qemu-microvm, hyve, ...) so that a
# slow phase of the shared host hits every VMM alike. Before each run, scrub
# (tests/bench/scrub.c) writes and frees twice the guest's memory plus
# 128 MiB, so that no run is charged for the code TCG translated for the run
# before it (the pages that code was in are slow to write again). Set
# SCRUB_MIB=0 in bench.conf to see the effect.
SCRUB_MIB=${SCRUB_MIB:-$(( MEM_KB * 2 / 1024 + 128 ))}
for v in $VMMS; do
	: > "$WORK/$v.marker"
	: > "$WORK/$v.exit"
done
i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	for v in $VMMS; do
		[ "$SCRUB_MIB" -gt 0 ] && scrub "$SCRUB_MIB"
		r=$(vmm_run "$v")
		note "bench run $i $v: $r"
		case $r in
		*status=0)
			m=${r#marker_ms=}; m=${m%% *}
			e=${r#*exit_ms=}; e=${e%% *}
			[ "$m" != -1.0 ] && echo "$m" >> "$WORK/$v.marker"
			echo "$e" >> "$WORK/$v.exit" ;;
		*)
			echo "FAIL: bench-$v: run $i: $r"
			show "$WORK/$v.out" 10 ;;
		esac
	done
done
for v in $VMMS; do
	eval "M_$(echo $v | tr - _)=$(median "$WORK/$v.marker")"
	eval "E_$(echo $v | tr - _)=$(median "$WORK/$v.exit")"
	echo "BENCH: $v: launch->init $(median "$WORK/$v.marker") ms," \
		"launch->exit $(median "$WORK/$v.exit") ms" \
		"(median of $(wc -l < "$WORK/$v.exit") runs, $CPUS vCPU, $MEMORY)"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
	if (a == "nan" || b == "nan" || b == 0) print "n/a";
	else printf "%.2f\n", a / b }'; }

if [ -n "${HYVE:-}" ]; then
	for q in qemu_pc qemu_microvm; do
		eval "qm=\$M_$q qe=\$E_$q"
		echo "BENCH: hyve/$(echo $q | tr _ -):" \
			"launch->init $(ratio "$M_hyve" "$qm")," \
			"launch->exit $(ratio "$E_hyve" "$qe")"
	done
	r=$(ratio "$E_hyve" "$E_qemu_pc")
	if awk -v r="$r" 'BEGIN { exit !(r != "n/a" && r <= 0.6) }'; then
		echo "BENCH: target launch->exit <= 0.6x qemu -M pc: met ($r)"
	else
		echo "BENCH: target launch->exit <= 0.6x qemu -M pc: missed ($r)"
	fi
fi

# ---- memory: the VMM's own RSS with the guest idle at its prompt -----------
# Method: boot the guest to its shell prompt (no hyve.bench), wait 2 s, and
# read /proc/PID/smaps of the VMM process. Guest RAM is the mapping(s) at
# least half the guest's memory size (nothing else a VMM maps is that big:
# glibc arenas stop at 64 MiB, thread stacks at 8 MiB). own = total Rss -
# Rss of those mappings, i.e. what the VMM process holds besides the pages
# the guest touched: code and data of the binary and its libraries, heap,
# stacks, device state. peak = VmHWM - the guest's Rss (an upper bound for
# the VMM's peak, as the guest's Rss only grows while it boots; VmHWM comes
# from lazily summed counters, so at least the Rss just read is taken).
smaps_own() {
	awk -v half=$((MEM_KB / 2)) '
		/^[0-9a-f]+-[0-9a-f]+ / { big = 0 }
		/^Size:/ { big = ($2 >= half) }
		/^Rss:/ { rss += $2; if (big) guest += $2 }
		END { printf "%d %d\n", rss, guest }' "/proc/$1/smaps"
}
# smaps_top PID: the largest non-guest mappings by Rss, for the log.
smaps_top() {
	awk -v half=$((MEM_KB / 2)) '
		/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "[anon]" : $6) }
		/^Size:/ { big = ($2 >= half) }
		/^Rss:/ { if (!big && $2) rss[name] += $2 }
		END { for (n in rss) printf "%d kB %s\n", rss[n], n }' \
		"/proc/$1/smaps" | sort -rn | head -n 8
}
mib() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'; }

for v in $VMMS; do
	n=$(echo "$v" | tr - _)		# (a shell variable name)
	case $v in
	hyve) vm_start "$n" 3 $(vmm_cmd "$v" idle) ;;
	*) vm_start "$n" 3 $(vmm_cmd "$v" idle) "$CMDLINE" ;;
	esac
	if ! vm_expect "$n" -F "hyve-guest# " 180; then
		echo "FAIL: bench-memory-$v: the guest did not reach its prompt"
		show "$WORK/$n.out" 10
		vm_kill "$n"
		continue
	fi
	sleep 2
	pid=$(vm_pid "$n")
	set -- $(smaps_own "$pid")
	rss=$1 guest=$2
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
	threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
	[ "${hwm:-0}" -gt "$rss" ] || hwm=$rss
	own=$((rss - guest))
	eval "OWN_$n=$own"
	echo "BENCH: memory $v: own $(mib $own) MiB (Rss $(mib $rss) MiB" \
		"- guest RAM $(mib $guest) MiB), peak own <= $(mib $((hwm - guest)))" \
		"MiB, $threads threads"
	smaps_top "$pid" | while read -r line; do
		note "memory $v: $line"
	done
	vm_send "$n" "poweroff -f"
	vm_wait "$n" 60
done
if [ -n "${OWN_hyve:-}" ]; then
	verdict=missed
	[ "$OWN_hyve" -lt 3072 ] && verdict=met
	echo "BENCH: target hyve own memory < 3 MiB per VM: $verdict" \
		"($(mib $OWN_hyve) MiB)"
fi
