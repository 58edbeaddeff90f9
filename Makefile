# SPDX-License-Identifier: GPL-2.0
# tenet: one Makefile for the BPF programs, the userspace binaries and tests.

CC ?= gcc
CLANG ?= clang
CLANG_FORMAT ?= clang-format
BPFTOOL ?= bpftool
O := build
PREFIX ?= /usr/local

ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)
WARN := -Wall -Wextra -Werror
# CFLAGS given replaces -O2 -g, never WARN; CPPFLAGS and LDFLAGS are a
# packager's (dpkg-buildflags: fortify, relro, bindnow), empty otherwise.
CFLAGS ?= -O2 -g
override CFLAGS += $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -I$(O)/include -Ilib \
	-Itenant -Iagent -Itests/bpf -Itests/fuzz -Itools
# BPF_EXTRA: defines for another build's programs (make variant).
BPF_CFLAGS := -target bpf -O2 -g $(WARN) -Wno-unused-function \
	-Iinclude -Ibpf -I$(ARCH_INC) $(BPF_EXTRA)
LIBS := -lbpf -lxdp -lelf -lz -ljson-c -lm

BPF_SRCS := $(wildcard bpf/*.bpf.c tools/*.bpf.c tests/fuzz/*.bpf.c tests/integration/*.bpf.c)
BPF_OBJS := $(patsubst %.bpf.c,$(O)/bpf/%.bpf.o,$(notdir $(BPF_SRCS)))
SKELS := $(patsubst %.bpf.c,$(O)/include/%.skel.h,$(notdir $(BPF_SRCS)))
BPF_HDRS := $(wildcard bpf/*.h bpf/lib/*.h include/tenet/*.h)

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(patsubst %.c,$(O)/%.o,$(LIB_SRCS))
LIB := $(O)/libtenet.a

RT_SRCS := $(filter-out tenant/main.c,$(wildcard tenant/*.c))
RT_LIB := $(O)/librouter.a
AGENT_SRCS := $(filter-out agent/main.c,$(wildcard agent/*.c))
AGENT_LIB := $(O)/libagent.a

TOOLS := $(O)/tn-dp $(O)/tn-bench-classifier $(O)/tenet-router $(O)/tn-bench-fib \
	$(O)/tn-bench-xdp $(O)/tenetd $(O)/tenetctl $(O)/tn-hostile $(O)/tn-grammar \
	$(O)/tn-rfc2544
TEST_BPF := $(O)/tests/test_bpf
# tn-rfc2544's sink through BPF_PROG_RUN: a binary of its own.
TEST_BPF_RFC := $(O)/tests/test_rfc2544_sink
TEST_UNIT := $(patsubst tests/unit/%.c,$(O)/tests/%,$(wildcard tests/unit/test_*.c))
TEST_BINS := $(TEST_BPF) $(TEST_BPF_RFC) $(TEST_UNIT)

# Made from tenetctl's command table (lib/ctl_cmds.c) by tn-grammar.
GEN := $(O)/tenetctl.8 $(O)/tenetctl.bash-completion

all: $(TOOLS) $(TEST_BINS) $(GEN)

$(O)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/bpf/%.bpf.o: tools/%.bpf.c $(wildcard tools/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/bpf/%.bpf.o: tests/fuzz/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/bpf/%.bpf.o: tests/integration/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/include/%.skel.h: $(O)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

$(O)/%.o: %.c $(SKELS) $(wildcard include/tenet/*.h lib/*.h tenant/*.h agent/*.h \
		tests/bpf/*.h tests/fuzz/*.h tools/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(AR) rcs $@ $^

$(RT_LIB): $(patsubst %.c,$(O)/%.o,$(RT_SRCS))
	$(AR) rcs $@ $^

# An empty archive is fine while agent/ has no sources.
$(AGENT_LIB): $(patsubst %.c,$(O)/%.o,$(AGENT_SRCS))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# An installed tenetd finds the template where make install puts it.
$(O)/agent/main.o: override CFLAGS += \
	-DTN_TEMPLATE_INSTALLED='"$(PREFIX)/share/tenet/lxc-tenet"'
# $(O)/prefix holds the PREFIX main.o is built with, rewritten only when it
# changes: make install PREFIX=/usr after a plain make builds tenetd again,
# rather than install one that looks for its template under /usr/local.
# Written as make reads this file: as a target it would never be made while
# missing (.SECONDARY below).
$(shell mkdir -p $(O) && { echo '$(PREFIX)' | cmp -s - $(O)/prefix || \
	echo '$(PREFIX)' > $(O)/prefix; })
$(O)/agent/main.o: $(O)/prefix

$(O)/tenetd: $(O)/agent/main.o $(AGENT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS) -lmnl -lsqlite3 -llxc -lmicrohttpd -lpthread

CLI_OBJS := $(patsubst %.c,$(O)/%.o,$(wildcard cli/*.c))
$(O)/tenetctl: $(CLI_OBJS) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS) -lpcap
$(CLI_OBJS): cli/tenetctl.h

$(O)/tn-grammar: $(O)/tools/tn-grammar.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS)

# Dated by the last commit, so that a build is the same whenever it runs.
MAN_DATE = $(shell git log -1 --format=%cs 2>/dev/null || date -u +%F)

$(O)/tenetctl.8: $(O)/tn-grammar
	$< man $(MAN_DATE) > $@.tmp && mv $@.tmp $@

$(O)/tenetctl.bash-completion: $(O)/tn-grammar
	$< completion > $@.tmp && mv $@.tmp $@

# README's block of tenetctl's commands, written anew from the table.
readme: $(O)/tn-grammar
	$< readme README.md

$(O)/tenet-router: $(O)/tenant/main.o $(RT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS) -lmnl -lpthread

$(O)/tn-bench-xdp: $(O)/tools/bench-xdp.o $(O)/tests/bpf/frames.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS)

# RFC 2544 throughput, overload and latency (tools/README.rfc2544.md).
$(O)/tn-rfc2544: $(O)/tools/rfc2544.o $(O)/tools/rfc2544_search.o \
		$(O)/tools/rfc2544_xc.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS) -lpthread

$(O)/tn-bench-fib: $(O)/tools/bench-fib.o $(O)/tools/bench-json.o $(RT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS) -lmnl -lpthread

# What a hostile tenant runs in its container (test-hostile.sh,
# test-fast-hostile.sh): it links
# only what tenet-router links, which the container has.
$(O)/tn-hostile: $(O)/tests/integration/tn-hostile.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS) -lmnl

$(O)/tn-dp: $(O)/tools/tn-dp.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS)

$(O)/tn-bench-classifier: $(O)/tools/bench-classifier.o $(O)/tools/bench-json.o $(O)/tests/bpf/frames.o \
		$(O)/tests/bpf/env.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS)

$(TEST_BPF): $(patsubst %.c,$(O)/%.o,$(filter-out tests/bpf/test_rfc2544_sink.c,\
		$(wildcard tests/bpf/*.c))) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS) -lcmocka

$(TEST_BPF_RFC): $(O)/tests/bpf/test_rfc2544_sink.o $(O)/tests/bpf/frames.o \
		$(O)/tools/rfc2544_search.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS) -lcmocka

# The search and the histogram's arithmetic (tests/unit/test_rfc2544.c).
$(O)/tests/test_rfc2544: $(O)/tools/rfc2544_search.o

$(O)/tests/test_%: $(O)/tests/unit/test_%.o $(AGENT_LIB) $(RT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS) -lmnl -lpthread -lsqlite3 -llxc -lmicrohttpd -lcmocka

# ---- Fuzzing (tests/fuzz/README) ----
# libFuzzer targets: each harness with the project sources it tests,
# compiled anew with clang and the sanitizers (not libtenet.a); system
# libraries as they are. fuzz_xdp is a plain program (its coverage would
# be userspace's only): the three XDP programs through BPF_PROG_RUN.
FUZZ_O := $(O)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) $(WARN) -std=gnu11 \
	-D_GNU_SOURCE -Iinclude -I$(O)/include -Ilib -Itenant
FUZZ_TARGETS := pkt nl validate ctl handoff
FUZZ_SRC_pkt := tenant/pkt.c
FUZZ_SRC_nl := tenant/nl.c tenant/routes.c tenant/fib4.c tenant/fib6.c tenant/ftable.c \
	tenant/nh.c tenant/hash.c tenant/fwd.c tenant/pkt.c tenant/shape.c \
	lib/xsk.c
FUZZ_SRC_validate := lib/validate.c lib/parse.c
FUZZ_SRC_ctl := lib/ctl.c lib/ctl_cmds.c lib/grammar.c lib/names.c \
	lib/validate.c lib/parse.c
FUZZ_SRC_handoff := lib/handoff.c lib/xsk.c lib/log.c
FUZZ_BINS := $(patsubst %,$(FUZZ_O)/fuzz_%,$(FUZZ_TARGETS)) $(FUZZ_O)/fuzz_xdp
# Seconds for all targets together (tests/fuzz/run splits them).
FUZZ_S ?= 60

$(FUZZ_O)/obj/%.o: %.c $(SKELS) $(wildcard include/tenet/*.h lib/*.h tenant/*.h \
		tests/fuzz/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

define FUZZ_RULE
$(FUZZ_O)/fuzz_$(1): $(FUZZ_O)/obj/tests/fuzz/fuzz_$(1).o \
		$(patsubst %.c,$(FUZZ_O)/obj/%.o,$(FUZZ_SRC_$(1)))
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $$^ -o $$@ $(LIBS) -lmnl
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

$(FUZZ_O)/fuzz_xdp: $(O)/tests/fuzz/fuzz_xdp.o $(O)/tests/fuzz/xdp_oracle.o \
		$(O)/tests/bpf/env.o \
		$(O)/tests/bpf/frames.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LIBS)

fuzz-build: $(FUZZ_BINS)

# Every target for FUZZ_S seconds in all (make fuzz FUZZ_S=600: the long
# run); executions, coverage and frames/s per target.
fuzz: $(FUZZ_BINS)
	tests/fuzz/run -t $(FUZZ_S)

# Debian packages the build, the tests, the demo, make bench (gnuplot),
# make check-debian (qemu, cpio, kmod, apparmor) and make deb (debhelper,
# dpkg-dev, lintian) need; test-metrics.sh checks tenetd's metrics with
# curl and promtool (in Debian's prometheus, whose own server a systemd
# host starts too: disable it there if unwanted).
DEPS := clang libclang-rt-14-dev clang-format llvm bpftool libbpf-dev libxdp-dev xdp-tools libelf-dev zlib1g-dev \
	linux-libc-dev libcmocka-dev libmnl-dev libjson-c-dev libsqlite3-dev \
	lxc lxc-dev busybox-static iproute2 ethtool iperf3 bird2 traceroute \
	tcpdump jq util-linux procps python3 iputils-ping valgrind groff-base man-db \
	gnuplot-nox qemu-system-x86 cpio kmod xz-utils apparmor debhelper dpkg-dev lintian \
	libmicrohttpd-dev curl prometheus libpcap-dev tshark
deps:
	@missing=$$(for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$(echo $$missing | tr '\n' ' ' | sed 's/^/ /')"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $$missing; \
	else \
		echo "deps: all $(words $(DEPS)) packages present"; \
	fi

# Another tenet build, as an upgrade meets one: tenetd whose nic_ingress
# differs by an instruction (TN_TEST_VARIANT), in $(O)/variant. test-tenetd
# swaps it in and out of libxdp's dispatcher beside another program.
variant:
	$(MAKE) O=$(O)/variant BPF_EXTRA=-DTN_TEST_VARIANT $(O)/variant/tenetd

check: deps
	$(MAKE) check-format
	$(MAKE) all variant
	tests/run

# The suites an operator cares about on Debian 12's own kernel (6.1) and a
# unified cgroup v2 hierarchy, in qemu (tests/debian/vm): the data path's
# programs through the 6.1 verifier; containers, their quotas set, changed
# live and read back, their usage, router kill -9, tenant del leaving
# nothing; traffic end to end; BGP; NICs, libxdp's dispatcher and tenetd
# kill -9. test-tenant's refused-input checks (12 minutes under emulation)
# test nothing of the kernel: make check runs them. The tenetd and tenetctl
# they run are those of the package make deb builds, installed in the guest
# (tests/debian/installed). About 16 minutes.
CHECK_DEBIAN := test_bpf test-container test-e2e test-bgp test-tenetd
check-debian: deps
	$(MAKE) all variant
	$(MAKE) deb
	tests/debian/vm env T_RATE_DIV=10 T_CTL_TIMEOUT=120 tests/debian/installed $(CHECK_DEBIAN)

# Direct mode on NICs whose driver does zero-copy AF_XDP (test-zc, and
# test-zc-steer on NICs of two queues), in qemu (tests/debian/vm): a newer
# Debian kernel than check-debian's, whose virtio-net binds AF_XDP
# zero-copy (Debian 12's does not; the VM's NICs have iommu_platform=on,
# which it needs), and VM_NICS=2: eth0-eth1 and eth2-eth3 wired back to
# back, the first of each pair tenet's. The build's tenetd and tenetctl.
# The kernel is pinned here alone: fetched once into build/zc through a
# private apt list (the host's apt is not touched); a backports version
# that has left the archive is a change of these two lines. Both guests
# run, a failure of either fails it, on single-threaded TCG (VM_TCG: 6.18
# under multi-threaded TCG once oopsed on its own live code patching).
ZC_KERNEL := linux-image-6.18.15+deb13-amd64
ZC_APT := deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
ZC_VM := VM_TCG=single VM_DIR=$(O)/zc VM_KERNEL=$(ZC_KERNEL) VM_APT='$(ZC_APT)' VM_NICS=2
ZC_RUN := tests/debian/vm env T_RATE_DIV=10 T_CTL_TIMEOUT=120 TN_ZC_NICS="eth0:eth1 eth2:eth3" tests/run
check-zc: deps
	$(MAKE) all
	rc=0; \
	$(ZC_VM) $(ZC_RUN) test-zc.sh || rc=1; \
	$(ZC_VM) VM_NIC_QUEUES=2 $(ZC_RUN) test-zc-steer || rc=1; \
	exit $$rc

# Every tracked C file as `make format` would leave it (.clang-format:
# kernel style), or a list of those that are not, and failure.
check-format:
	@files=$$(git ls-files '*.c' '*.h') || exit 1; bad=; \
	for f in $$files; do \
		$(CLANG_FORMAT) --dry-run -Werror "$$f" >/dev/null 2>&1 || \
			bad="$$bad $$f"; \
	done; \
	if [ -n "$$bad" ]; then \
		echo "check-format: not formatted (make format, or $(CLANG_FORMAT) -i FILE):" >&2; \
		for f in $$bad; do echo "  $$f" >&2; done; \
		exit 1; \
	fi; \
	echo "check-format: $$(echo $$files | wc -w) files formatted"

# ---- Benchmarks (tools/README) ----
# make bench runs bench-NAME for each NAME here, each writing
# $(BENCH_DIR)/NAME.json (tools/bench.sh makes the run's directory under
# build/bench/, then a summary and plots). Alone, bench-NAME prints its
# table as ever, and writes its JSON too when BENCH_DIR is set.
BENCHES := classifier fib router ratelimit rfc2544
BENCH_JSON = $(if $(BENCH_DIR),mkdir -p $(BENCH_DIR) && \
	BENCH_COMMIT=$${BENCH_COMMIT:-$$(. tools/bench-lib.sh && bench_commit)})

bench-classifier: $(O)/tn-bench-classifier
	$(BENCH_JSON) $(O)/tn-bench-classifier \
		$(if $(BENCH_DIR),-o $(BENCH_DIR)/classifier.json)

bench-router: $(O)/tn-bench-xdp $(O)/tenet-router $(O)/tn-dp $(O)/tenetd $(O)/tenetctl
	tools/bench-router.sh

bench-fib: $(O)/tn-bench-fib
	$(BENCH_JSON) $(O)/tn-bench-fib $(if $(BENCH_DIR),-o $(BENCH_DIR)/fib.json)

# TCP through a rate-limited tenant, shaper against policers alone: a
# Markdown table, and ratelimit.json in BENCH_DIR (or build/bench/).
# Several minutes.
bench-ratelimit: $(O)/tenetd $(O)/tenetctl $(O)/tenet-router $(O)/tn-dp
	tools/bench-ratelimit.sh

# RFC 2544 for tenet and three other systems, TCP, a noisy neighbour
# (tools/README): rfc2544.json, rfc2544.md and plots in BENCH_DIR (or
# build/bench/rfc2544/). QUICK=1: the reduced matrix, under 5 minutes.
bench-rfc2544: $(O)/tn-rfc2544 $(O)/tenetd $(O)/tenetctl $(O)/tenet-router $(O)/tn-dp
	QUICK=$(QUICK) tools/bench-rfc2544.sh

# N tenants on one host against issue 19's targets (tools/bench-scale.sh):
# N=1000 by default (about 20 minutes and 12 GiB), N=100 for a quick run.
# Not in make bench.
N ?= 1000
bench-scale: $(O)/tenetd $(O)/tenetctl $(O)/tenet-router $(O)/tn-dp
	tools/bench-scale.sh -n $(N)

# About 8 minutes (measured: 48 s, 4 s, 78 s, 306 s) and bench-rfc2544's;
# build/bench/latest/summary.md.
bench:
	MAKE="$(MAKE)" tools/bench.sh $(BENCHES)

# Binaries, the systemd unit, the man pages and the bash completion; DESTDIR
# for packaging. contrib/'s unit and tenetd.8 name the default PREFIX's
# paths (/usr/local): they are installed with PREFIX's. SYSTEMD_UNITDIR is
# where the unit goes (a package's: /lib/systemd/system), TENETD_ARGS more
# options on its ExecStart (the package's: --group tenet).
SYSTEMD_UNITDIR ?= /etc/systemd/system
TENETD_ARGS ?=
AT_PREFIX := sed -e 's|/usr/local|$(PREFIX)|g'
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(SYSTEMD_UNITDIR) \
		$(DESTDIR)/usr/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/doc/tenet $(DESTDIR)$(PREFIX)/share/tenet
	install -m 0755 $(O)/tenetd $(DESTDIR)$(PREFIX)/sbin/tenetd
	install -m 0755 $(O)/tenetctl $(O)/tenet-router $(DESTDIR)$(PREFIX)/bin/
	$(AT_PREFIX) $(if $(TENETD_ARGS),-e 's|^ExecStart=.*|& $(TENETD_ARGS)|') \
		contrib/tenetd.service > $(O)/tenetd.service
	install -m 0644 $(O)/tenetd.service $(DESTDIR)$(SYSTEMD_UNITDIR)/tenetd.service
	install -m 0644 $(O)/tenetctl.bash-completion \
		$(DESTDIR)/usr/share/bash-completion/completions/tenetctl
	$(AT_PREFIX) contrib/tenetd.8 > $(O)/tenetd.8
	install -m 0644 $(O)/tenetctl.8 $(O)/tenetd.8 contrib/tenet-router.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/tenet/README.md
	install -m 0755 lxc-templates/lxc-tenet $(DESTDIR)$(PREFIX)/share/tenet/lxc-tenet

# The Debian package (debian/; README: "The Debian package"):
# build/tenet_<version>_<arch>.deb, built from HEAD's tree (git archive)
# in build/deb/. The package is a commit: uncommitted changes are left out
# (said when there are some). dpkg-buildpackage touches nothing of the
# checkout: in it, its clean (make clean) would remove build/, it would
# leave debian/tenet/ and the like, and it writes its results into the
# parent directory. Then lintian: its errors fail make deb, its warnings
# are printed. DEB_JOBS: dpkg-buildpackage's -j.
DEB_JOBS ?= auto
deb:
	@git diff --quiet HEAD -- || echo "deb: packaging HEAD" \
		"($$(git rev-parse --short HEAD)): uncommitted changes are not in it" >&2
	@v=$$(dpkg-parsechangelog -S Version | sed 's/-[^-]*$$//'); \
	t=$$(sed -n 's/^#define TENET_VERSION "\(.*\)"/\1/p' include/tenet/version.h); \
	[ "$$v" = "$$t" ] || { echo "deb: debian/changelog says $$v," \
		"include/tenet/version.h TENET_VERSION $$t: make them one" >&2; exit 1; }
	rm -rf $(O)/deb $(O)/tenet_*.deb
	mkdir -p $(O)/deb/tenet
	git archive -o $(O)/deb/tenet.tar HEAD
	tar -xf $(O)/deb/tenet.tar -C $(O)/deb/tenet
	cd $(O)/deb/tenet && dpkg-buildpackage -b --no-sign -j$(DEB_JOBS)
	cp $(O)/deb/tenet_*_$$(dpkg --print-architecture).deb $(O)/
	lintian --fail-on error $(O)/tenet_*.deb

format:
	$(CLANG_FORMAT) -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(O)

.PHONY: all variant deps check check-debian check-zc check-format readme fuzz fuzz-build bench bench-classifier bench-router bench-fib bench-scale \
	bench-ratelimit bench-rfc2544 install deb format clean
.SECONDARY:

# A small ISP in network namespaces: two tenants, traffic, stats, torn down.
demo: deps
	$(MAKE) all
	bash scripts/demo.sh

demo-down:
	bash scripts/demo.sh down
.PHONY: demo demo-down
