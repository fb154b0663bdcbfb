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

# _ps_os_release_file VAR: VAR set to the os-release file to read; fails
# when there is none.
_ps_os_release_file() {
    local _ps_f
    for _ps_f in "${PLUGSTACK_OS_RELEASE:-}" /etc/os-release /usr/lib/os-release; do
        if [[ -n $_ps_f && -r $_ps_f ]]; then
            printf -v "$1" '%s' "$_ps_f"
            return 0
        fi
    done
    return 1
}

# _ps_os_release_read FILE: sets id, like, name, version, version_id and
# codename (locals of the caller) to ID, ID_LIKE, NAME, VERSION, VERSION_ID
# and VERSION_CODENAME of FILE: the last NAME=value line of each (NAME in
# capitals and _), trailing blanks dropped, one pair of enclosing double or
# single quotes dropped, \" read as ". Read by bash itself: no process.
_ps_os_release_read() {
    local line key val
    while IFS= read -r line || [[ -n $line ]]; do
        [[ $line =~ ^[ABCDEFGHIJKLMNOPQRSTUVWXYZ_]+= ]] || continue
        key=${line%%=*} val=${line#*=}
        val=${val%"${val##*[!$' \t']}"}
        if [[ $val == \"*\" || $val == \'*\' ]]; then
            val=${val:1:${#val}-2}
        fi
        val=${val//\\\"/\"}
        case $key in
            ID) id=$val ;;
            ID_LIKE) like=$val ;;
            NAME) name=$val ;;
            VERSION) version=$val ;;
            VERSION_ID) version_id=$val ;;
            VERSION_CODENAME) codename=$val ;;
        esac
    done <"$1"
}

# GetOSVersion: sets and exports os_VENDOR, os_RELEASE, os_CODENAME,
# os_PACKAGE (see the top of this file).
function GetOSVersion {
    local file="" id="" like="" name="" version="" version_id="" codename=""
    if ! _ps_os_release_file file; then
        die "cannot detect the distribution: no readable os-release (looked at ${PLUGSTACK_OS_RELEASE:+$PLUGSTACK_OS_RELEASE, }/etc/os-release and /usr/lib/os-release)"
    fi
    _ps_os_release_read "$file"
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

# _ps_distro_name VAR: VAR set to the DISTRO name for the os_* values;
# fails when the distribution is not one DevStack names, after setting VAR
# to plugstack's fallback name for it.
_ps_distro_name() {
    local d rc=0
    case $os_VENDOR in
        Debian | Ubuntu | LinuxMint) d=$os_CODENAME ;;
        Fedora) d=f$os_RELEASE ;;
        openSUSE)
            if [[ $os_CODENAME == "n/a" && $os_RELEASE != *.* ]]; then
                d=opensuse-tumbleweed
            else
                d=opensuse-$os_RELEASE
            fi
            ;;
        SUSE) d=sle${os_RELEASE%%.*} ;;
        *RedHat* | Red*Hat* | CentOS* | Rocky* | AlmaLinux | OracleServer | Scientific* | Virtuozzo)
            d=rhel${os_RELEASE%%.*}
            ;;
        *)
            d=${_ps_distro_fallback:-unknown}
            rc=1
            ;;
    esac
    printf -v "$1" '%s' "$d"
    return $rc
}

# GetDistro: sets and exports DISTRO (see the top of this file); dies on a
# distribution DevStack cannot name.
function GetDistro {
    GetOSVersion
    if ! _ps_distro_name DISTRO; then
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
    _ps_fact_machine
    [[ $_PS_FACT_MACHINE == "${1:-}" ]]
}

# _ps_is_suse_family: SUSE detection for the package installer only.
_ps_is_suse_family() {
    [[ -n ${os_VENDOR:-} ]] || GetOSVersion
    [[ $os_VENDOR == openSUSE || $os_VENDOR == SUSE ]]
}
