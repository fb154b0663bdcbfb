#!/bin/bash
# plugstack library: package functions.
#
# Under plugstack (PLUGSTACK_SELF is set) packages are installed, removed
# and the package index refreshed by plugstack itself, so that the stack
# run has one code path for packages (offline cache, dry runs, one log):
#   "${PLUGSTACK_SELF[@]}" internal install-packages -- PKG...
#   "${PLUGSTACK_SELF[@]}" internal uninstall-packages -- PKG...
#   "${PLUGSTACK_SELF[@]}" internal update-package-repo
#   "${PLUGSTACK_SELF[@]}" internal install-bindep FILE [PROFILE...]
# Without it (e.g. a script using `plugstack lib export`), they call
# apt-get, dnf or zypper directly, non-interactively, through sudo when not
# root, as DevStack does. Globals: OFFLINE, NO_UPDATE_REPOS, REPOS_UPDATED,
# RETRY_UPDATE, http_proxy, https_proxy, no_proxy.
# Sourcing this file only defines functions.

# _ps_self_set: true when the stack shell can call back into plugstack.
_ps_self_set() {
    [[ -n ${PLUGSTACK_SELF[0]:-} ]]
}

# _ps_self CMD...: runs `plugstack internal CMD...`. Its stdout and stderr
# are private pipes copied out by cat: plugstack is a Bun program, and Bun
# puts the descriptors it is given into non-blocking mode; on the stack
# shell's own stdout that mode would outlive the callback, and a plugin's
# next burst of output would fail with "Resource temporarily unavailable".
_ps_self() {
    local -a _ps_st=(1)
    local _ps_before=${!:-}
    { "${PLUGSTACK_SELF[@]}" internal "$@" | cat; _ps_st=("${PIPESTATUS[@]}"); } 2> >(cat >&2) || true
    # $! is the stderr copier (bash >= 4.4): let it finish writing
    if [[ -n ${!:-} && ${!} != "$_ps_before" ]]; then
        wait "$!" 2>/dev/null || true
    fi
    return "${_ps_st[0]}"
}

# _ps_root_env VAR=VALUE... CMD...: runs CMD as root with the given
# environment (sudo when not root, plain env when root).
_ps_root_env() {
    if [[ $EUID -eq 0 ]]; then
        env "$@"
    else
        _ps_require_tool sudo "run as root, or install sudo"
        sudo env "$@"
    fi
}

# _ps_proxy_env: the proxy variables DevStack passes to package managers.
_ps_proxy_env() {
    printf '%s\n' "http_proxy=${http_proxy:-}" "https_proxy=${https_proxy:-}" "no_proxy=${no_proxy:-}"
}

# apt_get_update: `apt-get update` once per run (again when RETRY_UPDATE
# is True), retried for up to 5 minutes; skipped when OFFLINE is True.
# Under plugstack, plugstack refreshes the index (it knows about offline).
function apt_get_update {
    if [[ ${REPOS_UPDATED:-} == True && ${RETRY_UPDATE:-} != True ]]; then
        return 0
    fi
    if _ps_self_set; then
        _ps_self update-package-repo || return
        REPOS_UPDATED=True
        return 0
    fi
    [[ ${OFFLINE:-False} != True ]] || return 0
    _ps_require_tool apt-get
    local -a envs
    mapfile -t envs < <(_ps_proxy_env)
    _ps_time start apt-get-update
    local deadline=$((SECONDS + 300))
    until _ps_root_env "${envs[@]}" apt-get update; do
        if [[ $SECONDS -ge $deadline ]]; then
            _ps_time stop apt-get-update
            die "Failed to update apt repos, we're dead now"
        fi
        sleep 30
    done
    REPOS_UPDATED=True
    _ps_time stop apt-get-update
}

