# lib.sh - helpers for sandbox scenarios (busybox sh inside L1): result
# lines, bounded waits, and driving a VM's serial console through a FIFO.
#
# A scenario runs in its own empty directory (/tmp/NAME) with:
#   HYVE       the VMM to test ("hyve" or the QEMU stand-in, see qemu-hyve)
#   L2_KERNEL  Debian's cloud kernel;  L2_INITRD  the busybox initramfs
# It prints one "PASS: name", "FAIL: name: why" or "SKIP: name: why" line
# per test. Every wait here is bounded: a hung VM ends as a FAIL.
#
# Console driving: vm_start runs the VMM in the background with stdin from a
# FIFO that this shell holds open (so the VMM never sees end of file) and
# stdout/stderr to NAME.out/NAME.err; vm_send types a line; vm_expect polls
# NAME.out for a pattern in what came after the last vm_mark.

WORK=$(pwd)

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }	# (one argument for the reason)
skip() { echo "SKIP: $1: $2"; }
note() { echo "SANDBOX: $*"; }

# now_cs: time since boot in centiseconds (/proc/uptime has 10 ms steps).
now_cs() {
	local u rest
	read -r u rest < /proc/uptime
	echo $(( ${u%.*} * 100 + 1${u#*.} - 100 ))
}

# elapsed T0_CS: seconds since T0 as "S.CC".
elapsed() {
	local d=$(( $(now_cs) - $1 ))
	printf '%d.%02d' $((d / 100)) $((d % 100))
}

# alive PID: true while PID runs (a zombie counts as gone).
alive() {
	local st
	st=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# show FILE [N]: the last N lines of FILE into the log, indented.
show() {
	[ -s "$1" ] || { echo "  | ($1 is empty)"; return 0; }
	# (awk ends every line, so a result line printed next starts its own)
	tail -n "${2:-20}" "$1" | tr -d '\r' |
		awk -v p="  $(basename "$1"): " '{ print p $0 }'
}

# vm_start NAME FD CMD...: run CMD with stdin from the FIFO NAME.in (held
# open on descriptor FD, 3..9, one per VM running at once).
vm_start() {
	local name=$1 fd=$2
	shift 2
	rm -f "$WORK/$name.in" "$WORK/$name.out" "$WORK/$name.err"
	mkfifo "$WORK/$name.in"
	eval "exec $fd<>\"\$WORK/\$name.in\""
	"$@" < "$WORK/$name.in" > "$WORK/$name.out" 2> "$WORK/$name.err" &
	eval "VM_PID_$name=\$!; VM_FD_$name=$fd; VM_MARK_$name=0;" \
		"VM_T0_$name=\$(now_cs)"
}

vm_pid() { eval "echo \$VM_PID_$1"; }

# vm_send NAME TEXT: type TEXT and Enter on the VM's console.
vm_send() {
	local fd
	fd=$(eval "echo \$VM_FD_$1")
	printf '%s\n' "$2" >&"$fd"
}

# vm_mark NAME: later vm_expect calls only look at output after this point.
vm_mark() {
	eval "VM_MARK_$1=\$(wc -c < \"\$WORK/$1.out\")"
}

# vm_match NAME MODE PATTERN: MODE -E (extended regex) or -Fx (whole line).
vm_match() {
	local mark
	mark=$(eval "echo \$VM_MARK_$1")
	tail -c +$((mark + 1)) "$WORK/$1.out" | tr -d '\r' |
		grep -q $2 -- "$3"
}

# vm_expect NAME MODE PATTERN SECONDS: wait for PATTERN in the output.
# Returns 0 when seen, 1 on timeout, 2 when the VMM exited without it.
vm_expect() {
	local name=$1 mode=$2 pat=$3 end pid
	end=$(( $(now_cs) + $4 * 100 ))
	pid=$(vm_pid "$name")
	while :; do
		vm_match "$name" "$mode" "$pat" && return 0
		if ! alive "$pid"; then
			vm_match "$name" "$mode" "$pat" && return 0
			return 2
		fi
		[ "$(now_cs)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# why_not RC: words for a vm_expect failure.
why_not() {
	case $1 in
	1) echo "timed out after $2 s" ;;
	2) echo "the VMM exited first" ;;
	*) echo "failed ($1)" ;;
	esac
}

# vm_wait NAME SECONDS: wait for the VMM to exit; sets VM_RC to its exit
# status, or kills it and sets VM_RC=timeout.
vm_wait() {
	local name=$1 end pid
	end=$(( $(now_cs) + $2 * 100 ))
	pid=$(vm_pid "$name")
	while alive "$pid"; do
		if [ "$(now_cs)" -ge "$end" ]; then
			vm_kill "$name"
			VM_RC=timeout
			return 1
		fi
		sleep 0.2
	done
	wait "$pid"
	VM_RC=$?
	vm_close "$name"
	return 0
}

# vm_close NAME: drop our end of the FIFO.
vm_close() {
	local fd
	fd=$(eval "echo \$VM_FD_$1")
	[ -n "$fd" ] && eval "exec $fd>&-"
	eval "VM_FD_$1="
}

# vm_kill NAME: stop the VMM for good (after a failure). A process that
# outlives SIGKILL (stuck in the kernel) is described and left behind.
vm_kill() {
	local pid end
	pid=$(vm_pid "$1")
	vm_close "$1"
	alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
	kill -9 "$pid" 2>/dev/null
	end=$(( $(now_cs) + 2000 ))
	while alive "$pid" && [ "$(now_cs)" -lt "$end" ]; do
		sleep 0.2
	done
	if alive "$pid"; then
		note "$1: pid $pid survived SIGKILL:" \
			"$(grep -E '^(State|Threads)' "/proc/$pid/status" | xargs)"
		for t in /proc/"$pid"/task/*; do
			note "  task ${t##*/}: $(cat "$t/wchan" 2>/dev/null)" \
				"$(tr '\n' ' ' < "$t/stack" 2>/dev/null | cut -c1-300)"
		done
		return 1
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# vm_elapsed NAME: seconds from vm_start to now.
vm_elapsed() { elapsed "$(eval "echo \$VM_T0_$1")"; }

# Test helpers over a VM's console (the caller sets CMD_T and EXIT_T).

# ask NAME TEST COMMAND LINE: type COMMAND, expect LINE as a whole line.
ask() {
	local rc
	vm_mark "$1"
	vm_send "$1" "$3"
	vm_expect "$1" -Fx "$4" "$CMD_T"
	rc=$?
	if [ $rc = 0 ]; then
		pass "$2"
	else
		fail "$2" "typed '$3', no line '$4': $(why_not $rc "$CMD_T")"
		show "$WORK/$1.out" 10
		if [ $rc = 2 ]; then show "$WORK/$1.err" 5; fi
	fi
}

# ends NAME TEST COMMAND STATUS: type COMMAND, hyve must exit with STATUS.
ends() {
	vm_send "$1" "$3"
	vm_wait "$1" "$EXIT_T"
	if [ "$VM_RC" = "$4" ]; then
		pass "$2"
		note "$1: exited $VM_RC after $(vm_elapsed "$1") s"
	else
		fail "$2" "'$3': hyve exit status $VM_RC, expected $4"
		show "$WORK/$1.out" 10
		show "$WORK/$1.err" 5
	fi
}

# A guest that cannot be reached fails every test it was for.
lost() {
	local t
	for t in "$@"; do
		fail "$t" "guest did not reach its shell"
	done
}
