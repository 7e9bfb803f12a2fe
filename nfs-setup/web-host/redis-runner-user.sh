#!/usr/bin/env bash
# On the web host: creates (or updates) the Redis user that runner hosts log in as. It may use
# only the keys and channels of grading under the key prefix (jobs, results, progress, the
# events and tasks-changed channels) and only the commands a runner host sends, so a runner
# host can neither read sessions nor touch anything else the web server keeps in Redis. Needs
# Redis 7 (ACL selectors).
#
# usage: redis-runner-user.sh ADMIN_REDIS_URL USER [PREFIX] < password
#   ADMIN_REDIS_URL  a URL redis-cli can use to change users, e.g. redis://default:…@127.0.0.1:6379
#   USER             the runner hosts' user name, e.g. runner
#   PREFIX           INLOOP_REDIS_PREFIX, default inloop
# The password is read from standard input. Runner hosts then use
#   INLOOP_REDIS_URL=redis://USER:PASSWORD@web-host:6379
set -euo pipefail

die() { echo "redis-runner-user.sh: $*" >&2; exit 2; }

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  die "usage: redis-runner-user.sh ADMIN_REDIS_URL USER [PREFIX] < password"
fi
admin_url=$1
user=$2
prefix=${3:-inloop}
[[ $user =~ ^[A-Za-z0-9_-]+$ ]] || die "user names are letters, digits, - and _"
[[ $prefix =~ ^[A-Za-z0-9_:-]+$ ]] || die "the prefix is letters, digits, -, _ and :"
command -v redis-cli >/dev/null || die "redis-cli is missing (apt-get install redis-tools)"

IFS= read -r password || true
[ ${#password} -ge 16 ] || die "give a password of at least 16 characters on standard input"
# Redis keeps (and this script prints) only the password's SHA-256, never the password.
hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)

# Jobs are read, claimed and removed, never added (only the web server sends jobs; a slot on a
# re-test job looks at the ones nobody took yet, to make way for a student's); results are
# only added (a selector of their own), never read or removed, so a runner host can neither
# read another host's results nor drop them.
rules=(
  reset on "#$hash"
  "~$prefix:jobs" "~$prefix:progress:*"
  resetchannels "&$prefix:events" "&$prefix:tasks"
  -@all
  +ping +hello +auth "+client|setname"
  +xreadgroup +xack +xdel +xclaim "+xgroup|create" "+xinfo|groups" +xrange
  +rpush +expire +del +publish +subscribe +unsubscribe
  "(~$prefix:results +xadd)"
)
# Clients announce their library since Redis 7.2; older servers do not know the command.
if [ -n "$(redis-cli -u "$admin_url" --no-auth-warning --raw COMMAND INFO 'client|setinfo')" ]; then
  rules+=("+client|setinfo")
fi

answer=$(redis-cli -u "$admin_url" --no-auth-warning ACL SETUSER "$user" "${rules[@]}")
[ "$answer" = OK ] || die "Redis refused the user: $answer"

# With an ACL file, Redis keeps the user across restarts; otherwise redis.conf has to.
if saved=$(redis-cli -u "$admin_url" --no-auth-warning ACL SAVE 2>&1) && [ "$saved" = OK ]; then
  echo "created Redis user $user and saved it to Redis's ACL file"
else
  echo "created Redis user $user; to keep it across restarts, add this line to redis.conf:"
  echo "user $user ${rules[*]}"
fi
