#!/usr/bin/env bash
# Installs the Debian packages the studio needs, and only those missing: a second run
# installs nothing and says so.
set -euo pipefail
packages=(
    espeak-ng libespeak-ng1 libsndfile1
    festival flite festvox-us-slt-hts festvox-kallpc16k festvox-kdlpc16k
    libdlib-data
    chromium
    # alsa-utils ships a real person's recordings (/usr/share/sounds/alsa): real speech the evaluations use.
    alsa-utils
)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "system packages: all present (${packages[*]})"
    exit 0
fi
echo "system packages: installing ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
export DEBIAN_FRONTEND=noninteractive
# Another apt or dpkg (unattended upgrades on a fresh machine) may hold the lock: wait for it.
lock_wait=(-o DPkg::Lock::Timeout=600)
$sudo_cmd apt-get "${lock_wait[@]}" update -qq
$sudo_cmd apt-get "${lock_wait[@]}" install -y -qq --no-install-recommends "${missing[@]}"
