#!/bin/bash
# plugstack library: python functions (DevStack's inc/python).
#
# Where pip installs:
# - into $PIP_VIRTUAL_ENV when that names an existing venv;
# - else, with GLOBAL_VENV=True (DevStack's default), into the global venv
#   $DEVSTACK_VENV (default $DEST/data/venv), created on first use with the
#   system site packages visible and put first on PATH;
# - else system-wide with $PIP (or `pythonX.Y -m pip`), via sudo when not
#   root.
# get_python_exec_prefix names the matching bin directory, so plugins find
# the scripts setup_develop installed. LIBS_FROM_GIT (a comma-separated
# list, or ALL) selects libraries installed from their git checkout.
# Globals read: OFFLINE, PIP_UPGRADE, REQUIREMENTS_DIR, PYTHON3_VERSION,
# STACK_USER, http_proxy, https_proxy, no_proxy, PIP_FIND_LINKS.
# Sourcing this file only defines functions and PROJECT_VENV.

declare -gA PROJECT_VENV

# _ps_python: the system python interpreter DevStack would use.
_ps_python() {
    if [[ -n ${PYTHON3_VERSION:-} ]] && command -v "python$PYTHON3_VERSION" >/dev/null 2>&1; then
        echo "python$PYTHON3_VERSION"
    else
        echo python3
    fi
}

# _ps_devstack_venv [SUFFIX]: the global venv directory (then SUFFIX).
_ps_devstack_venv() {
    local _ps_out
    _ps_devstack_venv_in _ps_out "${1:-}"
    echo "$_ps_out"
}

# _ps_devstack_venv_in VAR [SUFFIX]: VAR set to the global venv directory
# (then SUFFIX), for callers that must not start a subshell.
_ps_devstack_venv_in() {
    printf -v "$1" '%s' "${DEVSTACK_VENV:-${DEST:-/opt/stack}/data/venv}${2:-}"
}

# join_extras EXTRA...: the extras joined with commas.
function join_extras {
    local IFS=","
    echo "$*"
}

# get_pip_command VERSION: the path of pipVERSION; dies when there is none.
function get_pip_command {
    local version=${1:-}
    [[ -n $version ]] || die "pip python version is not set."
    command -v "pip$version" || command -v "pip$version-python" || die "Unable to find pip$version; cannot continue"
}

# get_python_exec_prefix [PROJECT]: the directory where installed python
# scripts land: PROJECT's venv (USE_VENV=True and PROJECT_VENV[PROJECT]
# set), the global venv (GLOBAL_VENV=True), else the interpreter's scripts
# directory (/usr/local/bin for a distro python).
# shellcheck disable=SC2120 # plugins pass PROJECT; the library's defaults do not
function get_python_exec_prefix {
    local project=${1:-} dir=""
    if [[ -n $project && $(trueorfalse False USE_VENV) == True && -n ${PROJECT_VENV[$project]:-} ]]; then
        echo "${PROJECT_VENV[$project]}/bin"
        return 0
    fi
    if [[ $(trueorfalse True GLOBAL_VENV) == True ]]; then
        _ps_devstack_venv /bin
        return 0
    fi
    local py
    py=$(_ps_python)
    if command -v "$py" >/dev/null 2>&1; then
        dir=$("$py" -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null || true)
    fi
    echo "${dir:-/usr/local/bin}"
}

# _ps_default_bin_dir NAME: _ps_default NAME to get_python_exec_prefix's
# answer (the service defaults' *_BIN_DIR); without a subshell when
# GLOBAL_VENV is True, the stack shell's usual case, where the answer is the
# global venv's bin.
_ps_default_bin_dir() {
    if [[ ${GLOBAL_VENV:-} == True ]]; then
        local _ps_bin
        _ps_devstack_venv_in _ps_bin /bin
        _ps_default "$1" "$_ps_bin"
    else
        # shellcheck disable=SC2119 # no PROJECT: the service's own bin
        _ps_default "$1" "$(get_python_exec_prefix)"
    fi
}

