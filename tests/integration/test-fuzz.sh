#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A short fuzz run, for make check: every target of tests/fuzz for about
# 12 s in all (tests/fuzz/run: each libFuzzer target 1 s on its corpus,
# crash-* regression seeds first; fuzz_xdp the rest). The fuzz binaries
# are not part of make all: this builds them (make fuzz-build, clang and
# libFuzzer). Fails if a target crashes or an invariant breaks; the long
# run is make fuzz FUZZ_S=600.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
if ! command -v clang >/dev/null ||
	! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
		>/dev/null 2>&1; then
	echo "1..0 # SKIP clang with libFuzzer (libclang-rt-14-dev) not installed"
	exit 0
fi
if ! out=$(make -s -C "$TOP" O="${BUILD#"$TOP"/}" fuzz-build 2>&1); then
	echo "$out" | tail -20 | sed 's/^/# /'
	echo "not ok 1 - make fuzz-build"
	echo "1..1"
	exit 1
fi
BUILD=$BUILD exec "$TOP/tests/fuzz/run" -t "${FUZZ_S:-12}" --tap
