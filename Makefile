# tlgpu - top-level build.  `make help` lists the targets.
#
# Slow, input-keyed builds (QEMU, the debug kernel, downloaded packages)
# live in $(CACHE), outside the clone; everything else lives in build/.

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
CACHE	?= $(or $(TLGPU_CACHE),$(HOME)/.cache/tlgpu)
export TOP BUILD CACHE

# Debian's interpreter, whose modules make deps installs (python3-junit.xml,
# python3-yaml): a python3 earlier on PATH (pyenv, a venv) lacks them.
PYTHON	?= $(firstword $(wildcard /usr/bin/python3) python3)

# A flavour is a kernel and a build: <version>-stock (Debian's package of
# that kernel) or <version>-debug (its linux-source with images/debug.config).
# KERNEL_SRC=<tree> adds src-debug: that tree with the same fragment.
FLAVORS	:= 6.1-stock 6.1-debug 6.12-stock 6.12-debug 7.2-stock 7.2-debug
KERNEL_SRC ?=
ifneq ($(KERNEL_SRC),)
FLAVOR	?= src-debug
else
FLAVOR	?= 6.1-stock
endif
# The names of before the matrix: stock and debug were 6.1's.
override FLAVOR := $(patsubst stock,6.1-stock,$(patsubst debug,6.1-debug,$(FLAVOR)))
KVER	  = $(firstword $(subst -, ,$(FLAVOR)))

# QEMU: Debian unstable's 10.2 (the default: suites, demo, bench), Debian
# 13's 10.0 and Debian 12's 7.2, all from the same qemu-device/.
QEMU_VERSIONS := 10.2 10.0 7.2

# Sharded runs (a CI job per flavour, .gitlab-ci.yml): `make artifacts`
# copies what a test job needs into ARTIFACTS_DIR, and the test targets
# with ARTIFACTS=<that directory> run from it alone, building nothing.
# RESULTS is where the test targets write KTAP, JUnit XML and logs.
ARTIFACTS ?=
ARTIFACTS_DIR ?= $(BUILD)/artifacts
RESULTS ?= $(BUILD)/results
BIN	 = $(if $(ARTIFACTS),$(abspath $(ARTIFACTS)),$(BUILD))
QEMU	 = $(BIN)/qemu/qemu-system-x86_64
KDIR	  = $(shell cat $(BUILD)/kernel/$(FLAVOR)/kdir 2>/dev/null)

.PHONY: all help deps qemu qemu-all qemu-asan kernel driver userspace igt initramfs \
	check check-all check-device check-device-asan check-device-all check-guest \
	check-known-bugs artifacts artifacts-qemu artifacts-qemu-all ci-local lava-job lava-run \
	fuzz-device fuzz-guest \
	vm demo bench \
	clean distclean

all: qemu kernel driver userspace initramfs

