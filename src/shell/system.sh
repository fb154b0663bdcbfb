# shellcheck shell=bash
# system.sh - host helpers of DevStack's "System Functions" group: service
# control, users and permissions, address arithmetic, timers, version
# comparison. Also the small internal helpers every service helper file uses:
# _ps_default (overridable, recomputable defaults), _ps_require_tool (a clear
# error naming the missing command and the plugin that needed it), _ps_sudo.
#
# Sourcing this file only defines functions and variables; it prints nothing.

# ---------------------------------------------------------------------------
# Defaults that follow their inputs
# ---------------------------------------------------------------------------
# Service libraries derive globals from others (KEYSTONE_SERVICE_HOST from
# SERVICE_HOST, ...). The library may be sourced before localrc sets those
# inputs, so a default we computed is remembered; when the defaults are applied
# again (after localrc, or when a plugin re-sources the library) a value that
# still equals what we computed is recomputed from the current inputs, while a
# value somebody else assigned is left alone.
declare -gA _PS_DEFAULTED
declare -ga _PS_DEFAULT_GROUPS

# _ps_default NAME VALUE: set NAME to VALUE unless someone else set it.
# (One test, no locals: a stack calls this some 330 times.)
_ps_default() {
    if [[ -z ${!1:-} || (-n ${_PS_DEFAULTED[$1]+set} && ${!1} == "${_PS_DEFAULTED[$1]}") ]]; then
        printf -v "$1" '%s' "$2"
        _PS_DEFAULTED[$1]=$2
    fi
}

# _ps_register_defaults FUNC: remember FUNC as a defaults group and run it now.
# A plugstack run script sets _PS_DEFER_DEFAULTS before the library loads:
# the groups then run once, after localrc (stackrc's _ps_apply_lib_defaults),
# where DevStack sources its lib/* files, rather than at load and again.
_ps_register_defaults() {
    local fn=$1 known=""
    for known in "${_PS_DEFAULT_GROUPS[@]}"; do
        [[ $known == "$fn" ]] && break
    done
    [[ $known == "$fn" ]] || _PS_DEFAULT_GROUPS+=("$fn")
    [[ -n ${_PS_DEFER_DEFAULTS:-} ]] || _ps_quietly "$fn"
}

# _ps_apply_lib_defaults: (re-)run every defaults group, in registration
# order. stackrc calls this after localrc so derived globals see its values;
# from then on a group registered later runs at once again.
_ps_apply_lib_defaults() {
    unset _PS_DEFER_DEFAULTS
    _ps_quietly _ps_run_default_groups
}

_ps_run_default_groups() {
    local fn
    for fn in "${_PS_DEFAULT_GROUPS[@]}"; do
        "$fn"
    done
}

# _ps_quietly CMD...: run CMD with xtrace paused (defaults are not worth
# hundreds of trace lines in the log).
_ps_quietly() {
    local xt=$- rc=0
    set +o xtrace
    "$@" || rc=$?
    [[ $xt != *x* ]] || set -o xtrace
    return $rc
}

