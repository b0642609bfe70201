#!/usr/bin/env sh
# Assembles demo.S into the flat real-mode image the service ships (loaded at 0000:7C00).
# Needs GNU binutils (as, ld, objcopy). Usage: build.sh [output]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../resources/guests/demo.bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
as --32 -o "$tmp/demo.o" "$here/demo.S"
ld -m elf_i386 -T "$here/demo.ld" -o "$tmp/demo.elf" "$tmp/demo.o"
mkdir -p "$(dirname "$out")"
objcopy -O binary "$tmp/demo.elf" "$out"
