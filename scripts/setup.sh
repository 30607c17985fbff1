#!/usr/bin/env bash
# Installs the system prerequisites of wasm-vs-container on Debian/Ubuntu:
# a Docker engine (started when none answers), a C toolchain able to link
# `cc -static`, musl-tools, hyperfine, and the wasmtime Python package (which
# ships libwasmtime for the wasmtime-embed host).
#
# Idempotent: installed packages are left alone, `apt-get update` runs only
# when something is missing, and a running daemon is reused. Runs as root, or
# through sudo for the system steps when not root. Needs no stdin (CI=true).
#
# Usage: scripts/setup.sh [STEP...]
#   with no STEP, every step; else only those named, in this order whatever the
#   order given: packages (apt), pip-wasmtime (pip), dockerd (start dockerd),
#   containerd-daemon (start one when none answers), debian-base (make-debian-base.sh).
#   `wvc setup` (run by `npm run bench` and `npm test`) names the steps it needs.
set -euo pipefail

ALL_STEPS="packages pip-wasmtime dockerd containerd-daemon debian-base"
STEPS="${*:-$ALL_STEPS}"
for s in $STEPS; do
  case " $ALL_STEPS " in *" $s "*) ;; *) printf 'setup: unknown step %s (choose from: %s)\n' "$s" "$ALL_STEPS" >&2; exit 2 ;; esac
done
want() { case " $STEPS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# apt packages to install. Add more here (one word each).
APT_PACKAGES="docker.io containerd runc crun build-essential musl-tools hyperfine ca-certificates debootstrap chromium"

# Where a dockerd started by this script logs, and how long to wait for it.
DOCKERD_LOG="${WVC_DOCKERD_LOG:-/var/log/wvc-dockerd.log}"
DOCKERD_WAIT_SECONDS="${WVC_DOCKERD_WAIT:-60}"

export DEBIAN_FRONTEND=noninteractive

SUMMARY=()
note() { printf 'setup: %s\n' "$*" >&2; }
summary() { SUMMARY+=("$(printf '%-16s %s' "$1" "$2")"); }
die() {
  note "ERROR: $*"
  exit 1
}

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo -n)
  # -n never prompts; fall back to a prompting sudo only when a terminal is there.
  if ! sudo -n true 2>/dev/null; then
    if [ -t 0 ]; then SUDO=(sudo); else die "not root and sudo needs a password, but there is no terminal: run as root or configure passwordless sudo"; fi
  fi
else
  die "not root and sudo is not installed: run this script as root"
fi
as_root() { "${SUDO[@]}" "$@"; }

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script supports Debian and Ubuntu only"

# --- apt packages -----------------------------------------------------------

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

step_packages() {

wanted=()
for p in $APT_PACKAGES; do
  # An engine from another source (docker-ce, Docker's own packages) conflicts with docker.io: keep it.
  if [ "$p" = docker.io ] && ! is_installed docker.io && command -v docker >/dev/null 2>&1 && command -v dockerd >/dev/null 2>&1; then
    summary "docker engine" "ok (existing install at $(command -v dockerd), not docker.io)"
    continue
  fi
  wanted+=("$p")
done
# pip comes from Debian only when no pip answers for python3 (pyenv and venvs bring their own).
if ! python3 -m pip --version >/dev/null 2>&1; then wanted+=(python3-pip); fi

missing=()
for p in "${wanted[@]}"; do
  is_installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  note "installing: ${missing[*]}"
  as_root apt-get update
  as_root apt-get install -y --no-install-recommends "${missing[@]}"
else
  note "apt packages already installed"
fi
for p in "${wanted[@]}"; do
  if is_installed "$p"; then
    summary "$p" "ok ($(dpkg-query -W -f='${Version}' "$p"))"
  else
    summary "$p" "MISSING"
  fi
done

if printf 'int main(void){return 0;}\n' | cc -static -x c -o /tmp/wvc-setup-static-$$ - 2>/dev/null; then
  summary "cc -static" "ok ($(cc --version | head -n1))"
else
  summary "cc -static" "FAILED (need gcc and libc6-dev)"
fi
rm -f /tmp/wvc-setup-static-$$
}

# --- wasmtime (Python package, ships libwasmtime) ---------------------------