help:
	@echo 'tlgpu targets:'
	@echo '  make demo          set everything up, boot a VM with two tlgpu devices and vgem,'
	@echo '                     run the cross-device demo: a timeline of what waited for what,'
	@echo '                     every result checked; the image it draws: build/demo/tlgpu-demo.png'
	@echo '  make check         set everything up and run every test suite (what CI runs) on'
	@echo '                     6.1-stock 6.1-debug 6.12-debug 7.2-debug 7.2-stock; with'
	@echo '                     KERNEL_SRC=<tree>, on that tree'"'"'s debug build (src-debug)'
	@echo '  make check-all     make check on every flavour, and the qtests on every QEMU'
	@echo '  make deps          install the Debian packages tlgpu needs (idempotent)'
	@echo '  make               build QEMU 10.2 with tlgpu, fetch or build the guest kernel, build'
	@echo '                     driver, userspace and initramfs (FLAVOR=6.1-stock by default)'
	@echo '  make check-device  host-side qtests of the QEMU device (default QEMU, 10.2)'
	@echo '  make check-device-all  the qtests on QEMU 10.0 and 7.2 as well'
	@echo '  make check-device-asan  the same qtests on a QEMU built with ASan and UBSan'
	@echo '  make check-guest   boot the VM in test mode and run the in-guest suites (FLAVOR=...),'
	@echo '                     IGT included, judged by ci/igt/FLAVOR-{fails,flakes,skips}.txt'
	@echo '  make igt           build IGT (IGT_SRC=tree|tarball, default ../shared/igt) and'
	@echo '                     tlgpu'"'"'s IGT tests; make vm then has them in /usr/lib/tlgpu/igt'
	@echo '  make check-known-bugs  show the known kernel bugs of ci/known-bugs.txt, each'
	@echo '                     flavour in its own VM (a bug can hang the guest): a kernel'
	@echo '                     that fixed one fails until the list is updated'
	@echo '  make fuzz-device   fuzz the QEMU device over qtest on an ASan/UBSan QEMU for'
	@echo '                     FUZZ_SECONDS (default 600) from FUZZ_SEED (default random);'
	@echo '                     make check runs a short fixed-seed pass'
	@echo '  make fuzz-guest    fuzz the driver'"'"'s ioctls in the VM on the debug kernel for'
	@echo '                     FUZZ_SECONDS from FUZZ_SEED; make check runs a short pass'
	@echo '  make vm            interactive guest shell on the serial console (Ctrl-a x quits)'
	@echo '  make bench         boot the VM and run the benchmarks: a table, build/bench/results.json'
	@echo '                     and plots (build/bench/*.png); fails only when a benchmark breaks'
	@echo '  make artifacts     build one flavour (FLAVOR=...) and copy what a test job needs,'
	@echo '                     its kernel and initramfs, to ARTIFACTS_DIR (build/artifacts)'
	@echo '  make artifacts-qemu  the same for QEMU 10.2 and its ASan build; check-guest,'
	@echo '                     check-device*, demo and bench with ARTIFACTS=<dir> run from'
	@echo '                     that directory and build nothing'
	@echo '  make artifacts-qemu-all  the same for QEMU 10.0 and 7.2 (check-device-all)'
	@echo '  make ci-local      run .gitlab-ci.yml here with gitlab-ci-local (shell executor) on'
	@echo '                     CI_LOCAL_FLAVORS (default 6.1-stock); jobs'"'"' logs and artifacts'
	@echo '                     in build/ci-local/state'
	@echo '  make lava-job      the LAVA job of FLAVOR (qemu device type) from ARTIFACTS_DIR,'
	@echo '                     checked by lava-dispatcher'"'"'s schema: build/lava/job-FLAVOR.yaml'
	@echo '  make lava-run      that job run here by lava-run (LAVA_TESTS=a,b: those suites)'
	@echo '  make help          this list'
	@echo '  make clean         remove build/ (the cache in $$TLGPU_CACHE stays)'
	@echo '  make distclean     remove build/ and the cache'
	@echo 'variables: FLAVOR=6.1-stock, one of $(FLAVORS) (src-debug with KERNEL_SRC=)'
	@echo '           KERNEL_SRC=<kernel tree>, QEMU_VERSION=10.2|10.0|7.2 (make qemu),'
	@echo '           TLGPU_CACHE=$(CACHE), FUZZ_SECONDS, FUZZ_SEED, IGT_SRC,'
	@echo '           CHECK_FLAVORS="$(CHECK_FLAVORS)" (make check CHECK_FLAVORS=6.1-stock: quick),'
	@echo '           CHECK_JOBS=$(CHECK_JOBS) (parts of make check at once), GUEST_TIMEOUT (seconds),'
	@echo '           CHECK_DEBUG_STRESS_SCALE=$(CHECK_DEBUG_STRESS_SCALE) (stress rounds on debug, percent),'
	@echo '           RESULTS=$(RESULTS) (KTAP, JUnit XML and logs of the test targets),'
	@echo '           ARTIFACTS=<dir> (test targets run from make artifacts'"'"' outputs), ARTIFACTS_DIR,'
	@echo '           CI_LOCAL_FLAVORS, LAVA_TESTS'

deps:
	@bash scripts/deps.sh

qemu:
	@bash qemu-device/build-qemu.sh plain $(QEMU_VERSION)

# The other QEMU releases (build/qemu-<version>/), for check-device-all.
qemu-all:
	@for v in $(QEMU_VERSIONS); do bash qemu-device/build-qemu.sh plain $$v || exit 1; done

