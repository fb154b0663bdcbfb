#!/bin/bash
# plugstack library: stackrc defaults.
#
# DevStack's stackrc sets defaults before it sources localrc (what a localrc
# may extend: ENABLED_SERVICES, ...) and after (the rest). Here they are two
# functions, so the stack shell can run the first before localrc and the
# second after it (the DevStack-layout `stackrc` entry file runs both):
#   _ps_stackrc_early     the pre-localrc defaults
#   _ps_stackrc_defaults  all defaults (calls _ps_stackrc_early first)
# Every default is applied only when the variable is empty (true/false
# settings are normalized with trueorfalse), so localrc and the
# environment win and running them again changes nothing.
# Sourcing this file only defines functions.

# _ps_ip4_int VAR A.B.C.D: VAR set to the address as an integer (no subshell).
_ps_ip4_int() {
    local IFS=. a b c d
    read -r a b c d <<<"$2"
    printf -v "$1" '%d' $(((a << 24) + (b << 16) + (c << 8) + d))
}

# _ps_ip4_in_net IP CIDR: true when IP is inside CIDR.
_ps_ip4_in_net() {
    local ip=$1 net=${2%/*} bits=${2#*/} mask ip_int net_int
    [[ $ip =~ ^[0-9]+(\.[0-9]+){3}$ && $net =~ ^[0-9]+(\.[0-9]+){3}$ && $bits =~ ^[0-9]+$ ]] || return 1
    mask=$(((0xffffffff << (32 - bits)) & 0xffffffff))
    _ps_ip4_int ip_int "$ip"
    _ps_ip4_int net_int "$net"
    [[ $((ip_int & mask)) -eq $((net_int & mask)) ]]
}