# _ps_table_rows TABLE: the caller's array _ps_rows set to the lines of
# TABLE (one of the library's own tables: blank-separated fields, no pattern
# characters) that are neither blank nor comments (a "#" first). Split by bash, not
# read from a here-string: `read` takes a pipe one byte per system call.
_ps_table_rows() {
    local IFS=$'\n' row
    _ps_rows=()
    for row in $1; do
        [[ $row == *[![:space:]]* && $row != \#* ]] && _ps_rows+=("$row")
    done
    return 0
}

# ---------------------------------------------------------------------------
# Facts of this machine and user, asked once per shell
# ---------------------------------------------------------------------------
# The user and group names, the short host name and the machine type cannot
# change while one shell runs, and the defaults and stackrc ask for them
# several times: the first answer is kept in _PS_FACT_* (not exported). An
# answer that could not be found (empty) is asked for again next time.
declare -gA _PS_FACT_GROUP

# _ps_fact_user: _PS_FACT_USER set to the user's name (`id -un`). When the
# real and effective user are the same, bash's own prompt escape \u answers
# without a process: the name getpwuid gives for the uid, which is what
# `id -un` asks. Where there is no name bash says "I have no name!" (perhaps
# translated), so only a plain user name (letters, digits, . _ @ - and a
# final $) is taken; anything else asks id.
_ps_fact_user() {
    [[ -z ${_PS_FACT_USER:-} ]] || return 0
    if ((UID == EUID && BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)); then
        local u='\u'
        u=${u@P}
        if [[ $u == [a-zA-Z0-9._]* && ${u%\$} != *[!a-zA-Z0-9._@-]* ]]; then
            _PS_FACT_USER=$u
            return 0
        fi
    fi
    _PS_FACT_USER=$(id -un) || true
}

# _ps_fact_group [USER]: _PS_FACT_GROUP[USER] set to USER's primary group
# (`id -gn USER`; without USER, the shell's group: `id -gn`); fails when
# there is none.
_ps_fact_group() {
    local user=${1:-}
    [[ -n ${_PS_FACT_GROUP[x$user]:-} ]] && return 0
    if [[ -n $user ]]; then
        _PS_FACT_GROUP[x$user]=$(id -gn "$user" 2>/dev/null) || return 1
    else
        _PS_FACT_GROUP[x]=$(id -gn) || return 1
    fi
}

# _ps_fact_hostname: _PS_FACT_HOSTNAME set to the short host name
# (`hostname -s`, else `uname -n`).
_ps_fact_hostname() {
    [[ -n ${_PS_FACT_HOSTNAME:-} ]] || _PS_FACT_HOSTNAME=$(hostname -s 2>/dev/null || uname -n) || true
}

# _ps_fact_machine: _PS_FACT_MACHINE set to the machine type (`uname -m`).
_ps_fact_machine() {
    [[ -n ${_PS_FACT_MACHINE:-} ]] || _PS_FACT_MACHINE=$(uname -m) || true
}

# ---------------------------------------------------------------------------
# Tools and privileges
# ---------------------------------------------------------------------------

# _ps_require_tool TOOL [HINT]: die unless TOOL is on PATH. The message names
# the tool, the library function that wanted it and the plugin running now.
_ps_require_tool() {
    local tool=$1 hint=${2:-}
    command -v -- "$tool" >/dev/null 2>&1 && return 0
    # name the public function that was called, not our internal helpers
    local caller=main i
    for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
        [[ ${FUNCNAME[i]} == _* ]] && continue
        caller=${FUNCNAME[i]}
        break
    done
    local who="no plugin hook was running"
    [[ -n ${PLUGSTACK_PLUGIN:-} ]] && who="plugin '$PLUGSTACK_PLUGIN' asked for it"
    die "'$tool' is not installed: $caller needs it ($who)${hint:+; $hint}"
}

# _ps_sudo CMD...: run CMD as root; directly when we are root already.
_ps_sudo() {
    if ((EUID == 0)); then # bash's EUID: what `id -u` prints
        "$@"
        return
    fi
    _ps_require_tool sudo "run as root or install sudo"
    sudo "$@"
}

# _ps_csv_has_any LIST ITEM...: true when any ITEM is a whole entry of the
# comma-separated LIST.
_ps_csv_has_any() {
    local list=,$1, item
    shift
    for item in "$@"; do
        [[ $list == *,"$item",* ]] && return 0
    done
    return 1
}

# _ps_sysroot: prefix for the system paths the service helpers write
# (/etc, /var, /usr/local); empty on a real host, a temp dir in tests.
_ps_sysroot() {
    echo "${PLUGSTACK_SYSROOT:-}"
}

# _ps_systemd_running: true when the host runs systemd (PLUGSTACK_SYSTEMD=True
# or False overrides the probe).
_ps_systemd_running() {
    case ${PLUGSTACK_SYSTEMD:-} in
        True) return 0 ;;
        False) return 1 ;;
    esac
    [[ -d /run/systemd/system ]]
}

# ---------------------------------------------------------------------------
# System services
# ---------------------------------------------------------------------------

# _ps_service_action ACTION SERVICE: systemctl when systemd runs, else the
# SysV `service` command (containers); reload-or-restart maps to reload there.
_ps_service_action() {
    local action=$1 name=$2
    if _ps_systemd_running; then
        _ps_require_tool systemctl
        _ps_sudo systemctl "$action" "$name"
    else
        [[ $action == reload-or-restart ]] && action=reload
        _ps_require_tool service "no systemd here, so the SysV 'service' command is used"
        _ps_sudo service "$name" "$action"
    fi
}

# restart_service NAME
function restart_service {
    _ps_service_action restart "$1"
}

# start_service NAME
function start_service {
    _ps_service_action start "$1"
}

# stop_service NAME
function stop_service {
    _ps_service_action stop "$1"
}

# reload_service NAME: reload, or start it when it was not running.
function reload_service {
    _ps_service_action reload-or-restart "$1"
}

# ---------------------------------------------------------------------------
# Users and permissions
# ---------------------------------------------------------------------------

# add_user_to_group USER GROUP
function add_user_to_group {
    local user=$1 group=$2
    _ps_require_tool usermod
    _ps_sudo usermod -a -G "$group" "$user"
}

# is_nfs_directory DIR: true when DIR lives on an NFS mount.
function is_nfs_directory {
    [[ $(stat -f -L -c %T "$1" 2>/dev/null) == nfs ]]
}

# _ps_permission_op CMD ARGS...: run CMD as root unless its last argument
# (the target) is on NFS, where root may not change ownership.
_ps_permission_op() {
    local target=${*: -1}
    [[ -d $target ]] || target=$(dirname -- "$target")
    if is_nfs_directory "$target"; then
        return 0
    fi
    _ps_sudo "$@"
}

