# tlgpu - top-level build.  `make help` lists the targets.
#
# Slow, input-keyed builds (QEMU, the debug kernel, downloaded packages)
# live in $(CACHE), outside the clone; everything else lives in build/.

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
CACHE	?= $(or $(TLGPU_CACHE),$(HOME)/.cache/tlgpu)
FLAVOR	?= stock
export TOP BUILD CACHE

QEMU	 := $(BUILD)/qemu/qemu-system-x86_64
KDIR	  = $(shell cat $(BUILD)/kernel/$(FLAVOR)/kdir 2>/dev/null)

.PHONY: all help deps qemu qemu-asan kernel driver userspace igt initramfs \
	check check-device check-device-asan check-guest check-known-bugs \
	fuzz-device fuzz-guest \
	vm demo bench \
	clean distclean

all: qemu kernel driver userspace initramfs

help:
	@echo 'tlgpu targets:'
	@echo '  make demo          set everything up, boot a VM with two tlgpu devices and vgem,'
	@echo '                     run the cross-device demo: a timeline of what waited for what,'
	@echo '                     every result checked; the image it draws: build/demo/tlgpu-demo.png'
	@echo '  make check         set everything up and run every test suite (what CI runs)'
	@echo '  make deps          install the Debian packages tlgpu needs (idempotent)'
	@echo '  make               build QEMU with tlgpu, fetch the guest kernel, build driver,'
	@echo '                     userspace and initramfs (FLAVOR=stock by default)'
	@echo '  make check-device  host-side qtests of the QEMU device'
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
	@echo 'variables: FLAVOR=stock (or debug, 6.12-debug, 7.2-debug), TLGPU_CACHE=$(CACHE),'
	@echo '           FUZZ_SECONDS, FUZZ_SEED, IGT_SRC, CHECK_FLAVORS="$(CHECK_FLAVORS)"'
	@echo '           (make check CHECK_FLAVORS=stock: the quick run)'

deps:
	@bash scripts/deps.sh

qemu:
	@bash qemu-device/build-qemu.sh

# QEMU with AddressSanitizer and UBSan, for the device fuzzer (cached).
qemu-asan:
	@bash qemu-device/build-qemu.sh asan

# stock: Debian's packaged kernel, fetched; debug: the same source built
# with lockdep, KASAN, kmemleak... (images/debug.config), cached by input.
kernel:
	@case "$(FLAVOR)" in \
	stock)	bash images/fetch-stock-kernel.sh ;; \
	debug)	bash images/build-debug-kernel.sh 6.1 debug ;; \
	6.12-debug|7.2-debug) bash images/build-debug-kernel.sh $(FLAVOR:-debug=) $(FLAVOR) ;; \
	*)	echo "FLAVOR is stock, debug, 6.12-debug or 7.2-debug, not '$(FLAVOR)'" >&2; exit 2 ;; \
	esac

driver: kernel
	@$(MAKE) --no-print-directory -C guest-driver \
		KDIR="$(KDIR)" BUILD_DIR="$(BUILD)/driver-$(FLAVOR)"

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

# The kernel flavours make check runs: Debian's stock 6.1, and the debug
# builds (lockdep, KASAN, kmemleak; about 10 minutes each to build once,
# cached by their inputs) of 6.1 and 6.12.
CHECK_FLAVORS := stock debug 6.12-debug

check: deps
	@for f in $(CHECK_FLAVORS); do \
		$(MAKE) --no-print-directory all FLAVOR=$$f || exit 1; done
	@$(MAKE) --no-print-directory qemu-asan
	@rm -rf $(BUILD)/results
	@rc=0; \
	python3 ci/check-docs.py --results $(BUILD)/results || rc=1; \
	python3 ci/check-ci.py --results $(BUILD)/results || rc=1; \
	$(MAKE) --no-print-directory check-device || rc=1; \
	$(MAKE) --no-print-directory check-device-asan || rc=1; \
	python3 ci/fuzz-device.py --qemu $(BUILD)/qemu-asan/qemu-system-x86_64 \
		--results $(BUILD)/results || rc=1; \
	for f in $(CHECK_FLAVORS); do \
		$(MAKE) --no-print-directory check-guest FLAVOR=$$f || rc=1; \
	done; \
	python3 ci/summary.py $(BUILD)/results || rc=1; \
	exit $$rc

check-device: qemu
	@python3 ci/run-device-tests.py --qemu $(QEMU) \
		--test $(BUILD)/qemu/tlgpu-test --results $(BUILD)/results

# The same qtests on the ASan/UBSan QEMU: every hostile case, sanitized.
check-device-asan: qemu-asan
	@python3 ci/run-device-tests.py --name device-asan \
		--qemu $(BUILD)/qemu-asan/qemu-system-x86_64 \
		--test $(BUILD)/qemu-asan/tlgpu-test --results $(BUILD)/results

# Watchdog of one guest run (seconds): the debug kernel runs 3-5x slower.
GUEST_TIMEOUT_stock := 900
GUEST_TIMEOUT_debug := 1800
GUEST_TIMEOUT_6.12-debug := 1800
GUEST_TIMEOUT_7.2-debug := 1800

check-guest: igt initramfs qemu
	@python3 ci/run-guest.py --flavor $(FLAVOR) --results $(BUILD)/results \
		--timeout $(GUEST_TIMEOUT_$(FLAVOR))

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
	@$(MAKE) --no-print-directory all FLAVOR=debug
	@python3 ci/run-guest.py --flavor debug --results $(BUILD)/fuzz \
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
	@if [ -f $(BUILD)/kernel/debug/kdir ]; then \
		$(MAKE) --no-print-directory driver initramfs FLAVOR=debug; fi
	@python3 ci/run-bench.py --results $(BUILD)/bench

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(CACHE)
