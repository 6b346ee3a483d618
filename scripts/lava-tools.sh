#!/usr/bin/env bash
# Debian 12's LAVA dispatcher (2023.01), unpacked into the cache without
# installing it: lava-dispatcher as a package pulls udev, mdadm and the
# libguestfs appliance onto the host, while checking a job (its schema)
# and a local lava-run of a QEMU job need only its Python modules and the
# libraries they load.  Prints the unpacked root; run its tools as
#
#   root=$(scripts/lava-tools.sh)
#   PYTHONPATH=$root/usr/lib/python3/dist-packages \
#   LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu \
#       /usr/bin/python3 $root/usr/bin/lava-run ...
#
# apt-get download uses the machine's own sources (bookworm).
set -euo pipefail

CACHE=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}
PKGS=(
	# the dispatcher and the job schema; lava-server for its device-type
	# templates only (qemu.jinja2, base.jinja2)
	lava-common lava-dispatcher lava-dispatcher-host python3-voluptuous
	lava-server
	# what lava-run imports
	python3-setproctitle python3-pexpect python3-ptyprocess python3-configobj
	python3-netifaces python3-pyudev python3-magic python3-jinja2
	python3-markupsafe python3-requests python3-urllib3 python3-idna
	python3-certifi python3-chardet python3-charset-normalizer
	# python3-guestfs, imported at start, and the libraries it links
	python3-guestfs libguestfs0 libvirt0 libfuse2 libnl-3-200 libyajl2 libssh-4
)
key=$(printf '%s\n' "${PKGS[@]}" | cat - "$0" | sha256sum | cut -c1-16)
root=$CACHE/tools/lava-2023.01-$key

if [ ! -f "$root/.complete" ]; then
	tmp=$root.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/debs"
	echo "lava-tools: apt-get download ${#PKGS[@]} packages into $tmp" >&2
	(cd "$tmp/debs" && apt-get download -q "${PKGS[@]}" >&2)
	for d in "$tmp"/debs/*.deb; do
		dpkg-deb -x "$d" "$tmp"
	done
	grep -q '^2023\.' "$tmp/usr/lib/python3/dist-packages/lava_common/VERSION" 2>/dev/null ||
		echo "lava-tools: note: lava-common is not 2023.x here" >&2
	rm -rf "$tmp/debs"
	touch "$tmp/.complete"
	rm -rf "$root"
	mv "$tmp" "$root"
fi
echo "$root"
