#!/bin/bash
# plugstack library: distro functions.
#
# GetOSVersion reads os-release ($PLUGSTACK_OS_RELEASE, else /etc/os-release,
# else /usr/lib/os-release) without sourcing it, and sets what DevStack's
# lsb_release-based detection sets:
#   os_VENDOR    Debian, Ubuntu, LinuxMint, Fedora, CentOSStream,
#                RedHatEnterpriseLinux, RockyLinux, AlmaLinux, OracleServer,
#                openSUSE, SUSE, ... (the NAME without blanks otherwise)
#   os_RELEASE   VERSION_ID (12, 22.04, 40, 9, 9.4)
#   os_CODENAME  VERSION_CODENAME (bookworm, jammy), the word in brackets of
#                VERSION on RHEL-family systems, else "n/a"
#   os_PACKAGE   deb or rpm
# GetDistro then sets DISTRO: the codename on Debian/Ubuntu (bookworm,
# jammy, noble), f<release> on Fedora (f40), rhel<major> on RHEL, CentOS,
# Rocky, Alma, Oracle (rhel9), opensuse-<release>, sle<major>.
# Sourcing this file only defines functions.

# _ps_os_release_file: the os-release file to read.
_ps_os_release_file() {
    local f
    for f in "${PLUGSTACK_OS_RELEASE:-}" /etc/os-release /usr/lib/os-release; do
        if [[ -n $f && -r $f ]]; then
            echo "$f"
            return 0
        fi
    done
    return 1
}

# _ps_os_release_read FILE: prints ID, ID_LIKE, NAME, VERSION, VERSION_ID
# and VERSION_CODENAME, one value per line, unquoted.
_ps_os_release_read() {
    LC_ALL=C awk -F= '
        /^[A-Z_]+=/ {
            key = $1; val = substr($0, length(key) + 2)
            sub(/[ \t]+$/, "", val)
            if (val ~ /^".*"$/ || val ~ /^\047.*\047$/) val = substr(val, 2, length(val) - 2)
            gsub(/\\"/, "\"", val)
            v[key] = val
        }
        END {
            print v["ID"]; print v["ID_LIKE"]; print v["NAME"]
            print v["VERSION"]; print v["VERSION_ID"]; print v["VERSION_CODENAME"]
        }' "$1"
}

# GetOSVersion: sets and exports os_VENDOR, os_RELEASE, os_CODENAME,
# os_PACKAGE (see the top of this file).
function GetOSVersion {
    local file id like name version version_id codename
    if ! file=$(_ps_os_release_file); then
        die "cannot detect the distribution: no readable os-release (looked at ${PLUGSTACK_OS_RELEASE:+$PLUGSTACK_OS_RELEASE, }/etc/os-release and /usr/lib/os-release)"
    fi
    {
        IFS= read -r id
        IFS= read -r like
        IFS= read -r name
        IFS= read -r version
        IFS= read -r version_id
        IFS= read -r codename
    } < <(_ps_os_release_read "$file")
    id=${id,,}
    case $id in
        debian) os_VENDOR=Debian ;;
        ubuntu) os_VENDOR=Ubuntu ;;
        linuxmint) os_VENDOR=LinuxMint ;;
        fedora) os_VENDOR=Fedora ;;
        centos)
            local major=${version_id%%.*}
            if [[ $name == *Stream* || ($major =~ ^[0-9]+$ && $major -ge 9) ]]; then
                os_VENDOR=CentOSStream
            else
                os_VENDOR=CentOS
            fi
            ;;
        rhel) os_VENDOR=RedHatEnterpriseLinux ;;
        rocky) os_VENDOR=RockyLinux ;;
        almalinux) os_VENDOR=AlmaLinux ;;
        ol) os_VENDOR=OracleServer ;;
        virtuozzo) os_VENDOR=Virtuozzo ;;
        opensuse*) os_VENDOR=openSUSE ;;
        sles | sled | sle*) os_VENDOR=SUSE ;;
        *) os_VENDOR=${name//[[:space:]]/} ;;
    esac
    [[ -n $os_VENDOR ]] || os_VENDOR=${id:-unknown}
    os_RELEASE=${version_id:-n/a}
    # what DISTRO falls back to where DevStack names no distro: ID-VERSION_ID
    # (alpine-3.20.3, gentoo-2.15), or ID alone (arch), as packages/distro.ts does
    _ps_distro_fallback=${id// /_}${version_id:+-$version_id}
    if [[ -n $codename ]]; then
        os_CODENAME=$codename
    elif [[ $version =~ \(([^\)]+)\) ]]; then
        os_CODENAME=${BASH_REMATCH[1]}
        # Debian-style "12 (bookworm)": the codename is the lowercase word
        [[ $os_VENDOR != Debian && $os_VENDOR != Ubuntu ]] || os_CODENAME=${os_CODENAME,,}
    else
        os_CODENAME="n/a"
    fi
    if [[ $os_VENDOR =~ ^(Debian|Ubuntu|LinuxMint)$ || " ${like,,} " == *" debian "* || " ${like,,} " == *" ubuntu "* ]]; then
        os_PACKAGE=deb
    else
        os_PACKAGE=rpm
    fi
    export os_VENDOR os_RELEASE os_PACKAGE os_CODENAME
}

