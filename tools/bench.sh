#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: every benchmark once, into one directory per run,
#
#   build/bench/<YYYYmmdd-HHMM>-<commit>[-dirty]/
#     NAME.json        each benchmark's results (tools/README: the convention)
#     NAME.log         what it printed (its table for humans, its progress)
#     NAME-PLOT.dat    the numbers of each plot, NAME-PLOT.png the plot
#     summary.md       a table per benchmark, the plots linked
#   build/bench/latest -> the newest run
#
# by running `make bench-NAME` for each NAME given with BENCH_DIR and
# BENCH_COMMIT exported: a benchmark that writes $BENCH_DIR/NAME.json in
# the common shape is summarised and plotted with no change here. A
# benchmark that fails is named in summary.md and the exit status; the
# others still run.
# Usage: tools/bench.sh NAME... (the Makefile passes $(BENCHES))
# BENCH_ROOT (build/bench) is where runs go; MAKE what runs bench-NAME.
set -u
cd "$(dirname "$0")/.." || exit 2
# shellcheck source=tools/bench-lib.sh
. tools/bench-lib.sh
[ $# -gt 0 ] || { echo "usage: $0 NAME..." >&2; exit 2; }
MAKE=${MAKE:-make}
BENCH_COMMIT=$(bench_commit)
ROOT=${BENCH_ROOT:-build/bench}
base=$ROOT/$(date +%Y%m%d-%H%M)-${BENCH_COMMIT:-nogit}
dir=$base
n=1
while [ -e "$dir" ]; do # a second run in the same minute
	n=$((n + 1))
	dir=$base-$n
done
mkdir -p "$dir" || exit 1
BENCH_DIR=$(realpath "$dir")
export BENCH_DIR BENCH_COMMIT
say() { echo "make bench: $*" >&2; }

failed=()
for b in "$@"; do
	say "bench-$b into $dir ($(date +%T))"
	t0=$(date +%s)
	$MAKE --no-print-directory "bench-$b" 2>&1 | tee "$dir/$b.log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ] || [ ! -s "$dir/$b.json" ]; then
		failed+=("$b")
		say "bench-$b failed (status $rc; $dir/$b.log)"
	fi
	say "bench-$b: $(($(date +%s) - t0)) s"
done

status=0
tools/bench-report --plot "$dir" >/dev/null || status=1
{
	tools/bench-report "$dir" || status=1
	if [ ${#failed[@]} -gt 0 ]; then
		echo "Failed: ${failed[*]} (see NAME.log)."
	fi
} >"$dir/summary.md"
ln -sfn "$(basename "$dir")" "$ROOT/latest"
[ ${#failed[@]} -eq 0 ] || status=1
say "$dir/summary.md$([ $status -eq 0 ] || echo ", with failures: ${failed[*]:-the report}")"
exit $status
