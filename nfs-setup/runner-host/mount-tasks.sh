#!/usr/bin/env bash
# On a runner host: mounts the web host's task directory read-only where `inloop runner` looks
# for it, now and at every boot, with options that let new task revisions show up within
# seconds.
#
# usage: mount-tasks.sh WEB_HOST:TASK_DIR [MOUNT_POINT]
#   WEB_HOST:TASK_DIR  what export-tasks.sh exported, e.g. web.example.org:/srv/inloop/tasks
#   MOUNT_POINT        where it appears here, default /srv/inloop/tasks (INLOOP_TASK_DIR)
# Idempotent: it replaces its own /etc/fstab line.
set -euo pipefail

die() { echo "mount-tasks.sh: $*" >&2; exit 2; }

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  die "usage: mount-tasks.sh WEB_HOST:TASK_DIR [MOUNT_POINT]"
fi
[ "$(id -u)" -eq 0 ] || die "run it as root"
share=$1
mount_point=${2:-/srv/inloop/tasks}
[[ $share =~ ^[A-Za-z0-9.:_\[\]-]+:/[A-Za-z0-9./_-]*$ ]] || die "'$share' is not HOST:/PATH"
[[ $mount_point =~ ^/[A-Za-z0-9./_-]+$ ]] || die "'$mount_point' is not an absolute path"

if ! command -v mount.nfs4 >/dev/null; then
  apt-get install -y --no-install-recommends nfs-common
fi

# ro: runner hosts never write there. hard: a web host reboot pauses reads instead of failing
# them. lookupcache=positive and actimeo=3: a newly published revision (a new directory and the
# `current` link switched to it) is seen within seconds, not after the default minute.
options="ro,nfsvers=4.2,hard,noatime,nosuid,nodev,lookupcache=positive,actimeo=3,_netdev"

mkdir -p "$mount_point"
# The mount point itself must not look like the share: without the mount it is empty.
[ ! -e "$mount_point/.inloop-task-dir" ] || mountpoint -q "$mount_point" ||
  die "$mount_point already holds a task directory of its own; choose an empty mount point"

# Our entry is the line after our tag; an earlier run's pair is replaced.
tag="# inloop task directory (nfs-setup/runner-host/mount-tasks.sh)"
tmp=$(mktemp)
awk -v tag="$tag" '$0 == tag { skip = 1; next } skip { skip = 0; next } { print }' /etc/fstab >"$tmp"
printf '%s\n%s\n' "$tag" "$share $mount_point nfs4 $options 0 0" >>"$tmp"
cat "$tmp" >/etc/fstab
rm -f "$tmp"
systemctl daemon-reload

if mountpoint -q "$mount_point"; then
  umount "$mount_point"
fi
mount "$mount_point"
[ -f "$mount_point/.inloop-task-dir" ] ||
  die "mounted, but $mount_point/.inloop-task-dir is missing: is $share the web host's INLOOP_TASK_DIR?"

echo "mounted $share at $mount_point (read-only)"
echo "for inloop runner: INLOOP_TASK_DIR=$mount_point INLOOP_WATCH_POLL_SECONDS=5"