step_wasmtime() {
# No pip for python3 (and no packages step to bring it): Debian's python3-pip.
if ! python3 -m pip --version >/dev/null 2>&1; then
  is_installed python3-pip || { note "installing: python3-pip"; as_root apt-get update; as_root apt-get install -y --no-install-recommends python3 python3-pip; }
fi
if python3 -c 'import wasmtime' >/dev/null 2>&1; then
  note "python wasmtime already installed"
else
  pip_args=(install wasmtime)
  # Root installs system-wide; a user installs for itself, where the harness runs.
  [ "$(id -u)" -eq 0 ] || pip_args+=(--user)
  note "pip ${pip_args[*]}"
  pip_log="$(mktemp)"
  if ! python3 -m pip "${pip_args[@]}" 2>"$pip_log"; then
    if grep -q 'externally-managed-environment' "$pip_log"; then
      # PEP 668 (Debian 12+, Ubuntu 23.04+): no Debian package ships wasmtime, so override.
      note "externally managed Python: retrying with --break-system-packages"
      # A failure is the summary's MISSING line below: the daemon steps still run.
      python3 -m pip "${pip_args[@]}" --break-system-packages || note "pip install wasmtime failed (see above); the wasmtime-embed rows will be skipped"
    else
      cat "$pip_log" >&2
      note "pip install wasmtime failed; the wasmtime-embed rows will be skipped"
    fi
  fi
  rm -f "$pip_log"
fi
if v="$(python3 -c 'import wasmtime, importlib.metadata as m; print(m.version("wasmtime"))' 2>/dev/null)"; then
  summary "wasmtime (pip)" "ok ($v)"
else
  summary "wasmtime (pip)" "MISSING (python3 -m pip install wasmtime)"
fi
}

# --- Docker daemon ----------------------------------------------------------

daemon_up() { as_root docker info >/dev/null 2>&1; }

step_docker() {

if daemon_up; then
  note "docker daemon already running"
else
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    note "starting docker with systemctl"
    as_root systemctl start docker || note "systemctl start docker failed; starting dockerd directly"
  fi
  if ! daemon_up; then
    command -v dockerd >/dev/null 2>&1 || die "dockerd not found although docker.io is installed"
    note "starting dockerd in the background (log: $DOCKERD_LOG)"
    # setsid + nohup: the daemon outlives this script and its terminal.
    as_root sh -c 'mkdir -p "$(dirname "$1")"; nohup setsid dockerd >>"$1" 2>&1 </dev/null &' sh "$DOCKERD_LOG"
  fi
  waited=0
  until daemon_up; do
    if [ "$waited" -ge "$DOCKERD_WAIT_SECONDS" ]; then
      note "last lines of $DOCKERD_LOG:"
      as_root tail -n 30 "$DOCKERD_LOG" >&2 || true
      die "the Docker daemon did not answer 'docker info' within ${DOCKERD_WAIT_SECONDS}s (see $DOCKERD_LOG)"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  note "docker daemon up after ${waited}s"
fi
engine="$(as_root docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown)"
if docker info >/dev/null 2>&1; then
  summary "docker daemon" "ok (engine $engine)"
else
  summary "docker daemon" "running (engine $engine), but $(id -un) cannot reach it: sudo usermod -aG docker $(id -un), then log in again"
fi
}

# --- containerd ---------------------------------------------------------------
# The containerd target uses /run/containerd/containerd.sock when it answers, else the
# containerd dockerd runs for itself (/var/run/docker/containerd/containerd.sock).

ctr_up() { as_root ctr -a "$1" --connect-timeout 2s version >/dev/null 2>&1; }
step_containerd() {
if ctr_up /run/containerd/containerd.sock; then
  summary "containerd" "ok (/run/containerd/containerd.sock)"
elif ctr_up /var/run/docker/containerd/containerd.sock; then
  summary "containerd" "ok (dockerd's own, /var/run/docker/containerd/containerd.sock)"
else
  note "starting containerd in the background (log: /var/log/wvc-containerd.log)"
  as_root sh -c 'nohup setsid containerd >>/var/log/wvc-containerd.log 2>&1 </dev/null &'
  for _ in $(seq 1 30); do ctr_up /run/containerd/containerd.sock && break; sleep 1; done
  if ctr_up /run/containerd/containerd.sock; then summary "containerd" "ok (started, /run/containerd/containerd.sock)"; else summary "containerd" "FAILED (see /var/log/wvc-containerd.log)"; fi
fi
}

# --- the typical container base (Debian minbase, built locally: no registry) ---

step_debian_base() {
if as_root bash "$(dirname "$0")/make-debian-base.sh"; then
  summary "debian base" "ok ($(as_root docker image inspect -f '{{.Size}}' wvc/debian-bookworm-minbase:local) bytes)"
else
  summary "debian base" "FAILED (scripts/make-debian-base.sh; the debian image rows will be skipped)"
fi
}

want packages && step_packages
want pip-wasmtime && step_wasmtime
want dockerd && step_docker
want containerd-daemon && step_containerd
want debian-base && step_debian_base

printf '\nPrerequisites:\n'
printf '  %s\n' "${SUMMARY[@]}"
