#!/usr/bin/env bash
# Builds the "typical" container base locally, since no registry can be reached:
# a Debian bookworm minbase made by debootstrap from the mirror apt is already
# configured to use, imported into Docker as wvc/debian-bookworm-minbase:local.
# images/tax-calculator-debian/Dockerfile takes it as ARG BASE; a user with a
# registry can set BASE=debian:bookworm-slim instead.
#
# Idempotent: does nothing when the image exists. Needs root and a running daemon.
# Usage: scripts/make-debian-base.sh [IMAGE]
set -euo pipefail

IMAGE="${1:-wvc/debian-bookworm-minbase:local}"
SUITE=bookworm

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "make-debian-base: $IMAGE already exists" >&2
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "make-debian-base: debootstrap needs root: sudo bash $0" >&2; exit 1; }
command -v debootstrap >/dev/null 2>&1 || { echo "make-debian-base: debootstrap is missing: apt-get install debootstrap" >&2; exit 1; }

# The mirror is read from apt's own configuration at run time (deb822 sources first, then sources.list).
mirror="$(awk '/^URIs:/ && !done { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; done = 1; exit } }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
if [ -z "$mirror" ]; then
  mirror="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)"
fi
[ -n "$mirror" ] || { echo "make-debian-base: no Debian mirror found in apt's sources" >&2; exit 1; }

root="$(mktemp -d /tmp/wvc-debian-XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "make-debian-base: debootstrap --variant=minbase $SUITE (mirror from apt's sources)" >&2
debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$root.log" 2>&1 || { tail -n 20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
# Drop what a slim image drops: apt lists and caches, docs are kept minimal by minbase already.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
tar -C "$root" --numeric-owner -c . | docker import --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
echo "make-debian-base: imported $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE") bytes)" >&2
