#!/bin/sh
# Turns a debootstrap root filesystem into a container base image: the machine's own apt sources,
# no service starts during package installs, no recommends, no docs, empty caches.
# Usage: finish-rootfs.sh <rootfs> <sources.list content file>
set -eu
rootfs="$1"
cp "$2" "$rootfs/etc/apt/sources.list"

# Package maintainer scripts must not try to start services: there is no init in a container.
printf '#!/bin/sh\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
chmod 755 "$rootfs/usr/sbin/policy-rc.d"

cat > "$rootfs/etc/apt/apt.conf.d/90bulwark-container" <<'CONF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
CONF
cat > "$rootfs/etc/dpkg/dpkg.cfg.d/90bulwark-nodoc" <<'CONF'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CONF

rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/var/log/*.log "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
# The image's hostname and resolver are provided by the engine at run time.
: > "$rootfs/etc/hostname"
rm -f "$rootfs/etc/resolv.conf"
