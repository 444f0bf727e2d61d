#!/usr/bin/env bash
# Make sure the Debian packages a target needs are installed: fast when they already are.
# Usage: tools/system_deps.sh postgresql chromium gettext
set -euo pipefail

# How to tell each package is present: a command on the PATH or a file.
present() {
    case "$1" in
        postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ;;
        chromium) command -v chromium >/dev/null 2>&1 ;;
        gettext) command -v msgfmt >/dev/null 2>&1 ;;
        samba-ad-dc) dpkg -s samba-ad-dc >/dev/null 2>&1 && command -v samba-tool >/dev/null 2>&1 ;;
        samba-ad-provision) [ -d /usr/share/samba/setup ] ;;
        krb5-user) command -v kinit >/dev/null 2>&1 ;;
        ldb-tools) command -v ldbmodify >/dev/null 2>&1 ;;
        openssl) command -v openssl >/dev/null 2>&1 ;;
        openjdk-17-jre-headless) command -v java >/dev/null 2>&1 ;;
        *) dpkg -s "$1" >/dev/null 2>&1 ;;
    esac
}

missing=()
for package in "$@"; do
    present "$package" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "error: missing Debian packages: ${missing[*]}" >&2
    echo "       install them as root: apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