# setup_devstack_virtualenv: creates the global venv when missing (with
# the system site packages visible) and puts it first on PATH.
function setup_devstack_virtualenv {
    local venv py
    venv=$(_ps_devstack_venv)
    py=$(_ps_python)
    if [[ ! -x $venv/bin/python ]]; then
        command -v "$py" >/dev/null 2>&1 || die "GLOBAL_VENV=True needs $py to create $venv; install python3 (or set GLOBAL_VENV=False)"
        mkdir -p "${venv%/*}"
        if ! "$py" -m venv --system-site-packages "$venv"; then
            if is_ubuntu; then
                rm -rf "$venv"
                install_package python3-venv
                "$py" -m venv --system-site-packages "$venv" ||
                    die "could not create the virtualenv $venv with $py (install python3-venv, or set GLOBAL_VENV=False)"
            else
                die "could not create the virtualenv $venv with $py (set GLOBAL_VENV=False to install system-wide)"
            fi
        fi
    fi
    if [[ ":$PATH:" != *":$venv/bin:"* ]]; then
        export PATH="$venv/bin:$PATH"
    fi
    export PYTHON=$venv/bin/python3
}

# _ps_pip_select: sets the caller's `pip` array (the pip command) and
# `pip_root` (1 when it installs system-wide, as root).
_ps_pip_select() {
    pip_root=0
    if [[ -n ${PIP_VIRTUAL_ENV:-} && -d $PIP_VIRTUAL_ENV ]]; then
        pip=("$PIP_VIRTUAL_ENV/bin/pip")
    elif [[ $(trueorfalse True GLOBAL_VENV) == True ]]; then
        setup_devstack_virtualenv
        pip=("$(_ps_devstack_venv)/bin/pip")
    elif [[ -n ${PIP:-} ]]; then
        read -r -a pip <<<"$PIP"
        pip_root=1
    else
        pip=("$(_ps_python)" -m pip)
        pip_root=1
        _ps_require_tool "${pip[0]}" "install python3 and pip"
    fi
}