# apt_get OPERATION [ARG...]: apt-get, non-interactive, keeping existing
# config files (--force-confold); does nothing when OFFLINE is True.
# Under plugstack, `apt_get install PKG...` goes through plugstack.
function apt_get {
    [[ $# -gt 0 ]] || return 0
    if [[ $1 == install ]] && _ps_self_set && ! [[ " ${*:2} " == *" -"* ]]; then
        _ps_self install-packages -- "${@:2}"
        return
    fi
    [[ ${OFFLINE:-False} != True ]] || return 0
    _ps_require_tool apt-get
    local -a envs
    mapfile -t envs < <(_ps_proxy_env)
    local rc=0
    _ps_time start apt-get
    _ps_root_env DEBIAN_FRONTEND=noninteractive "${envs[@]}" \
        apt-get --option "Dpkg::Options::=--force-confold" --assume-yes "$@" </dev/null || rc=$?
    _ps_time stop apt-get
    return $rc
}

# _ps_pkg_tool TIMER TOOL ARG...: runs the package tool TOOL as root with
# the proxy variables, timed as TIMER (untimed when empty); does nothing when
# OFFLINE is True. Returns TOOL's status.
_ps_pkg_tool() {
    local timer=$1 tool=$2 rc=0
    shift 2
    [[ ${OFFLINE:-False} != True ]] || return 0
    _ps_require_tool "$tool"
    local -a envs
    mapfile -t envs < <(_ps_proxy_env)
    [[ -z $timer ]] || _ps_time start "$timer"
    _ps_root_env "${envs[@]}" "$tool" "$@" || rc=$?
    [[ -z $timer ]] || _ps_time stop "$timer"
    return $rc
}

# yum_install PKG...: dnf install (the old name is kept for plugins).
function yum_install {
    if _ps_self_set; then
        _ps_self install-packages -- "$@"
        return
    fi
    _ps_pkg_tool yum_install dnf install -y "$@"
}

# zypper_install PKG...: zypper install, non-interactive.
function zypper_install {
    if _ps_self_set; then
        _ps_self install-packages -- "$@"
        return
    fi
    _ps_pkg_tool "" zypper --non-interactive install --auto-agree-with-licenses --no-recommends "$@"
}

# update_package_repo: refreshes the package index once per run (apt; any
# distro under plugstack), unless NO_UPDATE_REPOS is True.
function update_package_repo {
    NO_UPDATE_REPOS=${NO_UPDATE_REPOS:-False}
    REPOS_UPDATED=${REPOS_UPDATED:-False}
    RETRY_UPDATE=${RETRY_UPDATE:-False}
    [[ $NO_UPDATE_REPOS != True ]] || return 0
    if _ps_self_set || is_ubuntu; then
        apt_get_update
    fi
}

# _ps_pkg_op install|uninstall PKG...: installs or removes PKGs with this
# run's installer: plugstack itself (`internal`), apt, dnf or zypper; on any
# other distro the run stops, naming what could not be done.
_ps_pkg_op() {
    local op=$1 family
    shift
    [[ $# -gt 0 ]] || return 0
    if _ps_self_set; then
        family=self
    elif is_ubuntu; then
        family=deb
    elif is_fedora; then
        family=rpm
    elif _ps_is_suse_family; then
        family=suse
    else
        exit_distro_not_supported "${op}ing packages"
    fi
    case $op/$family in
        */self) _ps_self "$op-packages" -- "$@" ;;
        install/deb) apt_get install "$@" ;;
        install/rpm) yum_install "$@" ;;
        install/suse) zypper_install "$@" ;;
        uninstall/deb) apt_get purge "$@" ;;
        uninstall/rpm) _ps_root dnf remove -y "$@" || : ;;
        uninstall/suse) _ps_root zypper remove -y "$@" || : ;;
    esac
}

# real_install_package PKG...: installs without refreshing the index first.
function real_install_package {
    _ps_pkg_op install "$@"
}

# install_package PKG...: distro-agnostic install; on failure the index is
# refreshed and the install tried once more.
function install_package {
    update_package_repo
    if ! real_install_package "$@"; then
        RETRY_UPDATE=True update_package_repo && real_install_package "$@"
    fi
}

# is_package_installed PKG...: true when every PKG is installed.
function is_package_installed {
    [[ $# -gt 0 ]] || return 1
    [[ -n ${os_PACKAGE:-} ]] || GetOSVersion
    local pkg status
    if [[ $os_PACKAGE == deb ]]; then
        for pkg in "$@"; do
            status=$(dpkg-query -W -f='${Status}' -- "$pkg" 2>/dev/null) || return 1
            [[ $status == *" installed" ]] || return 1
        done
        return 0
    elif [[ $os_PACKAGE == rpm ]]; then
        rpm --quiet -q -- "$@"
    else
        exit_distro_not_supported "finding if a package is installed"
    fi
}

# uninstall_package PKG...: distro-agnostic removal (purge on Debian).
function uninstall_package {
    _ps_pkg_op uninstall "$@"
}

# install_bindep FILE [PROFILE,PROFILE]: installs the packages a bindep file
# lists as missing (plugstack evaluates bindep itself; without plugstack a
# `bindep` command is needed).
function install_bindep {
    local file=${1:-} profiles=${2:-}
    if [[ ! -f $file ]]; then
        warn "Can not find bindep file: $file"
        return 0
    fi
    local -a profile_args=()
    [[ -z $profiles ]] || IFS=, read -r -a profile_args <<<"$profiles"
    if _ps_self_set; then
        _ps_self install-bindep "$file" "${profile_args[@]}"
        return
    fi
    local bindep_cmd=""
    if [[ -x ${DEST:-/opt/stack}/bindep-venv/bin/bindep ]]; then
        bindep_cmd=${DEST:-/opt/stack}/bindep-venv/bin/bindep
    elif command -v bindep >/dev/null 2>&1; then
        bindep_cmd=bindep
    else
        die "install_bindep needs the bindep command to read $file (install bindep, or run under plugstack)"
    fi
    local pkgs
    # bindep exits 1 when something is missing: that is the normal case here
    pkgs=$("$bindep_cmd" -b --file "$file" "${profile_args[@]}" || true)
    if [[ -n $pkgs ]]; then
        # shellcheck disable=SC2086 # one package name per word
        install_package $pkgs
    fi
}
