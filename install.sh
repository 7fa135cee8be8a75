#!/usr/bin/env bash
# Installs PittState Connect as a systemd service, or removes it (keeping the data).
#
#   ./install.sh                      build a release binary, install, create user and group, enable the unit
#   ./install.sh --root DIR           install the same layout under DIR, without users, chown or systemd (tests)
#   ./install.sh --binaries DIR       use prebuilt psc and psc-admin from DIR instead of building
#   ./install.sh --uninstall          remove the binaries and the unit; /var/lib/psc and /etc/psc are kept
#
# Idempotent: running it again upgrades the binaries and the unit and never overwrites /etc/psc/psc.toml or an
# existing key ring.
set -euo pipefail

root=""
binaries=""
uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --binaries) binaries="${2:?--binaries needs a directory}"; shift 2 ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
bin_dir="$root/usr/local/bin"
etc_dir="$root/etc/psc"
state_dir="$root/var/lib/psc"
unit_dir="$root/etc/systemd/system"
doc_dir="$root/usr/local/share/doc/psc"
system=1
[ -n "$root" ] && system=0

if [ "$system" = 1 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (or use --root DIR for a test install)" >&2
  exit 1
fi

if [ "$uninstall" = 1 ]; then
  if [ "$system" = 1 ] && command -v systemctl >/dev/null; then
    systemctl disable --now psc.service 2>/dev/null || true
  fi
  rm -f "$bin_dir/psc" "$bin_dir/psc-admin" "$unit_dir/psc.service"
  rm -rf "$doc_dir"
  [ "$system" = 1 ] && command -v systemctl >/dev/null && systemctl daemon-reload || true
  echo "removed psc; data kept in $state_dir and configuration in $etc_dir"
  exit 0
fi

if [ -z "$binaries" ]; then
  echo "building a release binary with the Swift standard library linked statically…"
  (cd "$here" && swift build -c release --static-swift-stdlib --product psc && swift build -c release --static-swift-stdlib --product psc-admin)
  binaries="$(cd "$here" && swift build -c release --show-bin-path)"
fi
for program in psc psc-admin; do
  [ -x "$binaries/$program" ] || { echo "install.sh: $binaries/$program is missing" >&2; exit 1; }
done

if [ "$system" = 1 ]; then
  getent group psc >/dev/null || groupadd --system psc
  getent group psc-admin >/dev/null || groupadd --system psc-admin
  getent passwd psc >/dev/null || useradd --system --gid psc --groups psc-admin --home-dir /var/lib/psc \
    --no-create-home --shell /usr/sbin/nologin --comment "PittState Connect" psc
  id -nG psc | grep -qw psc-admin || usermod --append --groups psc-admin psc
fi

install -d -m 0755 "$bin_dir" "$unit_dir" "$doc_dir"
install -d -m 0750 "$etc_dir" "$state_dir"
install -m 0755 "$binaries/psc" "$bin_dir/psc"
install -m 0755 "$binaries/psc-admin" "$bin_dir/psc-admin"
install -m 0644 "$here/systemd/psc.service" "$unit_dir/psc.service"
install -m 0644 "$here/README.md" "$doc_dir/README.md"

config="$etc_dir/psc.toml"
if [ ! -e "$config" ]; then
  umask 027
  cat > "$config" <<'TOML'
# PittState Connect configuration (keys and defaults: spec 00-conventions §13).
# Every key can also be set as PSC_<KEY> in the environment (dots become underscores).
environment = "production"
data_dir = "/var/lib/psc"

[http]
host = "127.0.0.1"
port = 8080
# The origin people use; required in production. Set it, then: systemctl start psc
# public_origin = "https://connect.pittstate.edu"
# HTTPS: a reverse proxy on this host terminates TLS (the default here) ...
trusted_proxies = "127.0.0.1/32, ::1/128"
# ... or psc serves it itself (PEM, full chain; HTTP/2 and HTTP/1.1), with plain HTTP redirected and certbot's
# webroot challenges served from acme_webroot. Ports below 1024 need the firewall to forward 443 and 80 to these.
# tls_certificate_file = "/etc/letsencrypt/live/connect.pittstate.edu/fullchain.pem"
# tls_key_file = "/etc/letsencrypt/live/connect.pittstate.edu/privkey.pem"
# redirect_port = 8081
# acme_webroot = "/var/lib/psc/acme"

[admin]
socket = "/run/psc/admin.sock"

[security]
keyring_file = "/var/lib/psc/keyring.json"

[mail]
transport = "smtp"
# The campus relay; required in production (STARTTLS is required unless the relay is on this host).
# smtp_host = "smtp.pittstate.edu"
TOML
  chmod 0640 "$config"
  echo "wrote $config (edit it before starting the service)"
else
  echo "kept the existing $config"
fi

keyring="$state_dir/keyring.json"
if [ ! -e "$keyring" ]; then
  umask 077
  key="$(head -c 32 /dev/urandom | base64 -w0)"
  hash_key="$(head -c 32 /dev/urandom | base64 -w0)"
  printf '{"active":"k1","keys":{"k1":"%s"},"hash_key":"%s"}\n' "$key" "$hash_key" > "$keyring"
  chmod 0600 "$keyring"
  echo "generated the encryption key ring $keyring (back it up apart from the database)"
fi

if [ "$system" = 1 ]; then
  chown root:psc "$etc_dir" "$config"
  chown psc:psc "$state_dir" "$keyring"
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable psc.service
    echo "enabled psc.service; start it with: systemctl start psc"
  else
    echo "systemd is not running here; the unit is installed at $unit_dir/psc.service"
  fi
fi
echo "certificate renewal without downtime (psc serving TLS itself): certbot certonly --webroot -w /var/lib/psc/acme \\"
echo "  -d connect.pittstate.edu --deploy-hook 'systemctl reload psc'   (the reload is: psc-admin tls reload)"
echo "installed psc $("$bin_dir/psc" version 2>/dev/null || echo '(version unknown)') under ${root:-/}"
