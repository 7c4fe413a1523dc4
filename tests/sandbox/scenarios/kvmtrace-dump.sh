#!/bin/sh
# kvmtrace-dump.sh - diagnostic, not in the suite (see kvmtrace-on.sh): when
# a VM of an earlier scenario failed (a "failed" line in a NAME.err under
# /tmp), prints the last KVMTRACE_LINES (400) trace lines up to the first
# exit to user space with KVM_EXIT_SHUTDOWN (a triple fault), or the trace's
# end, as "TRACE| " lines in the L1 log.
# sandbox-suite: no
. /sandbox/scenarios/lib.sh

T=/sys/kernel/tracing
echo 0 > "$T/tracing_on" 2>/dev/null
failed=$(grep -l 'failed' /tmp/*/*.err 2>/dev/null)
if [ -z "$failed" ]; then
	note "kvmtrace: no VM failed; nothing to show"
	pass kvmtrace-dump
	exit 0
fi
for f in $failed; do
	note "kvmtrace: $f: $(grep -m 1 'failed' "$f")"
done
cat "$T/trace" > trace.txt
last=$(grep -n 'KVM_EXIT_SHUTDOWN' trace.txt | head -n 1 | cut -d: -f1)
[ -n "$last" ] || last=$(wc -l < trace.txt)
n=${KVMTRACE_LINES:-400}
first=$((last > n ? last - n : 1))
sed -n "${first},${last}p" trace.txt | sed 's/^/TRACE| /'
pass kvmtrace-dump