# safe_chown [chown options] OWNER PATH...
function safe_chown {
    _ps_permission_op chown "$@"
}

# safe_chmod [chmod options] MODE PATH...
function safe_chmod {
    _ps_permission_op chmod "$@"
}

# ---------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------

# ipv6_unquote ADDR: drop the brackets of a URL-quoted IPv6 address.
function ipv6_unquote {
    local addr=${1//[\[\]]/}
    echo "$addr"
}

# is_ipv4_address ADDR
function is_ipv4_address {
    [[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]
}

# cidr2netmask BITS: dotted-quad netmask for a prefix length.
function cidr2netmask {
    local bits=$1 out="" i octet
    for i in 0 1 2 3; do
        if ((bits >= 8)); then
            octet=255
        elif ((bits > 0)); then
            octet=$((256 - (1 << (8 - bits))))
        else
            octet=0
        fi
        bits=$((bits > 8 ? bits - 8 : 0))
        out+=${out:+.}$octet
    done
    echo "$out"
}

# maskip ADDR NETMASK: network part of ADDR.
function maskip {
    local -a ip mask
    IFS=. read -r -a ip <<<"$1"
    IFS=. read -r -a mask <<<"$2"
    echo "$((ip[0] & mask[0])).$((ip[1] & mask[1])).$((ip[2] & mask[2])).$((ip[3] & mask[3]))"
}

# address_in_net ADDR CIDR: true when ADDR is inside CIDR.
function address_in_net {
    local addr=$1 range=$2
    local netmask
    netmask=$(cidr2netmask "${range#*/}")
    [[ $(maskip "${range%/*}" "$netmask") == "$(maskip "$addr" "$netmask")" ]]
}

# export_proxy_variables: export the proxy settings that are set.
function export_proxy_variables {
    local var
    for var in http_proxy https_proxy no_proxy; do
        [[ -v $var ]] && export "${var?}"
    done
    return 0
}

# ---------------------------------------------------------------------------
# Retries and timers
# ---------------------------------------------------------------------------

# test_with_retry "COMMAND" "FAIL MESSAGE" [TIMEOUT=10] [INTERVAL=0.5]
# Re-run the shell COMMAND until it succeeds; die with the message on timeout.
function test_with_retry {
    local testcmd=$1 failmsg=$2 limit=${3:-10} interval=${4:-0.5}
    time_start test_with_retry
    if ! timeout "$limit" bash -c "until $testcmd; do sleep $interval; done"; then
        time_stop test_with_retry
        die "$failmsg"
    fi
    time_stop test_with_retry
}

declare -gA _TIME_START _TIME_TOTAL
# (now, in seconds since the epoch: printf's builtin clock, not `date +%s`)
[[ -n ${_TIME_BEGIN:-} ]] || printf -v _TIME_BEGIN '%(%s)T' -1

# time_start NAME: start the named clock; starting a running clock is a bug.
function time_start {
    local name=$1
    if [[ -n ${_TIME_START[$name]:-} ]]; then
        die "the clock '$name' is already running"
    fi
    _TIME_START[$name]=$(date +%s%3N)
}

# time_stop NAME: stop the named clock and add the elapsed milliseconds.
function time_stop {
    local name=$1 start=${_TIME_START[$1]:-}
    if [[ -z $start ]]; then
        die "the clock '$name' was stopped but never started"
    fi
    local now
    now=$(date +%s%3N)
    _TIME_START[$name]=""
    _TIME_TOTAL[$name]=$(( ${_TIME_TOTAL[$name]:-0} + now - start ))
}

# time_totals: seconds spent per clock.
function time_totals {
    local name
    for name in "${!_TIME_TOTAL[@]}"; do
        printf '%-24s %5d\n' "$name" $(( _TIME_TOTAL[$name] / 1000 ))
    done
}

# ---------------------------------------------------------------------------
# Versions and environment
# ---------------------------------------------------------------------------

# vercmp V1 OP V2: compare versions with sort -V; OP is < <= == >= >.
function vercmp {
    local v1=$1 op=$2 v2=$3 lowest
    lowest=$(printf '%s\n%s\n' "$v1" "$v2" | sort -V | head -n 1)
    case $op in
        "==") [[ $v1 == "$v2" ]] ;;
        ">") [[ $v1 != "$v2" && $lowest == "$v2" ]] ;;
        "<") [[ $v1 != "$v2" && $lowest == "$v1" ]] ;;
        ">=") [[ $lowest == "$v2" ]] ;;
        "<=") [[ $lowest == "$v1" ]] ;;
        *) die "vercmp: unknown operator '$op' (use < <= == >= >)" ;;
    esac
}

# running_in_container: true inside docker, podman, lxc, systemd-nspawn...
function running_in_container {
    if command -v systemd-detect-virt >/dev/null 2>&1; then
        [[ $(systemd-detect-virt --container 2>/dev/null) != none ]]
        return
    fi
    [[ -e /.dockerenv || -e /run/.containerenv || -n ${container:-} ]]
}