# pip_install ARG...: `pip install ARG...` with the upper constraints of
# $REQUIREMENTS_DIR when present, --upgrade when PIP_UPGRADE is True, and
# the proxy variables; nothing when OFFLINE is True.
function pip_install {
    local _ps_xt=$-
    set +o xtrace
    if [[ $# -eq 0 || ${OFFLINE:-False} == True ]]; then
        [[ $_ps_xt != *x* ]] || set -o xtrace
        return 0
    fi
    local -a pip envs cons_args=() upgrade=()
    local pip_root rc=0
    _ps_pip_select
    PIP_UPGRADE=$(trueorfalse False PIP_UPGRADE)
    [[ $PIP_UPGRADE != True ]] || upgrade=(--upgrade)
    if [[ -n ${REQUIREMENTS_DIR:-} && -f $REQUIREMENTS_DIR/upper-constraints.txt ]]; then
        cons_args=(-c "$REQUIREMENTS_DIR/upper-constraints.txt")
    fi
    envs=("http_proxy=${http_proxy:-}" "https_proxy=${https_proxy:-}" "no_proxy=${no_proxy:-}"
        SETUPTOOLS_SYS_PATH_TECHNIQUE=rewrite)
    [[ -z ${PIP_FIND_LINKS:-} ]] || envs+=("PIP_FIND_LINKS=$PIP_FIND_LINKS")
    echo "Using ${pip[*]} to install ${!#}"
    [[ $_ps_xt != *x* ]] || set -o xtrace
    _ps_time start pip_install
    if [[ $pip_root == 1 && $EUID -ne 0 ]]; then
        sudo -H env "${envs[@]}" "${pip[@]}" install "${cons_args[@]}" "${upgrade[@]}" "$@" || rc=$?
    else
        env "${envs[@]}" "${pip[@]}" install "${cons_args[@]}" "${upgrade[@]}" "$@" || rc=$?
    fi
    _ps_time stop pip_install
    return $rc
}

# pip_uninstall NAME: removes NAME when installed; never fails.
function pip_uninstall {
    [[ ${OFFLINE:-False} != True ]] || return 0
    local -a pip
    local pip_root
    _ps_pip_select
    if [[ $pip_root == 1 && $EUID -ne 0 ]]; then
        sudo -H "${pip[@]}" uninstall -y "$1" || true
    else
        "${pip[@]}" uninstall -y "$1" || true
    fi
}

# get_from_global_requirements NAME: NAME's line of global-requirements.txt.
function get_from_global_requirements {
    local package=$1 line
    line=$(grep -i -h -- "^${package}" "${REQUIREMENTS_DIR:-}/global-requirements.txt" 2>/dev/null | cut -d'#' -f1 | head -1)
    [[ -n ${line// /} ]] || die "Can't find package $package in requirements"
    line=${line%"${line##*[![:space:]]}"}
    echo "$line"
}

# get_version_constraints_from_global_requirements NAME: the constraints
# part of NAME's line (">=1.0,<2.0").
function get_version_constraints_from_global_requirements {
    local package=$1 line
    line=$(get_from_global_requirements "$package")
    line=${line:${#package}}
    [[ -n ${line// /} ]] || die "Can't find package $package in requirements"
    echo "$line"
}

# pip_install_gr NAME: installs NAME at the version global-requirements.txt
# allows (NAME as is when there is no requirements checkout).
function pip_install_gr {
    local name=$1 spec=$1
    if [[ -f ${REQUIREMENTS_DIR:-}/global-requirements.txt ]]; then
        spec=$(get_from_global_requirements "$name")
    fi
    pip_install "$spec"
}

# pip_install_gr_extras NAME EXTRAS: the same with extras ("a,b").
function pip_install_gr_extras {
    local name=$1 extras=$2 constraints=""
    if [[ -f ${REQUIREMENTS_DIR:-}/global-requirements.txt ]]; then
        constraints=$(get_version_constraints_from_global_requirements "$name")
    fi
    pip_install "${name}[${extras}]${constraints}"
}

# use_library_from_git NAME: true when LIBS_FROM_GIT is ALL or lists NAME.
function use_library_from_git {
    local name=${1:-}
    [[ ${LIBS_FROM_GIT:-} == ALL || ,${LIBS_FROM_GIT:-}, == *,"$name",* ]]
}

# lib_installed_from_git NAME: true when pip reports NAME installed from a
# local directory (an editable or path install).
function lib_installed_from_git {
    local name=$1 norm
    local -a pip
    local pip_root
    _ps_pip_select
    norm=$(echo "$name" | tr '[:upper:]_.' '[:lower:]--')
    "${pip[@]}" list --format=columns 2>/dev/null | awk -v n="$norm" '
        { k = tolower($1); gsub(/[_.]/, "-", k) }
        k == n && $3 != "" { found = 1 }
        END { exit(found ? 0 : 1) }'
}

# _ps_package_name DIR: the distribution name of the python project in DIR.
_ps_package_name() {
    local dir=$1 name=""
    [[ ! -f $dir/setup.cfg ]] || name=$(iniget "$dir/setup.cfg" metadata name)
    if [[ -z $name && -f $dir/pyproject.toml ]]; then
        name=$(awk -F= '/^\[project\]/ { p = 1; next } /^\[/ { p = 0 }
            p && $1 ~ /^[ \t]*name[ \t]*$/ { v = $2; gsub(/[ \t"\047]/, "", v); print v; exit }' "$dir/pyproject.toml")
    fi
    echo "${name:-${dir##*/}}"
}

# _ps_bindep_arg ARG: the leading `-bindep[=PROFILE,...]` of setup_package
# and the functions that pass it on. Sets _PS_BINDEP to (ARG) when ARG is
# one, else to (); returns 0 when it is, for the caller to shift it off:
#   _ps_bindep_arg "${1:-}" && shift
#   local -a bindep=("${_PS_BINDEP[@]}")
_ps_bindep_arg() {
    _PS_BINDEP=()
    [[ $1 == -bindep* ]] || return 1
    _PS_BINDEP=("$1")
}

# setup_package [-bindep[=PROFILE,...]] DIR [FLAGS] [EXTRAS]: pip install
# FLAGS DIR[EXTRAS]; with -bindep, DIR/bindep.txt packages first. FLAGS
# that do not start with "-" are taken as EXTRAS.
function setup_package {
    _ps_bindep_arg "${1:-}" && shift
    local -a bindep=("${_PS_BINDEP[@]}")
    local project_dir=$1 flags=${2:-} extras=${3:-}
    if [[ -n $flags && -z $extras && $flags != -* ]]; then
        extras=$flags
        flags=""
    fi
    [[ -z $extras ]] || extras="[$extras]"
    if ((${#bindep[@]})); then
        # -bindep=PROFILE,... names the profiles; plain -bindep, none
        local profiles=""
        [[ ${bindep[0]} != *=* ]] || profiles=${bindep[0]#*=}
        install_bindep "$project_dir/bindep.txt" "$profiles"
    fi
    local -a flag_args=()
    [[ -z $flags ]] || read -r -a flag_args <<<"$flags"
    pip_install "${flag_args[@]}" "$project_dir$extras"
    # later steps (setup.py sdist and the like) run as STACK_USER
    if [[ $flags == "-e" && -n ${STACK_USER:-} ]]; then
        local info
        for info in "$project_dir"/*.egg-info; do
            [[ -e $info && $(stat -c %U "$info") != "$STACK_USER" ]] || continue
            _ps_root chown -R "$STACK_USER" "$info"
        done
    fi
    return 0
}

# _setup_package_with_constraints_edit [-bindep] DIR FLAGS [EXTRAS]: drops
# the project from the upper constraints first (so that later installs keep
# this source install), installs it, and checks a LIBS_FROM_GIT library
# really came from its checkout.
function _setup_package_with_constraints_edit {
    _ps_bindep_arg "${1:-}" && shift
    local -a bindep=("${_PS_BINDEP[@]}")
    local project_dir=$1 flags=${2:-} extras=${3:-} name
    project_dir=$(cd "$project_dir" && pwd) || die "no such project directory: $1"
    name=$(_ps_package_name "$project_dir")
    local constraints=${REQUIREMENTS_DIR:-}/upper-constraints.txt
    if [[ -n ${REQUIREMENTS_DIR:-} && -f $constraints ]]; then
        if [[ -x $REQUIREMENTS_DIR/.venv/bin/edit-constraints ]]; then
            "$REQUIREMENTS_DIR/.venv/bin/edit-constraints" "$constraints" -- "$name"
        else
            local pattern
            pattern=${name//[-_.]/[-_.]}
            sed -i -E "/^${pattern}[[:space:]]*([=<>!~;]|$)/Id" "$constraints"
        fi
    fi
    setup_package "${bindep[@]}" "$project_dir" "$flags" "$extras"
    if use_library_from_git "$name" || use_library_from_git "${project_dir##*/}"; then
        lib_installed_from_git "$name" ||
            die "The following LIBS_FROM_GIT was not installed correctly: $name ($project_dir)"
    fi
    return 0
}

# setup_install [-bindep] DIR [EXTRAS]: a regular (non-editable) install.
function setup_install {
    _ps_bindep_arg "${1:-}" && shift
    local -a bindep=("${_PS_BINDEP[@]}")
    _setup_package_with_constraints_edit "${bindep[@]}" "$1" "" "${2:-}"
}

# setup_develop [-bindep] DIR [EXTRAS]: an editable install (pip install -e).
function setup_develop {
    _ps_bindep_arg "${1:-}" && shift
    local -a bindep=("${_PS_BINDEP[@]}")
    _setup_package_with_constraints_edit "${bindep[@]}" "$1" -e "${2:-}"
}

# setup_lib NAME: setup_install of the checkout at GITDIR[NAME].
function setup_lib {
    local name=$1
    [[ -n ${GITDIR[$name]:-} ]] || die "setup_lib $name: GITDIR[$name] is not set"
    setup_install "${GITDIR[$name]}"
}

# setup_dev_lib [-bindep] NAME [EXTRAS]: setup_develop of GITDIR[NAME].
function setup_dev_lib {
    _ps_bindep_arg "${1:-}" && shift
    local -a bindep=("${_PS_BINDEP[@]}")
    local name=$1
    [[ -n ${GITDIR[$name]:-} ]] || die "setup_dev_lib $name: GITDIR[$name] is not set"
    setup_develop "${bindep[@]}" "${GITDIR[$name]}" "${2:-}"
}

# _get_python_version INTERPRETER: "X.Y" of INTERPRETER, empty if missing.
function _get_python_version {
    if command -v "$1" >/dev/null 2>&1; then
        "$1" -c 'import sys; print("%s.%s" % sys.version_info[0:2])'
    fi
}

# python_version / python3_version: "python3.Y" of the python in use.
function python_version {
    echo "python$(_get_python_version "$(_ps_python)")"
}
function python3_version {
    echo "python$(_get_python_version python3)"
}

# python3_enabled: always true (python 2 is gone).
function python3_enabled {
    return 0
}

# install_python: the python3 packages, and PYTHON set to the interpreter.
function install_python {
    install_python3
    PYTHON=$(command -v "$(_ps_python)" 2>/dev/null || true)
    export PYTHON
}

# install_python3: python3 and its headers from the distro.
function install_python3 {
    if is_ubuntu; then
        install_package python3 python3-dev python3-venv
    elif is_fedora; then
        install_package python3 python3-devel
    fi
}

# enable_python3_package / disable_python3_package: no-ops kept for plugins.
function enable_python3_package {
    echo "It is no longer necessary to call enable_python3_package()."
}
function disable_python3_package {
    echo "It is no longer possible to call disable_python3_package()."
}
