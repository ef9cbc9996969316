#!/usr/bin/env bash
# Starts a private OpenSSH server on 127.0.0.1 for tests and benchmarks of
# the ssh transport (docs/devices.md). Reused by the transport tests, the CLI
# tests and the device benchmark.
#
#   start_sshd.sh DIR     start one; DIR is made if missing and must be
#                         private to the caller (a mktemp -d folder)
#   kill "$(cat DIR/sshd.pid)"; rm -rf DIR     stop it and clean up
#
# On success (exit 0) DIR holds:
#   DIR/port           the TCP port sshd listens on (127.0.0.1 only)
#   DIR/id_ed25519     a client private key that sshd accepts (no passphrase)
#   DIR/known_hosts    the server's host key for [127.0.0.1]:PORT
#   DIR/ssh_options    the words to put in OPSCOPE_SSH_OPTIONS:
#                        -o UserKnownHostsFile=DIR/known_hosts
#                        -o StrictHostKeyChecking=yes
#   DIR/sshd.pid       sshd's process id
#   DIR/sshd.log       sshd's own log (-e, LogLevel ERROR)
# and the script prints OPSCOPE_SSH_OPTIONS=... on its last line of stdout.
# The user is the caller's own (as root, root: the config permits root
# logins by key only). Exit 1 with a message on stderr when sshd or
# ssh-keygen is missing or the server does not come up in 10 seconds.
set -euo pipefail

dir="${1:?usage: start_sshd.sh DIR}"
sshd=/usr/sbin/sshd
for tool in "$sshd" ssh-keygen; do
  if ! command -v "$tool" >/dev/null; then
    echo "start_sshd.sh: $tool not found (apt-get install openssh-server openssh-client)" >&2
    exit 1
  fi
done
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
chmod 700 "$dir"

rm -f "$dir/host_ed25519" "$dir/host_ed25519.pub" "$dir/id_ed25519" "$dir/id_ed25519.pub"
ssh-keygen -q -t ed25519 -N '' -C opscope-test-host -f "$dir/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C opscope-test-client -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
chmod 600 "$dir/authorized_keys"

# A free port: ask the kernel for one (bind to port 0), then hand it to sshd.
# Another process could take it in between; then sshd fails to bind and the
# wait below reports it.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
  echo $((20000 + RANDOM % 20000)))"

cat >"$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
LogLevel ERROR
Subsystem sftp internal-sftp
EOF

# Privilege separation needs its empty folder when sshd starts as root.
if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd; fi
rm -f "$dir/sshd.pid"
# -D: stay in the foreground (we background it), -e: log to stderr.
"$sshd" -D -e -f "$dir/sshd_config" </dev/null >>"$dir/sshd.log" 2>&1 &
pid=$!
echo "$pid" >"$dir/sshd.pid"

up=0
for _ in $(seq 1 100); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start_sshd.sh: sshd exited at once:" >&2
    cat "$dir/sshd.log" >&2
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    up=1
    break
  fi
  sleep 0.1
done
if [ "$up" != 1 ]; then
  echo "start_sshd.sh: sshd did not listen on 127.0.0.1:$port within 10 s" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
fi
# sshd -D wrote its own pid file too; ours is the same process.
echo "$pid" >"$dir/sshd.pid"

echo "$port" >"$dir/port"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" >"$dir/known_hosts"
options="-o UserKnownHostsFile=$dir/known_hosts -o StrictHostKeyChecking=yes"
echo "$options" >"$dir/ssh_options"
echo "OPSCOPE_SSH_OPTIONS=$options"