# _ps_distro_name: prints the DISTRO name for the os_* values; fails when
# the distribution is not one DevStack names, after printing plugstack's
# fallback name for it.
_ps_distro_name() {
    case $os_VENDOR in
        Debian | Ubuntu | LinuxMint) echo "$os_CODENAME" ;;
        Fedora) echo "f$os_RELEASE" ;;
        openSUSE)
            if [[ $os_CODENAME == "n/a" && $os_RELEASE != *.* ]]; then
                echo "opensuse-tumbleweed"
            else
                echo "opensuse-$os_RELEASE"
            fi
            ;;
        SUSE) echo "sle${os_RELEASE%%.*}" ;;
        *RedHat* | Red*Hat* | CentOS* | Rocky* | AlmaLinux | OracleServer | Scientific* | Virtuozzo)
            echo "rhel${os_RELEASE%%.*}"
            ;;
        *)
            echo "${_ps_distro_fallback:-unknown}"
            return 1
            ;;
    esac
}

# GetDistro: sets and exports DISTRO (see the top of this file); dies on a
# distribution DevStack cannot name.
function GetDistro {
    GetOSVersion
    if ! DISTRO=$(_ps_distro_name); then
        die "Unable to determine DISTRO for $os_VENDOR $os_RELEASE, can not continue."
    fi
    export DISTRO
}

# is_ubuntu: Debian, Ubuntu and their derivatives (deb packages).
function is_ubuntu {
    [[ -n ${os_PACKAGE:-} ]] || GetOSVersion
    [[ $os_PACKAGE == deb ]]
}

# is_fedora: Fedora and the RHEL family (RHEL, CentOS, Rocky, Alma, Oracle).
function is_fedora {
    [[ -n ${os_VENDOR:-} ]] || GetOSVersion
    case $os_VENDOR in
        Fedora | "Red Hat" | RedHatEnterpriseServer | RedHatEnterprise | RedHatEnterpriseLinux) return 0 ;;
        CentOS | CentOSStream | Rocky | RockyLinux | AlmaLinux | OracleServer | Virtuozzo) return 0 ;;
    esac
    return 1
}

# is_suse: DevStack no longer supports SUSE; plugins still ask. Always false.
function is_suse {
    return 1
}

# is_oraclelinux: Oracle Linux.
function is_oraclelinux {
    [[ -n ${os_VENDOR:-} ]] || GetOSVersion
    [[ $os_VENDOR == OracleServer ]]
}

# is_arch ARCH: true when the machine architecture (uname -m) is ARCH.
function is_arch {
    [[ "$(uname -m)" == "${1:-}" ]]
}

# _ps_is_suse_family: SUSE detection for the package installer only.
_ps_is_suse_family() {
    [[ -n ${os_VENDOR:-} ]] || GetOSVersion
    [[ $os_VENDOR == openSUSE || $os_VENDOR == SUSE ]]
}