# QEMU with AddressSanitizer and UBSan, for the device fuzzer (cached).
qemu-asan:
	@bash qemu-device/build-qemu.sh asan

# *-stock: Debian's packaged kernel, fetched (6.12 and 7.2 with a build
# root of their Debian release for modules); *-debug: the same source built
# with lockdep, KASAN, kmemleak... (images/debug.config), cached by input.
kernel:
	@case " $(FLAVORS) src-debug " in *" $(FLAVOR) "*) ;; \
	*) echo "FLAVOR is one of $(FLAVORS) (or src-debug with KERNEL_SRC=), not '$(FLAVOR)'" >&2; \
	   exit 2 ;; esac
	@case "$(FLAVOR)" in \
	src-debug) test -n "$(KERNEL_SRC)" || \
		{ echo "FLAVOR=src-debug needs KERNEL_SRC=<kernel tree>" >&2; exit 2; }; \
		bash images/build-debug-kernel.sh --src "$(KERNEL_SRC)" src-debug ;; \
	*-stock) bash images/fetch-stock-kernel.sh $(KVER) $(FLAVOR) ;; \
	*-debug) bash images/build-debug-kernel.sh $(KVER) $(FLAVOR) ;; \
	esac

# Against a packaged 6.12/7.2 kernel the module is built inside that
# release's build root (its compiler and kbuild tools need its glibc).
driver: kernel
	@if [ -f $(BUILD)/kernel/$(FLAVOR)/buildroot ]; then \
		bash images/buildroot-make.sh "$$(cat $(BUILD)/kernel/$(FLAVOR)/buildroot)" \
			"$(KDIR)" "$(BUILD)/driver-$(FLAVOR)"; \
	else \
		$(MAKE) --no-print-directory -C guest-driver \
			KDIR="$(KDIR)" BUILD_DIR="$(BUILD)/driver-$(FLAVOR)"; \
	fi

userspace:
	@if [ ! -f $(BUILD)/userspace/build.ninja ]; then \
		meson setup --prefix=/usr $(BUILD)/userspace guest-userspace; fi
	@ninja -C $(BUILD)/userspace

# IGT 2.2 (../shared/igt, or IGT_SRC=tree|tarball) with tlgpu's IGT tests,
# cached by input; the initramfs carries it when built.
igt:
	@bash guest-userspace/igt/build-igt.sh

initramfs: driver userspace
	@bash images/mkinitramfs.sh $(FLAVOR)

# The flavours make check runs: every kernel's debug build (lockdep, KASAN,
# kmemleak; about 10 minutes each to build once, cached by their inputs),
# Debian 12's stock 6.1 and the newest stock kernel.  With KERNEL_SRC=, that
# tree's debug build alone.  check-all runs every flavour.
ifneq ($(KERNEL_SRC),)
CHECK_FLAVORS ?= src-debug
else
CHECK_FLAVORS ?= 6.1-stock 6.1-debug 6.12-debug 7.2-debug 7.2-stock
endif

# make check runs its parts (the checks below) CHECK_JOBS at a time, each
# part's output shown whole when it ends (make -O).  Two at once on two
# cores: a TCG guest keeps 0.6-1 of a core busy (its vCPUs wait for
# timers, the device and each other), so a second guest or the host
# checks fill the rest.  Longest first, so the short ones fill in behind:
# the debug guests (10-15 min each), the stock ones, the device fuzzer's
# short pass (2 min), the qtests.
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
CHECK_PARTS = $(addprefix check-part-guest-,$(filter %-debug,$(CHECK_FLAVORS)) \
		$(filter-out %-debug,$(CHECK_FLAVORS))) \
	check-part-fuzz-device check-part-device-asan check-part-device \
	$(if $(CHECK_ALL),check-part-device-all) check-part-docs

