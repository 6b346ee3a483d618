# tlgpu - top-level build.  `make help` lists the targets.
#
# Slow, input-keyed builds (QEMU, the debug kernel, downloaded packages)
# live in $(CACHE), outside the clone; everything else lives in build/.

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
CACHE	?= $(or $(TLGPU_CACHE),$(HOME)/.cache/tlgpu)
export TOP BUILD CACHE

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
QEMU	 := $(BUILD)/qemu/qemu-system-x86_64
KDIR	  = $(shell cat $(BUILD)/kernel/$(FLAVOR)/kdir 2>/dev/null)

.PHONY: all help deps qemu qemu-all qemu-asan kernel driver userspace igt initramfs \
	check check-all check-device check-device-asan check-device-all check-guest \
	check-known-bugs \
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
	@echo '  make help          this list'
	@echo '  make clean         remove build/ (the cache in $$TLGPU_CACHE stays)'
	@echo '  make distclean     remove build/ and the cache'
	@echo 'variables: FLAVOR=6.1-stock, one of $(FLAVORS) (src-debug with KERNEL_SRC=)'
	@echo '           KERNEL_SRC=<kernel tree>, QEMU_VERSION=10.2|10.0|7.2 (make qemu),'
	@echo '           TLGPU_CACHE=$(CACHE), FUZZ_SECONDS, FUZZ_SEED, IGT_SRC,'
	@echo '           CHECK_FLAVORS="$(CHECK_FLAVORS)" (make check CHECK_FLAVORS=6.1-stock: quick),'
	@echo '           CHECK_JOBS=$(CHECK_JOBS) (parts of make check at once), GUEST_TIMEOUT (seconds),'
	@echo '           CHECK_DEBUG_STRESS_SCALE=$(CHECK_DEBUG_STRESS_SCALE) (stress rounds on debug, percent)'

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
	@rm -rf $(BUILD)/results
	@echo "check: $(words $(CHECK_PARTS)) parts, $(CHECK_JOBS) at a time:" \
		"$(patsubst check-part-%,%,$(CHECK_PARTS))"
	@rc=0; \
	$(MAKE) --no-print-directory -k -j$(CHECK_JOBS) -O $(CHECK_PARTS) || rc=1; \
	python3 ci/summary.py $(BUILD)/results || rc=1; \
	exit $$rc

# The parts of make check, from what it built before (no build step here:
# parts run in parallel).  Each writes its own files in build/results.
.PHONY: $(CHECK_PARTS) check-part-device-all $(addprefix check-part-guest-,$(FLAVORS) src-debug)
check-part-docs:
	@rc=0; python3 ci/check-docs.py --results $(BUILD)/results || rc=1; \
	python3 ci/check-ci.py --results $(BUILD)/results || rc=1; exit $$rc
check-part-device:
	@$(call run-device)
check-part-device-asan:
	@$(call run-device-asan)
check-part-device-all:
	@$(call run-device-all)
check-part-fuzz-device:
	@python3 ci/fuzz-device.py --qemu $(BUILD)/qemu-asan/qemu-system-x86_64 \
		--results $(BUILD)/results
$(addprefix check-part-guest-,$(FLAVORS) src-debug): check-part-guest-%:
	@$(call run-guest,$*,$(if $(CHECK_ALL),,$(CHECK_SKIP_$*)),$(if \
		$(CHECK_ALL),,$(if $(filter %-debug,$*),tlgpu_stress_scale=$(CHECK_DEBUG_STRESS_SCALE))))

check-device: qemu
	@$(call run-device)
run-device = python3 ci/run-device-tests.py --qemu $(QEMU) \
		--test $(BUILD)/qemu/tlgpu-test --results $(BUILD)/results

# The same qtests on the ASan/UBSan QEMU: every hostile case, sanitized.
check-device-asan: qemu-asan
	@$(call run-device-asan)
run-device-asan = python3 ci/run-device-tests.py --name device-asan \
		--qemu $(BUILD)/qemu-asan/qemu-system-x86_64 \
		--test $(BUILD)/qemu-asan/tlgpu-test --results $(BUILD)/results

# Every flavour and the qtests on every QEMU release.
check-all: deps
	@$(MAKE) --no-print-directory check CHECK_FLAVORS="$(FLAVORS)" CHECK_ALL=1 KUNIT_SCHED=1

# The qtests on each QEMU release but the default (make check runs those).
check-device-all: qemu-all
	@$(call run-device-all)
run-device-all = rc=0; for v in $(filter-out 10.2,$(QEMU_VERSIONS)); do \
		python3 ci/run-device-tests.py --name device-$$v \
			--qemu $(BUILD)/qemu-$$v/qemu-system-x86_64 \
			--test $(BUILD)/qemu-$$v/tlgpu-test --results $(BUILD)/results || rc=1; \
	done; exit $$rc

# Watchdog of one guest run (seconds): a debug kernel runs 3-5x slower,
# and make check runs two at once.
guest-timeout = $(or $(GUEST_TIMEOUT),$(if $(filter %-debug,$(1)),2700,1200))

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
# check-all and check-guest run them whole.
CHECK_DEBUG_STRESS_SCALE ?= 50
# The drm_sched KUnit suite on 7.x debug kernels (images/tests-debug/
# kernel-kunit.sh says why only on request); check-all asks for it.
KUNIT_SCHED ?=

check-guest: igt initramfs qemu
	@$(call run-guest,$(FLAVOR),$(GUEST_SKIP))
# run-guest FLAVOR,SKIP[,WORDS]: one guest run of that flavour's built
# initramfs, WORDS added to the kernel command line.
run-guest = python3 ci/run-guest.py --flavor $(1) --results $(BUILD)/results \
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
		python3 ci/run-known-bugs.py --flavor $$f --results $(BUILD)/known-bugs \
			--release "$$(cat $(BUILD)/kernel/$$f/release)" || rc=1; \
	done; \
	python3 ci/summary.py $(BUILD)/known-bugs || rc=1; exit $$rc

# Long fuzzing runs (make check runs the short passes).
FUZZ_SECONDS ?= 600
FUZZ_SEED ?=

fuzz-device: qemu-asan
	@python3 ci/fuzz-device.py --qemu $(BUILD)/qemu-asan/qemu-system-x86_64 \
		--seconds $(FUZZ_SECONDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) \
		--results $(BUILD)/fuzz

fuzz-guest:
	@$(MAKE) --no-print-directory all FLAVOR=6.1-debug
	@python3 ci/run-guest.py --flavor 6.1-debug --results $(BUILD)/fuzz \
		--timeout $$(( $(FUZZ_SECONDS) * 2 + 600 )) \
		--append "tlgpu_tests=tlgpu-fuzz tlgpu_fuzz_seconds=$(FUZZ_SECONDS) \
		$(if $(FUZZ_SEED),tlgpu_fuzz_seed=$(FUZZ_SEED))"

vm: all
	@bash images/run-vm.sh --flavor $(FLAVOR) --devices 2 --mode shell

demo: deps
	@$(MAKE) --no-print-directory all
	@python3 ci/run-demo.py --flavor $(FLAVOR) --out $(BUILD)/demo

# Benchmarks on the stock kernel; the debug kernel, when built, adds its
# time to first test and sw_sync (ci/run-bench.py).
bench: all
	@if [ -f $(BUILD)/kernel/6.1-debug/kdir ]; then \
		$(MAKE) --no-print-directory driver initramfs FLAVOR=6.1-debug; fi
	@python3 ci/run-bench.py --results $(BUILD)/bench

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(CACHE)
