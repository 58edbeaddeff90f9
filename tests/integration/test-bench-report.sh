#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tools/bench-report and tools/bench.sh on small made-up runs (issue 15):
# rows matched by their key columns whatever their order, after/before for
# each value, rows and benchmarks on one side only marked, nested columns
# flattened, unreadable input refused with a sentence naming it; the
# summary and plots of one run; make bench's layout with a stand-in for
# make. No root, no network, no timing; a second or two.
set -u
. "$(dirname "$0")/lib.sh"
REPORT=$TOP/tools/bench-report
command -v python3 >/dev/null || t_skip_all "python3 is not installed (make deps)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
B=$TMP/before A=$TMP/after
mkdir -p "$B" "$A"

cat >"$B/router.json" <<'EOF'
{"bench": "router", "date": "2026-12-01T10:00:00Z", "commit": "aaaaaaa",
 "kernel": "6.18.0", "cpus": 2, "params": {"run_s": 4, "rounds": 3},
 "keys": ["mode", "size"], "units": {"size": "B", "fwd_mpps": "Mpps"},
 "rows": [
  {"mode": "kernel", "size": 64, "offered_mpps": 7.0, "fwd_mpps": 1.0},
  {"mode": "tenet", "size": 64, "offered_mpps": 7.0, "fwd_mpps": 0.8},
  {"mode": "tenet", "size": 1518, "offered_mpps": 0, "fwd_mpps": 0.4},
  {"mode": "kernel", "size": 9000, "offered_mpps": 1.0, "fwd_mpps": 0.2}],
 "plots": [{"name": "mpps", "title": "Forwarded Mpps", "x": "size",
            "series": ["mode"], "y": ["fwd_mpps"], "ylabel": "Mpps"}]}
EOF
# the same rows in another order, one gone, one new, other numbers
cat >"$A/router.json" <<'EOF'
{"bench": "router", "date": "2026-12-02T10:00:00Z", "commit": "bbbbbbb",
 "kernel": "6.18.0", "cpus": 2, "params": {"run_s": 2, "rounds": 3},
 "keys": ["mode", "size"], "units": {"size": "B", "fwd_mpps": "Mpps"},
 "rows": [
  {"mode": "tenet", "size": 64, "offered_mpps": 7.0, "fwd_mpps": 1.2},
  {"mode": "tenet", "size": 1518, "offered_mpps": 3.5, "fwd_mpps": 0.1},
  {"mode": "kernel", "size": 64, "offered_mpps": 7.0, "fwd_mpps": 0.5},
  {"mode": "kernel", "size": 1518, "offered_mpps": 3.5, "fwd_mpps": 0.3}],
 "plots": [{"name": "mpps", "title": "Forwarded Mpps", "x": "size",
            "series": ["mode"], "y": ["fwd_mpps"], "ylabel": "Mpps"}]}
EOF
# nested values, "values" choosing the columns compared, no units
cat >"$B/ratelimit.json" <<'EOF'
{"bench": "ratelimit", "keys": ["rate", "cc"], "values": ["fraction", "qdelay_ms.p99"],
 "rows": [{"rate": "10M", "cc": "bbr", "rate_bps": 10000000, "fraction": 0.9,
           "qdelay_ms": {"p50": 1.0, "p99": 4.0}}]}
EOF
cat >"$A/ratelimit.json" <<'EOF'
{"bench": "ratelimit", "keys": ["rate", "cc"], "values": ["fraction", "qdelay_ms.p99"],
 "rows": [{"rate": "10M", "cc": "bbr", "rate_bps": 10000000, "fraction": 0.99,
           "qdelay_ms": {"p50": 1.0, "p99": 1.0}}]}
EOF
echo '{"bench": "fib", "keys": ["table"], "rows": [{"table": "x", "ns": 1}]}' >"$B/fib.json"
echo '{"bench": "rfc2544", "rows": [{"size": "64", "mpps": 2}]}' >"$A/rfc2544.json"

# t_check's own "out" would hide one of ours: the report is in a file.
"$REPORT" "$B" "$A" >"$TMP/report"
rc=$?
t_check "BEFORE AFTER: exit status 0" test "$rc" = 0
# the cells of the table's row whose keys start the line, with a line
# of what it is when it is not what is expected
has_row() { # ROW-START EXPECTED-LINE
	local got
	got=$(grep -F -- "$1" "$TMP/report" | head -1)
	[ "$got" = "$2" ] || { echo "expected: $2"; echo "got:      $got"; return 1; }
}
t_check "header: keys with units, then before, after, after/before per value" \
	has_row "| mode | size (B) |" \
	"| mode | size (B) | offered_mpps before | after | after/before | fwd_mpps (Mpps) before | after | after/before | row |"
t_check "rows matched by key whatever their order: tenet 64 1.2/0.8 = 1.500" \
	has_row "| tenet | 64 |" "| tenet | 64 | 7 | 7 | 1.000 | 0.8 | 1.2 | 1.500 | both |"
t_check "kernel 64: 0.5/1.0 = 0.500" \
	has_row "| kernel | 64 |" "| kernel | 64 | 7 | 7 | 1.000 | 1 | 0.5 | 0.500 | both |"
