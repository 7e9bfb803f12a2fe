#!/usr/bin/env bash
# On the web host: shares the task directory read-only with the runner hosts over NFS v4.
#
# usage: export-tasks.sh TASK_DIR RUNNER_HOST...
#   TASK_DIR     INLOOP_TASK_DIR of `inloop serve`, e.g. /srv/inloop/tasks
#   RUNNER_HOST  a runner host's name or address (or a network such as 10.0.3.0/24), as many
#                as there are; run the script again with the whole list to change it
# Idempotent: it rewrites /etc/exports.d/inloop.exports and re-exports.
set -euo pipefail

die() { echo "export-tasks.sh: $*" >&2; exit 2; }

if [ $# -lt 2 ]; then
  die "usage: export-tasks.sh TASK_DIR RUNNER_HOST..."
fi
[ "$(id -u)" -eq 0 ] || die "run it as root"
task_dir=$(realpath -e "$1") || die "$1 does not exist"
shift
# `inloop serve` writes the marker at its start; runner hosts take jobs only while they see it.
[ -f "$task_dir/.inloop-task-dir" ] ||
  die "$task_dir has no .inloop-task-dir: is it INLOOP_TASK_DIR? Start inloop serve once first."

# Runner hosts read as an unprivileged user (root is squashed), so everything must be readable.
unreadable=$(find "$task_dir" ! -perm -o=r -print -quit)
[ -z "$unreadable" ] ||
  die "$unreadable is not readable by others; the web server's umask must be 022 (systemd: UMask=0022)"

if ! command -v exportfs >/dev/null; then
  apt-get install -y --no-install-recommends nfs-kernel-server
fi

# Read-only, root squashed, synchronous: runner hosts never write, and never as root.
line=$task_dir
for host in "$@"; do
  [[ $host =~ ^[A-Za-z0-9.:/_-]+$ ]] || die "'$host' is not a host name, address or network"
  line+=" $host(ro,sync,root_squash,no_subtree_check,sec=sys)"
done
mkdir -p /etc/exports.d
{
  echo "# Written by nfs-setup/web-host/export-tasks.sh: INLOOP's task directory for runner hosts."
  echo "$line"
} >/etc/exports.d/inloop.exports

systemctl enable --now nfs-server >/dev/null
exportfs -ra
exportfs -v | grep -F -- "$task_dir" >/dev/null || die "the export did not take; see exportfs -v"

echo "exported $task_dir read-only to: $*"
echo "open TCP port 2049 to those hosts only; then run runner-host/mount-tasks.sh on each of them"
