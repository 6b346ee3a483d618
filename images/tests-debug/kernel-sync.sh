#!/bin/sh
# The kernel's sync_file/sw_sync selftest (tools/testing/selftests/sync,
# built by build-debug-kernel.sh from the same tree).  It prints kselftest
# TAP whose result lines read "ok 3 [RUN]<tab>test_alloc_fence_negative":
# only the "[RUN]<tab>" prefix goes, so the case names are the test names.
# Its three stress tests run fewer rounds than upstream's (see
# build-debug-kernel.sh): as written they take ~10 min under TCG.
#
# debug flavour only (needs CONFIG_SW_SYNC, off in the stock kernel).
set -o pipefail

/usr/lib/tlgpu/kselftest/sync_test 2>&1 |
	sed -E 's/^((not )?ok [0-9]+) \[RUN\][[:space:]]+/\1 /'
