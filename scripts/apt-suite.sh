#!/usr/bin/env bash
# apt for another Debian suite (trixie, sid, bookworm-backports), without
# touching the host's own apt sources: a private configuration in
# $CACHE/apt/<suite>/ (its sources list, package lists and archive cache),
# whose archive lines are derived from the machine's own Debian sources
# (same mirror, same keys, another suite).
#
# usage: apt-suite.sh SUITE apt-get|apt-cache ARGS...
#   e.g. apt-suite.sh trixie apt-get download linux-source-6.12
#        apt-suite.sh sid apt-cache show --no-all-versions linux-source-7.2
# The lists are refreshed when older than a day (APT_SUITE_REFRESH=1: now).
# Sourced (. apt-suite.sh), it defines apt_suite SUITE CMD ARGS... instead.
set -euo pipefail

_apt_suite_cache=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}/apt

# The host's Debian archive URI and keyring, from its deb822 or one-line
# sources (the first main-archive entry, not the security archive).
_apt_suite_origin() {
	local f uri= key=
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
		key=$(awk '/^Signed-By:/ { print $2; exit }' "$f")
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
			/etc/apt/sources.list)
	fi
	[ -n "$uri" ] || { echo "apt-suite: no Debian archive in the host's apt sources" >&2; return 1; }
	echo "$uri ${key:-/usr/share/keyrings/debian-archive-keyring.gpg}"
}

apt_suite() {
	local suite=$1 cmd=$2 dir uri key stamp
	shift 2
	dir=$_apt_suite_cache/$suite
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	read -r uri key < <(_apt_suite_origin)
	printf 'deb [signed-by=%s] %s %s main\ndeb-src [signed-by=%s] %s %s main\n' \
		"$key" "$uri" "$suite" "$key" "$uri" "$suite" >"$dir/sources.list.new"
	cmp -s "$dir/sources.list.new" "$dir/sources.list" 2>/dev/null ||
		{ mv "$dir/sources.list.new" "$dir/sources.list"; rm -f "$dir/updated"; }
	rm -f "$dir/sources.list.new"
	local opts=(-o "Dir::Etc::sourcelist=$dir/sources.list"
		    -o Dir::Etc::sourceparts=/dev/null
		    -o "Dir::State::Lists=$dir/lists"
		    -o "Dir::Cache=$dir/cache"
		    -o "Dir::State::status=$dir/status"
		    -o APT::Sandbox::User=root
		    -o Debug::NoLocking=1)
	touch "$dir/status"
	stamp=$dir/updated
	if [ "${APT_SUITE_REFRESH:-0}" = 1 ] || [ ! -f "$stamp" ] ||
	   [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
		echo "apt-suite: apt-get update ($suite)" >&2
		apt-get "${opts[@]}" -qq update >&2 && touch "$stamp"
	fi
	"$cmd" "${opts[@]}" "$@"
}

# The suite whose linux-source-KVER and packaged kernel tlgpu uses; empty
# for 6.1, which is the host's own (bookworm).  Fails for another KVER.
kernel_suite() {	# KVER
	case $1 in
	6.1)	echo ;;
	6.12)	echo trixie ;;
	7.2)	echo sid ;;
	*)	return 1 ;;
	esac
}

# apt of the suite in $SUITE, or the host's own apt when it is empty.
apt_for() {	# CMD ARGS...
	if [ -n "${SUITE:-}" ]; then apt_suite "$SUITE" "$@"; else "$@"; fi
}

# The version apt would install of package $1 from that suite.
candidate_version() {	# PACKAGE
	apt_for apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	[ $# -ge 2 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
	apt_suite "$@"
fi
