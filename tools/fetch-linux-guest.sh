#!/bin/sh
# Fetches the Linux guest the Linux boot test and the README walkthrough use: Debian 12's stock kernel
# (the package linux-image-amd64 depends on) and busybox-static, as Debian packages, without installing
# them. Leaves two files in the cache folder:
#   vmlinuz   the bzImage
#   busybox   the static busybox binary the initramfs is built from
# Usage: tools/fetch-linux-guest.sh [cache folder]   (default $RESTVISOR_LINUX_CACHE or ~/.cache/restvisor/linux)
# Needs apt-get and dpkg (Debian or Ubuntu); run `apt-get update` first on a fresh machine.
set -eu
CACHE=${1:-${RESTVISOR_LINUX_CACHE:-$HOME/.cache/restvisor/linux}}
mkdir -p "$CACHE"
cd "$CACHE"
if [ -s vmlinuz ] && [ -s busybox ]; then
  echo "Linux guest already in $CACHE"; exit 0
fi
KERNEL=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$KERNEL" ] || { echo "apt-cache cannot resolve linux-image-amd64: run apt-get update (Debian 12 sources needed)" >&2; exit 1; }
rm -rf debs unpacked && mkdir -p debs unpacked
# apt-get download writes into the current folder; as root it warns that _apt cannot write here, which is harmless.
(cd debs && apt-get download "$KERNEL" busybox-static 2>&1 | grep -v "unsandboxed" || true)
for deb in debs/*.deb; do dpkg -x "$deb" unpacked; done
cp unpacked/boot/vmlinuz-* vmlinuz.tmp && mv vmlinuz.tmp vmlinuz
cp unpacked/bin/busybox busybox.tmp && chmod 755 busybox.tmp && mv busybox.tmp busybox
echo "$KERNEL" > kernel-package.txt
rm -rf debs unpacked
ls -l "$CACHE/vmlinuz" "$CACHE/busybox"
