#!/usr/bin/env bash
# gitlab-ci-local (an npm package that runs a .gitlab-ci.yml on this
# machine), installed once into the cache and pinned: 4.65.0 runs on this
# machine's Node.js 20 (the 4.7x releases ask for Node.js 22).  Without
# npm, Debian's nodejs and npm are installed first.
#
#   scripts/gitlab-ci-local.sh           install if missing, print the path
#
# npm uses the machine's own registry configuration; nothing here names one.
set -euo pipefail

VERSION=4.65.0
CACHE=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}
dir=$CACHE/tools/gitlab-ci-local-$VERSION
bin=$dir/node_modules/.bin/gitlab-ci-local

if [ ! -x "$bin" ]; then
	if ! command -v npm >/dev/null; then
		SUDO=
		[ "$(id -u)" -eq 0 ] || SUDO=sudo
		echo "gitlab-ci-local: installing Debian's nodejs and npm" >&2
		$SUDO env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends nodejs npm >&2
	fi
	echo "gitlab-ci-local: npm install gitlab-ci-local@$VERSION into $dir" >&2
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	npm install --prefix "$dir.tmp" --no-package-lock --no-save --no-audit \
		--no-fund --loglevel=error "gitlab-ci-local@$VERSION" >&2
	"$dir.tmp/node_modules/.bin/gitlab-ci-local" --version >/dev/null
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
fi
echo "$bin"