# _ps_host_ip_candidates inet|inet6 IFACE: _PS_IP_CANDIDATES set to the
# addresses of IFACE (empty: the interface of the first default route), in
# `ip`'s order, without temporary and link-local ones; empty when there is
# none. `ip`'s output is read by bash itself: one process per `ip`, no awk,
# and no subshell around the call.
_ps_host_ip_candidates() {
    local af=$1 iface=$2 ip line i
    local -a f
    _PS_IP_CANDIDATES=()
    command -v ip >/dev/null 2>&1 || return 0
    if [[ -z $iface ]]; then
        # the device of the first default route
        while read -ra f; do
            [[ ${f[0]:-} == default ]] || continue
            for ((i = 1; i < ${#f[@]} - 1; i++)); do
                if [[ ${f[i]} == dev ]]; then
                    iface=${f[i + 1]}
                    break 2
                fi
            done
        done < <(ip -f "$af" route 2>/dev/null)
    fi
    [[ -n $iface ]] || return 0
    while IFS= read -r line; do
        [[ $line == *temporary* || $line == *"scope link"* ]] && continue
        read -ra f <<<"$line"
        [[ ${f[0]:-} == inet* ]] || continue
        ip=${f[1]:-}
        ip=${ip%%/*}
        [[ -z $ip ]] || _PS_IP_CANDIDATES+=("$ip")
    done < <(LC_ALL=C ip -f "$af" addr show dev "$iface" 2>/dev/null)
    return 0
}

# _ps_detect_host_ip VAR inet|inet6: VAR set to the first address of the
# interface of the default route (HOST_IP_IFACE if set), skipping temporary
# and link-local addresses and, for IPv4, addresses inside FIXED_RANGE or
# FLOATING_RANGE; empty when there is none. The addresses are the host
# probe's when stackrc took its answers (_ps_take_host_probe), else `ip`'s.
_ps_detect_host_ip() {
    local af=$2 ip
    local -a _PS_IP_CANDIDATES
    printf -v "$1" '%s' ""
    if [[ -n ${_PS_PROBE_TAKEN:-} ]]; then
        if [[ $af == inet ]]; then
            _PS_IP_CANDIDATES=("${_PS_PROBE_INET[@]}")
        else
            _PS_IP_CANDIDATES=("${_PS_PROBE_INET6[@]}")
        fi
    else
        _ps_host_ip_candidates "$af" "${HOST_IP_IFACE:-}"
    fi
    for ip in "${_PS_IP_CANDIDATES[@]}"; do
        if [[ $af == inet ]]; then
            _ps_ip4_in_net "$ip" "${FIXED_RANGE:-}" && continue
            _ps_ip4_in_net "$ip" "${FLOATING_RANGE:-}" && continue
        fi
        printf -v "$1" '%s' "$ip"
        return 0
    done
    return 0
}

# The host probe: stackrc's questions to the host that each take a process
# (the machine type, the processor count, the short host name, the user's
# group, and the addresses HOST_IP and HOST_IPV6 come from), asked all at
# once by a bash plugstack starts with itself, so that they are answered
# while plugstack prepares the run (src/stack/host-probe.ts). The run
# script holds the answers (_ps_host_probe's output); they count while what
# they depend on (_ps_host_probe_key) is what it was for the probe (localrc
# left it alone); else stackrc asks the host itself, as without a probe.

# _ps_host_probe_key: _PS_HOST_PROBE_KEY set to the inputs of the answers:
# PATH (and the directory, when PATH has a relative entry), HOST_IP_IFACE,
# OMP_NUM_THREADS and OMP_THREAD_LIMIT.
_ps_host_probe_key() {
    local here=""
    [[ :${PATH-}: != *:[!/]* ]] || here=$PWD
    printf -v _PS_HOST_PROBE_KEY '%q ' "${PATH-}" "$here" "${HOST_IP_IFACE-}" "${OMP_NUM_THREADS-}" "${OMP_THREAD_LIMIT-}"
}

# _ps_host_probe: the answers on stdout, as assignments for bash: first the
# key they hold for, last _PS_PROBED=1. Run by plugstack in a bash of its
# own with only this file loaded.
_ps_host_probe() {
    local machine hostname nproc user group="" af ip
    local -a _PS_IP_CANDIDATES
    _ps_host_probe_key
    printf '_PS_PROBE_AT=%q\n' "$_PS_HOST_PROBE_KEY"
    machine=$(uname -m) || true
    hostname=$(hostname -s 2>/dev/null || uname -n) || true
    nproc=$(nproc 2>/dev/null || echo 1)
    user=$(id -un 2>/dev/null) || true
    [[ -z $user ]] || group=$(id -gn "$user" 2>/dev/null) || true
    printf '_PS_PROBE_MACHINE=%q _PS_PROBE_HOSTNAME=%q _PS_PROBE_NPROC=%q _PS_PROBE_USER=%q _PS_PROBE_GROUP=%q\n' \
        "$machine" "$hostname" "$nproc" "$user" "$group"
    for af in inet inet6; do
        _ps_host_ip_candidates "$af" "${HOST_IP_IFACE:-}"
        printf '_PS_PROBE_%s=(' "${af/inet/INET}"
        for ip in "${_PS_IP_CANDIDATES[@]}"; do
            printf ' %q' "$ip"
        done
        printf ' )\n'
    done
    printf '_PS_PROBED=1\n'
}

# _ps_take_host_probe: the probe's answers (set by the run script), when
# their key still holds, taken as the facts (_PS_FACT_*) and, for the rest
# of stackrc, _PS_PROBE_TAKEN with _PS_PROBE_NPROC and the addresses
# (_ps_stackrc_defaults drops them when done).
_ps_take_host_probe() {
    unset _PS_PROBE_TAKEN
    [[ -n ${_PS_PROBED:-} ]] || return 0
    unset _PS_PROBED
    _ps_host_probe_key
    if [[ ${_PS_PROBE_AT-} != "$_PS_HOST_PROBE_KEY" ]]; then
        _ps_drop_host_probe
        return 0
    fi
    _PS_PROBE_TAKEN=1
    [[ -n ${_PS_FACT_MACHINE:-} ]] || _PS_FACT_MACHINE=${_PS_PROBE_MACHINE-}
    [[ -n ${_PS_FACT_HOSTNAME:-} ]] || _PS_FACT_HOSTNAME=${_PS_PROBE_HOSTNAME-}
    if [[ -n ${_PS_PROBE_USER-} && -n ${_PS_PROBE_GROUP-} && -z ${_PS_FACT_GROUP[x$_PS_PROBE_USER]:-} ]]; then
        _PS_FACT_GROUP[x$_PS_PROBE_USER]=$_PS_PROBE_GROUP
    fi
    return 0
}

# _ps_drop_host_probe: the probe's answers forgotten (later questions go to
# the host).
_ps_drop_host_probe() {
    unset _PS_PROBED _PS_PROBE_TAKEN _PS_PROBE_AT _PS_PROBE_MACHINE _PS_PROBE_HOSTNAME _PS_PROBE_NPROC _PS_PROBE_USER \
        _PS_PROBE_GROUP _PS_PROBE_INET _PS_PROBE_INET6 _PS_HOST_PROBE_KEY
}

# _ps_stackrc_early: what DevStack sets before sourcing localrc.
_ps_stackrc_early() {
    DEST=${DEST:-/opt/stack}
    # a login sets USER; a container's shell often does not, and plugins
    # read it (e.g. `sudo chown $USER $CONF_DIR`); one `id -un` for both
    if [[ -z ${STACK_USER:-} || -z ${USER:-} ]]; then
        _ps_fact_user
        local me=$_PS_FACT_USER
        STACK_USER=${STACK_USER:-$me}
        if [[ -z ${USER:-} ]]; then
            USER=$me
            export USER
        fi
    fi
    REGION_NAME=${REGION_NAME:-RegionOne}
    # set before localrc, as in DevStack's stackrc: a second region's localrc
    # sets REGION_NAME and keeps keystone's region (KEYSTONE_REGION_NAME)
    KEYSTONE_REGION_NAME=${KEYSTONE_REGION_NAME:-$REGION_NAME}
    TARGET_BRANCH=${TARGET_BRANCH:-master}
    # trailing projects branch later; branchless ones never do
    TRAILING_TARGET_BRANCH=${TRAILING_TARGET_BRANCH:-master}
    BRANCHLESS_TARGET_BRANCH=${BRANCHLESS_TARGET_BRANCH:-master}
    GIT_BASE=${GIT_BASE:-https://opendev.org}
    # DevStack's default service set; `ENABLED_SERVICES=` (empty) in localrc
    # keeps it empty, as in DevStack.
    if [[ ! -v ENABLED_SERVICES ]]; then
        ENABLED_SERVICES=key
        ENABLED_SERVICES+=,n-api,n-cpu,n-cond,n-sch,n-novnc,n-api-meta
        ENABLED_SERVICES+=,placement-api,placement-client
        ENABLED_SERVICES+=,g-api
        ENABLED_SERVICES+=,c-sch,c-api,c-vol
        ENABLED_SERVICES+=,ovn-controller,ovn-northd,ovs-vswitchd,ovsdb-server
        ENABLED_SERVICES+=,q-svc,q-ovn-agent
        ENABLED_SERVICES+=,horizon
        ENABLED_SERVICES+=,rabbit,tempest,mysql,etcd3,dstat
    fi
    ENABLE_HTTPD_MOD_WSGI_SERVICES=${ENABLE_HTTPD_MOD_WSGI_SERVICES:-True}
    NOVA_ENABLED_APIS=${NOVA_ENABLED_APIS:-osapi_compute,metadata}
    return 0
}

# _ps_stackrc_paths: directories under DEST.
_ps_stackrc_paths() {
    DATA_DIR=${DATA_DIR:-$DEST/data}
    SERVICE_DIR=${SERVICE_DIR:-$DEST/status}
    LOGDIR=${LOGDIR:-$DEST/logs}
    SCREEN_NAME=${SCREEN_NAME:-stack}
    REQUIREMENTS_DIR=${REQUIREMENTS_DIR:-$DEST/requirements}
    DEVSTACK_VENV=${DEVSTACK_VENV:-$DEST/data/venv}
    SUBUNIT_OUTPUT=${SUBUNIT_OUTPUT:-$DEST/devstack.subunit}
    if [[ -z ${FILES:-} && -n ${TOP_DIR:-} ]]; then
        FILES=$TOP_DIR/files
    fi
    return 0
}

# _ps_stackrc_switches: true/false settings, normalized.
_ps_stackrc_switches() {
    # colour only when stdout is a terminal (a stack run's output is a log)
    _LOG_COLOR_DEFAULT=False
    if [[ -t 1 ]]; then _LOG_COLOR_DEFAULT=True; fi
    local -a switches=(OFFLINE=False RECLONE=False ERROR_ON_CLONE=False USE_SYSTEMD=True ENABLE_DEBUG_LOG_LEVEL=True
        SYSLOG=False "LOG_COLOR=$_LOG_COLOR_DEFAULT" USER_UNITS=False ENFORCE_NEW_DEFAULTS=True
        DATABASE_QUERY_LOGGING=False MYSQL_GATHER_PERFORMANCE=True MYSQL_REDUCE_MEMORY=True
        ENABLE_VOLUME_MULTIATTACH=False NEUTRON_PORT_SECURITY=True RECREATE_KEYSTONE_DB=True VERBOSE=True
        USE_VENV=False GLOBAL_VENV=True PIP_UPGRADE=False DOWNLOAD_DEFAULT_IMAGES=True)
    local -a odd=() normalized=()
    local i
    # NAME=DEFAULT, each normalized as stackrc does (NAME=$(trueorfalse DEFAULT
    # NAME)): the plain cases in place (_ps_bool_plain), the others (yes, 1,
    # on, ...) all in one subshell rather than one per switch
    for i in "${switches[@]}"; do
        _ps_bool_plain "${i#*=}" "${i%%=*}" || odd+=("$i")
    done
    if ((${#odd[@]})); then
        mapfile -t normalized < <(for i in "${odd[@]}"; do trueorfalse "${i#*=}" "${i%%=*}"; done)
        for i in "${!odd[@]}"; do
            printf -v "${odd[i]%%=*}" '%s' "${normalized[i]-}"
        done
    fi
    if [[ -n ${ENFORCE_SCOPE:-} ]]; then
        ENFORCE_NEW_DEFAULTS=$(trueorfalse True ENFORCE_SCOPE)
    fi
    return 0
}

# _ps_stackrc_network: address ranges, HOST_IP and the service addresses.
_ps_stackrc_network() {
    FLOATING_RANGE=${FLOATING_RANGE:-172.24.4.0/24}
    IPV4_ADDRS_SAFE_TO_USE=${IPV4_ADDRS_SAFE_TO_USE:-10.0.0.0/22}
    FIXED_RANGE=${FIXED_RANGE:-$IPV4_ADDRS_SAFE_TO_USE}
    HOST_IP_IFACE=${HOST_IP_IFACE:-}
    if [[ -z ${HOST_IP:-} || $HOST_IP == dhcp ]]; then
        _ps_detect_host_ip HOST_IP inet
        HOST_IP=${HOST_IP:-127.0.0.1}
    fi
    if [[ -z ${HOST_IPV6:-} ]]; then
        _ps_detect_host_ip HOST_IPV6 inet6
    fi
    SERVICE_IP_VERSION=${SERVICE_IP_VERSION:-4}
    local def_host=$HOST_IP def_local=127.0.0.1 def_listen=0.0.0.0
    if [[ $SERVICE_IP_VERSION == 6 ]]; then
        [[ -n $HOST_IPV6 ]] || die "SERVICE_IP_VERSION=6 but no IPv6 address was found; set HOST_IPV6 in localrc"
        def_host="[$HOST_IPV6]" def_local=::1 def_listen="[::]"
    fi
    DEF_SERVICE_HOST=$def_host DEF_SERVICE_LOCAL_HOST=$def_local DEF_SERVICE_LISTEN_ADDRESS=$def_listen
    SERVICE_HOST=${SERVICE_HOST:-$def_host}
    SERVICE_LOCAL_HOST=${SERVICE_LOCAL_HOST:-$def_local}
    SERVICE_LISTEN_ADDRESS=${SERVICE_LISTEN_ADDRESS:-$def_listen}
    SERVICE_PROTOCOL=${SERVICE_PROTOCOL:-http}
    TUNNEL_IP_VERSION=${TUNNEL_IP_VERSION:-4}
    if [[ $TUNNEL_IP_VERSION == 6 ]]; then
        DEF_TUNNEL_ENDPOINT_IP=$HOST_IPV6
    else
        DEF_TUNNEL_ENDPOINT_IP=$HOST_IP
    fi
    TUNNEL_ENDPOINT_IP=${TUNNEL_ENDPOINT_IP:-$DEF_TUNNEL_ENDPOINT_IP}
    PUBLIC_INTERFACE=${PUBLIC_INTERFACE:-}
    SYSLOG_HOST=${SYSLOG_HOST:-$HOST_IP}
    SYSLOG_PORT=${SYSLOG_PORT:-516}
    PRIVATE_NETWORK_NAME=${PRIVATE_NETWORK_NAME:-private}
    PUBLIC_NETWORK_NAME=${PUBLIC_NETWORK_NAME:-public}
    ETCD_PORT=${ETCD_PORT:-2379}
    return 0
}

# _ps_stackrc_images: VIRT_DRIVER and the default image list.
_ps_stackrc_images() {
    VIRT_DRIVER=${VIRT_DRIVER:-libvirt}
    LIBVIRT_TYPE=${LIBVIRT_TYPE:-kvm}
    CIRROS_VERSION=${CIRROS_VERSION:-0.6.3}
    if [[ -z ${CIRROS_ARCH:-} ]]; then
        _ps_fact_machine
        CIRROS_ARCH=$_PS_FACT_MACHINE
    fi
    local kind=disk ext=img
    if [[ $VIRT_DRIVER == libvirt && $LIBVIRT_TYPE == lxc ]]; then
        kind=rootfs ext=img.gz
    fi
    DEFAULT_IMAGE_NAME=${DEFAULT_IMAGE_NAME:-cirros-$CIRROS_VERSION-$CIRROS_ARCH-$kind}
    DEFAULT_IMAGE_FILE_NAME=${DEFAULT_IMAGE_FILE_NAME:-cirros-$CIRROS_VERSION-$CIRROS_ARCH-$kind.$ext}
    IMAGE_URLS=${IMAGE_URLS:-}
    if [[ $DOWNLOAD_DEFAULT_IMAGES == True ]]; then
        local url="https://github.com/cirros-dev/cirros/releases/download/$CIRROS_VERSION/$DEFAULT_IMAGE_FILE_NAME"
        if [[ ,$IMAGE_URLS, != *,"$url",* ]]; then
            IMAGE_URLS+=${IMAGE_URLS:+,}$url
        fi
        # listed once: sourcing stackrc again adds nothing (DevStack's way)
        DOWNLOAD_DEFAULT_IMAGES=False
    fi
    DEFAULT_VIRT_DRIVER=libvirt
    case $VIRT_DRIVER in
        ironic | libvirt)
            LIBVIRT_CPU_MODE=${LIBVIRT_CPU_MODE:-custom}
            LIBVIRT_CPU_MODEL=${LIBVIRT_CPU_MODEL:-Nehalem}
            if is_ubuntu 2>/dev/null; then
                LIBVIRT_GROUP=${LIBVIRT_GROUP:-libvirt}
            else
                LIBVIRT_GROUP=${LIBVIRT_GROUP:-libvirtd}
            fi
            ;;
        lxd) LXD_GROUP=${LXD_GROUP:-lxd} ;;
        docker | zun) DOCKER_GROUP=${DOCKER_GROUP:-docker} ;;
        fake) NUMBER_FAKE_NOVA_COMPUTE=${NUMBER_FAKE_NOVA_COMPUTE:-1} ;;
    esac
    return 0
}

# _ps_stackrc_defaults: every default (see the top of this file).
# _ps_python3_version: _DEFAULT_PYTHON3_VERSION, python3's MAJOR.MINOR (empty
# without python3). A plugstack run script starts the call early (see
# renderPython3Start): its answer counts while PWD, PATH and PYENV_VERSION are
# unchanged; else, or outside a run, python3 is asked here.
_ps_python3_version() {
    if [[ -n ${_PS_PYTHON3_FD:-} ]]; then
        if [[ ${_PS_PYTHON3_AT-} == "$PWD:$PATH:${PYENV_VERSION-}" ]]; then
            IFS= read -r -d '' _DEFAULT_PYTHON3_VERSION <&"$_PS_PYTHON3_FD" || true
            # without trailing newlines, as $(...) gives it
            while [[ $_DEFAULT_PYTHON3_VERSION == *$'\n' ]]; do
                _DEFAULT_PYTHON3_VERSION=${_DEFAULT_PYTHON3_VERSION%$'\n'}
            done
        fi
        exec {_PS_PYTHON3_FD}<&-
        unset _PS_PYTHON3_FD _PS_PYTHON3_AT
        if [[ -n ${_DEFAULT_PYTHON3_VERSION:-} ]]; then
            return 0
        fi
    fi
    _DEFAULT_PYTHON3_VERSION=$(python3 -c 'import sys; print("%s.%s" % sys.version_info[0:2])' 2>/dev/null || true)
}

_ps_stackrc_defaults() {
    _ps_stackrc_early
    _ps_take_host_probe
    _ps_stackrc_paths
    _ps_stackrc_switches
    _ps_stackrc_network
    _ps_stackrc_images
    _ps_stackrc_repos
    _ps_stackrc_services
    GIT_TIMEOUT=${GIT_TIMEOUT:-0}
    GIT_DEPTH=${GIT_DEPTH:-0}
    SERVICE_TIMEOUT=${SERVICE_TIMEOUT:-60}
    SERVICE_GRACEFUL_SHUTDOWN_TIMEOUT=${SERVICE_GRACEFUL_SHUTDOWN_TIMEOUT:-5}
    WORKER_TIMEOUT=${WORKER_TIMEOUT:-80}
    if [[ -z ${API_WORKERS:-} ]]; then
        local cpus=""
        [[ -z ${_PS_PROBE_TAKEN:-} ]] || cpus=${_PS_PROBE_NPROC-}
        [[ -n $cpus ]] || cpus=$(nproc 2>/dev/null || echo 1)
        API_WORKERS=$((cpus / 4 < 2 ? 2 : cpus / 4))
    fi
    if [[ $USER_UNITS == True ]]; then
        SYSTEMD_DIR=${SYSTEMD_DIR:-$HOME/.local/share/systemd/user}
        SYSTEMCTL=${SYSTEMCTL:-"systemctl --user"}
    fi
    if [[ -z ${SYSTEMCTL:-} ]]; then
        if [[ $EUID -eq 0 ]]; then
            SYSTEMCTL=systemctl
        else
            SYSTEMCTL="sudo systemctl"
        fi
    fi
    SYSTEMD_DIR=${SYSTEMD_DIR:-/etc/systemd/system}
    WSGI_MODE=${WSGI_MODE:-uwsgi}
    ADDITIONAL_VENV_PACKAGES=${ADDITIONAL_VENV_PACKAGES:-}
    LIBS_FROM_GIT=${LIBS_FROM_GIT:-}
    if [[ -z ${_DEFAULT_PYTHON3_VERSION:-} ]]; then
        _ps_python3_version
    fi
    export PYTHON3_VERSION=${PYTHON3_VERSION:-${_DEFAULT_PYTHON3_VERSION:-3}}
    export VIRTUALENV_CMD=${VIRTUALENV_CMD:-"python$PYTHON3_VERSION -m venv"}
    # the interpreter, as install_python sets it before any hook runs
    if [[ -z ${PYTHON:-} ]]; then
        PYTHON=$(command -v "python$PYTHON3_VERSION" 2>/dev/null || command -v python3 2>/dev/null || true)
        export PYTHON
    fi
    # the distribution, as stack.sh finds it before anything else
    local _ps_osr
    if [[ -z ${DISTRO:-} ]] && _ps_os_release_file _ps_osr; then
        GetOSVersion
        _ps_distro_name DISTRO || true # a distro DevStack does not name: ID-VERSION_ID
        export DISTRO
    fi
    # the global venv, when it exists, comes first on PATH
    if [[ $GLOBAL_VENV == True && -x $DEVSTACK_VENV/bin/python3 && ":$PATH:" != *":$DEVSTACK_VENV/bin:"* ]]; then
        export PATH="$DEVSTACK_VENV/bin:$PATH"
    fi
    # service library defaults that derive from the values above
    if declare -F _ps_apply_lib_defaults >/dev/null; then
        _ps_apply_lib_defaults
    fi
    _ps_drop_host_probe
    return 0
}

# _ps_openrc_credentials [USERNAME] [PROJECT]: the OS_* variables DevStack's
# openrc exports for the openstack client (user and project default to demo).
_ps_openrc_credentials() {
    [[ -z ${1:-} ]] || OS_USERNAME=$1
    [[ -z ${2:-} ]] || OS_PROJECT_NAME=$2
    local host=${SERVICE_HOST:-${HOST_IP:-127.0.0.1}}
    local protocol=${KEYSTONE_SERVICE_PROTOCOL:-${SERVICE_PROTOCOL:-http}}
    local uri=${KEYSTONE_SERVICE_URI:-$protocol://${KEYSTONE_SERVICE_HOST:-$host}/identity}
    export OS_PROJECT_NAME=${OS_PROJECT_NAME:-demo}
    export OS_USERNAME=${OS_USERNAME:-demo}
    export OS_PASSWORD=${ADMIN_PASSWORD:-secret}
    export OS_REGION_NAME=${REGION_NAME:-RegionOne}
    export OS_AUTH_URL=${OS_AUTH_URL:-$uri}
    export OS_AUTH_TYPE=password
    export OS_USER_DOMAIN_ID=${OS_USER_DOMAIN_ID:-default}
    export OS_PROJECT_DOMAIN_ID=${OS_PROJECT_DOMAIN_ID:-default}
    if [[ -n ${SSL_BUNDLE_FILE:-} && -f $SSL_BUNDLE_FILE ]]; then
        export OS_CACERT=$SSL_BUNDLE_FILE
    fi
    return 0
}