check: deps
	@$(MAKE) --no-print-directory igt
	@for f in $(CHECK_FLAVORS); do \
		$(MAKE) --no-print-directory all FLAVOR=$$f || exit 1; done
	@$(MAKE) --no-print-directory qemu-asan
	@$(if $(CHECK_ALL),$(MAKE) --no-print-directory qemu-all)
	@rm -rf $(RESULTS)
	@echo "check: $(words $(CHECK_PARTS)) parts, $(CHECK_JOBS) at a time:" \
		"$(patsubst check-part-%,%,$(CHECK_PARTS))"
	@rc=0; \
	$(MAKE) --no-print-directory -k -j$(CHECK_JOBS) -O $(CHECK_PARTS) || rc=1; \
	$(PYTHON) ci/summary.py $(RESULTS) || rc=1; \
	exit $$rc

# The parts of make check, from what it built before (no build step here:
# parts run in parallel).  Each writes its own files in build/results.
.PHONY: $(CHECK_PARTS) check-part-device-all $(addprefix check-part-guest-,$(FLAVORS) src-debug)
check-part-docs:
	@rc=0; $(PYTHON) ci/check-docs.py --results $(RESULTS) || rc=1; \
	$(PYTHON) ci/check-ci.py --results $(RESULTS) || rc=1; exit $$rc
check-part-device:
	@$(call run-device)
check-part-device-asan:
	@$(call run-device-asan)
check-part-device-all:
	@$(call run-device-all)
check-part-fuzz-device:
	@$(verify-artifacts) $(PYTHON) ci/fuzz-device.py --qemu $(BIN)/qemu-asan/qemu-system-x86_64 \
		--results $(RESULTS)
$(addprefix check-part-guest-,$(FLAVORS) src-debug): check-part-guest-%:
	@$(call run-guest,$*,$(if $(CHECK_ALL),,$(CHECK_SKIP_$*)),$(if \
		$(CHECK_ALL),,$(if $(filter %-debug,$*),tlgpu_stress_scale=$(CHECK_DEBUG_STRESS_SCALE) \
		tlgpu_dmabuf_slow=0)))

check-device: $(if $(ARTIFACTS),,qemu)
	@$(call run-device)
run-device = $(verify-artifacts) $(PYTHON) ci/run-device-tests.py --qemu $(QEMU) \
		--test $(BIN)/qemu/tlgpu-test --results $(RESULTS)

# The same qtests on the ASan/UBSan QEMU: every hostile case, sanitized.
check-device-asan: $(if $(ARTIFACTS),,qemu-asan)
	@$(call run-device-asan)
run-device-asan = $(verify-artifacts) $(PYTHON) ci/run-device-tests.py --name device-asan \
		--qemu $(BIN)/qemu-asan/qemu-system-x86_64 \
		--test $(BIN)/qemu-asan/tlgpu-test --results $(RESULTS)

# Every flavour and the qtests on every QEMU release.
check-all: deps
	@$(MAKE) --no-print-directory check CHECK_FLAVORS="$(FLAVORS)" CHECK_ALL=1 KUNIT_SCHED=1

# The qtests on each QEMU release but the default (make check runs those).
check-device-all: $(if $(ARTIFACTS),,qemu-all)
	@$(call run-device-all)
run-device-all = $(verify-artifacts) rc=0; for v in $(filter-out 10.2,$(QEMU_VERSIONS)); do \
		$(PYTHON) ci/run-device-tests.py --name device-$$v \
			--qemu $(BIN)/qemu-$$v/qemu-system-x86_64 \
			--test $(BIN)/qemu-$$v/tlgpu-test --results $(RESULTS) || rc=1; \
	done; exit $$rc

# With ARTIFACTS=DIR the test targets build nothing and first check that
# DIR holds this commit's builds, whole (ci/artifacts.sh verify).
verify-artifacts = $(if $(ARTIFACTS),bash ci/artifacts.sh verify $(BIN) || exit 2;)

# What a test job of one flavour needs (its kernel and initramfs, IGT in
# it), copied to ARTIFACTS_DIR for a CI system to hand on; QEMU apart
# (artifacts-qemu), since every flavour's job uses the same one.
artifacts: igt initramfs
	@bash ci/artifacts.sh guest $(FLAVOR) $(ARTIFACTS_DIR)
# The default QEMU and the ASan/UBSan one: the qtests, the device fuzzer
# and every guest job; artifacts-qemu-all: the other releases.
artifacts-qemu: qemu qemu-asan
	@bash ci/artifacts.sh qemu $(ARTIFACTS_DIR) qemu qemu-asan