t_check "before 0: no ratio (-)" \
	has_row "| tenet | 1518 |" "| tenet | 1518 | 0 | 3.5 | - | 0.4 | 0.1 | 0.250 | both |"
t_check "a row only after is marked" \
	has_row "| kernel | 1518 |" "| kernel | 1518 |  | 3.5 | - |  | 0.3 | - | only after |"
t_check "a row only before is marked" \
	has_row "| kernel | 9000 |" "| kernel | 9000 | 1 |  | - | 0.2 |  | - | only before |"
t_check "nested columns flattened, values chosen by \"values\": 0.99/0.9, 1/4" \
	has_row "| 10M | bbr |" "| 10M | bbr | 0.9 | 0.99 | 1.100 | 4 | 1 | 0.250 | both |"
t_check "changed parameters said" grep -qF "Parameters differ: run_s 4 -> 2." "$TMP/report"
t_check "benchmarks in one run only named" sh -c "grep -qF 'Only in before: fib.' '$TMP/report' &&
	grep -qF 'Only in after: rfc2544.' '$TMP/report'"
t_check "a run against itself: every ratio 1.000" \
	sh -c "'$REPORT' '$A' '$A' | grep '^| tenet | 64 |' | grep -qF '| 1.000 | 1.2 | 1.2 | 1.000 | both |'"

refused() { # EXPECTED-STATUS MESSAGE-PART ARGS...: refused with that sentence
	local want=$1 msg=$2 err rc
	shift 2
	err=$("$REPORT" "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = "$want" ] && grep -qF -- "$msg" <<<"$err" ||
		{ echo "status $rc, stderr: $err"; return 1; }
}
mkdir -p "$TMP/bad" "$TMP/empty" "$TMP/shape"
echo '{"bench": "x", "rows": [' >"$TMP/bad/x.json"
echo '{"bench": "y", "rows": 3}' >"$TMP/shape/y.json"
t_check "no such directory: status 1, named" refused 1 "$TMP/nope: no such directory" "$TMP/nope" "$A"
t_check "no JSON in a directory: status 1, named" refused 1 "$TMP/empty: no benchmark JSON" "$B" "$TMP/empty"
t_check "a file that is not JSON: status 1, named" refused 1 "$TMP/bad/x.json: not JSON" "$B" "$TMP/bad"
t_check "JSON not in the shape: status 1, named" refused 1 "$TMP/shape/y.json: not make bench's shape" "$TMP/shape"
t_check "usage: status 2" refused 2 "usage: bench-report" "$A" "$B" "$TMP"

# One run: the summary, and the plots when gnuplot is here.
if command -v gnuplot >/dev/null; then
	t_check "--plot: router-mpps.png, a PNG" sh -c "'$REPORT' --plot '$A' >/dev/null &&
		head -c 8 '$A/router-mpps.png' | od -An -c | grep -q 'P   N   G'"
	t_check "--plot: the data, a column per series, ? where none" \
		sh -c "grep -qx '\"size (B)\" \"tenet\" \"kernel\"' '$A/router-mpps.dat' &&
			grep -qx '\"64\" 1.2 0.5' '$A/router-mpps.dat'"
else
	t_skip "--plot" "gnuplot is not installed (make deps)"
fi
"$REPORT" "$A" >"$TMP/report"
t_check "summary: a section per benchmark" sh -c "grep -qx '## router' '$TMP/report' &&
	grep -qx '## ratelimit' '$TMP/report' && grep -qx '## rfc2544' '$TMP/report'"
t_check "summary: the rows, keys first" has_row "| tenet | 64 |" "| tenet | 64 | 7 | 1.2 |"
t_check "summary: no keys given, the columns without numbers are" \
	has_row "| size | mpps |" "| size | mpps |"

# make bench's layout, with a stand-in for make: "bench-ok" writes its
# JSON, "bench-bad" fails.
cat >"$TMP/make" <<'EOF'
#!/bin/sh
[ "$2" = bench-ok ] || { echo "no good" >&2; exit 3; }
echo "table for humans"
printf '{"bench": "ok", "commit": "%s", "keys": ["k"], "rows": [{"k": "a", "v": 1}]}\n' \
	"$BENCH_COMMIT" >"$BENCH_DIR/ok.json"
EOF
chmod +x "$TMP/make"
BENCH_ROOT=$TMP/runs MAKE=$TMP/make BENCH_COMMIT=abc1234 "$TOP/tools/bench.sh" ok bad \
	>"$TMP/bench.out" 2>&1
rc=$?
run=$(readlink "$TMP/runs/latest")
t_check "bench.sh: a failed benchmark fails the run" test "$rc" = 1
t_check "bench.sh: latest -> <date>-<commit>" \
	sh -c "echo '$run' | grep -Eqx '[0-9]{8}-[0-9]{4}-abc1234'"
t_check "bench.sh: NAME.json and NAME.log per benchmark, summary.md" \
	sh -c "cd '$TMP/runs/latest' && test -s ok.json && grep -q 'table for humans' ok.log &&
		grep -q 'no good' bad.log && grep -qx '| a | 1 |' summary.md &&
		grep -qx 'Failed: bad (see NAME.log).' summary.md"
t_check "bench.sh: the commit reaches the benchmark" \
	grep -q '"commit": "abc1234"' "$TMP/runs/latest/ok.json"
t_done