artifacts-qemu-all: qemu-all
	@bash ci/artifacts.sh qemu $(ARTIFACTS_DIR) \
		$(addprefix qemu-,$(filter-out 10.2,$(QEMU_VERSIONS)))

# .gitlab-ci.yml run here by gitlab-ci-local (npm, pinned, installed into
# the cache), shell executor, on CI_LOCAL_FLAVORS: ci/gitlab-ci-local.py.
# It ends with the line make check CHECK_FLAVORS="$(CI_LOCAL_FLAVORS)" prints.
CI_LOCAL_FLAVORS ?= 6.1-stock
CI_LOCAL_IGT_SRC = $(or $(IGT_SRC),$(lastword $(wildcard $(abspath $(TOP)/../shared/igt)/igt-gpu-tools-*.tar.*)))
ci-local: deps
	@$(PYTHON) ci/gitlab-ci-local.py --gitlab-ci-local "$$(bash scripts/gitlab-ci-local.sh)" \
		--flavors "$(CI_LOCAL_FLAVORS)" --cache $(CACHE) --igt-src "$(CI_LOCAL_IGT_SRC)" \
		--out $(BUILD)/ci-local

# LAVA (ci/lava/): FLAVOR's job for LAVA's qemu device type, from
# ARTIFACTS_DIR (make artifacts FLAVOR=... artifacts-qemu), checked by
# Debian 12's lava-dispatcher schema (scripts/lava-tools.sh unpacks it);
# lava-run runs it here with lava-run, LAVA_TESTS= limiting the suites.
LAVA_TESTS ?=
lava-env = root=$$(bash scripts/lava-tools.sh) && \
	export PYTHONPATH=$$root/usr/lib/python3/dist-packages LAVA_ROOT=$$root \
	LD_LIBRARY_PATH=$$root/usr/lib/x86_64-linux-gnu:$$root/lib/x86_64-linux-gnu
lava-job:
	@mkdir -p $(BUILD)/lava
	@$(lava-env) && $(PYTHON) ci/lava-job.py --flavor $(FLAVOR) \
		--artifacts $(ARTIFACTS_DIR) $(if $(LAVA_TESTS),--tests $(LAVA_TESTS)) \
		--out $(BUILD)/lava/job-$(FLAVOR).yaml \
		--device-out $(BUILD)/lava/device-$(FLAVOR).yaml --validate
lava-run: lava-job
	@rm -rf $(BUILD)/lava/out-$(FLAVOR)
	@$(lava-env) && PATH=$(abspath $(ARTIFACTS_DIR))/qemu:$$PATH \
		$(PYTHON) $$root/usr/bin/lava-run --job-id 1 \
		--output-dir $(BUILD)/lava/out-$(FLAVOR) \
		--device $(BUILD)/lava/device-$(FLAVOR).yaml $(BUILD)/lava/job-$(FLAVOR).yaml \
		>$(BUILD)/lava/lava-run-$(FLAVOR).log 2>&1; \
	$(PYTHON) ci/lava-job.py --summary $(BUILD)/lava/lava-run-$(FLAVOR).log

# Watchdog of one guest run (seconds): a debug kernel runs 3-5x slower,
# and make check runs two at once; check-all's debug runs add IGT, the
# whole stress counts and the kernel's own tests (up to 45 minutes more).
guest-timeout = $(or $(GUEST_TIMEOUT),$(if $(filter %-debug,$(1)),$(if \
		$(CHECK_ALL),6000,2700),1200))

# Suites make check leaves out of a flavour to stay within CI's time (each
# runs on another flavour of the same check, and check-all runs them all):
# IGT takes 7 to 25 minutes on a debug kernel under TCG; in make check it
# runs on the two stock kernels, 6.1 and 7.2.  The kernel's own tests (the
# dma-buf selftests or KUnit suites and the sync selftest: they test the
# kernel, not tlgpu; 4-8 minutes of a debug run) run on 6.1-debug, the
# cheapest of them.  check-all runs every suite on every flavour.
CHECK_SKIP_6.1-debug := igt
CHECK_SKIP_6.12-debug := igt,kernel-dmabuf.sh,kernel-sync.sh
CHECK_SKIP_7.2-debug := igt,kernel-kunit.sh,kernel-sync.sh
GUEST_SKIP ?=
# The stress suites' iteration counts on the debug flavours of make check,
# in percent (tlgpu_stress_scale): every case runs, each fewer rounds;
# check-all and check-guest run them whole.  make check also leaves out the
# kernel's slow dma_fence_chain/wait_backward selftest (tlgpu_dmabuf_slow=0,
# a SKIP: 90 s under TCG on a fast machine, over 300 s on a slow one, and
# kernel code only); check-all and check-guest run it.
CHECK_DEBUG_STRESS_SCALE ?= 50
# The drm_sched KUnit suite on 7.x debug kernels (images/tests-debug/
# kernel-kunit.sh says why only on request); check-all asks for it.
KUNIT_SCHED ?=

check-guest: $(if $(ARTIFACTS),,igt initramfs qemu)
	@$(call run-guest,$(FLAVOR),$(GUEST_SKIP))
# run-guest FLAVOR,SKIP[,WORDS]: one guest run of that flavour's built
# initramfs, WORDS added to the kernel command line.
run-guest = $(verify-artifacts) BUILD=$(BIN) $(PYTHON) ci/run-guest.py --flavor $(1) --results $(RESULTS) \
		--timeout $(call guest-timeout,$(1)) \
		$(if $(2),--append "tlgpu_tests_skip=$(2)") \
		$(if $(3),--append "$(3)") \
		$(if $(KUNIT_SCHED),--append tlgpu_kunit_sched=1)

# Known kernel bugs (ci/known-bugs.txt), each flavour in a VM boot of its
# own since a reproducer can hang the guest; never part of make check.
check-known-bugs:
	@rm -rf $(BUILD)/known-bugs
	@rc=0; for f in $(CHECK_FLAVORS); do \
		$(MAKE) --no-print-directory all FLAVOR=$$f || exit 1; \
		$(PYTHON) ci/run-known-bugs.py --flavor $$f --results $(BUILD)/known-bugs \
			--release "$$(cat $(BUILD)/kernel/$$f/release)" || rc=1; \
	done; \
	$(PYTHON) ci/summary.py $(BUILD)/known-bugs || rc=1; exit $$rc

# Long fuzzing runs (make check runs the short passes).
FUZZ_SECONDS ?= 600
FUZZ_SEED ?=

fuzz-device: qemu-asan
	@$(PYTHON) ci/fuzz-device.py --qemu $(BUILD)/qemu-asan/qemu-system-x86_64 \
		--seconds $(FUZZ_SECONDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) \
		--results $(BUILD)/fuzz

fuzz-guest:
	@$(MAKE) --no-print-directory all FLAVOR=6.1-debug
	@$(PYTHON) ci/run-guest.py --flavor 6.1-debug --results $(BUILD)/fuzz \
		--timeout $$(( $(FUZZ_SECONDS) * 2 + 600 )) \
		--append "tlgpu_tests=tlgpu-fuzz tlgpu_fuzz_seconds=$(FUZZ_SECONDS) \
		$(if $(FUZZ_SEED),tlgpu_fuzz_seed=$(FUZZ_SEED))"

vm: all
	@bash images/run-vm.sh --flavor $(FLAVOR) --devices 2 --mode shell

demo: deps
	@$(if $(ARTIFACTS),,$(MAKE) --no-print-directory all)
	@$(verify-artifacts) BUILD=$(BIN) $(PYTHON) ci/run-demo.py --flavor $(FLAVOR) --out $(BUILD)/demo

# Benchmarks on the stock kernel; the debug kernel, when built, adds its
# time to first test and sw_sync (ci/run-bench.py).
bench: $(if $(ARTIFACTS),,all)
	@$(if $(ARTIFACTS),,if [ -f $(BUILD)/kernel/6.1-debug/kdir ]; then \
		$(MAKE) --no-print-directory driver initramfs FLAVOR=6.1-debug; fi)
	@$(verify-artifacts) BUILD=$(BIN) $(PYTHON) ci/run-bench.py --results $(BUILD)/bench

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(CACHE)
