#!/bin/bash
# plugstack stack-shell driver.
#
# Sourced once into the stack shell, after the library and before the
# generated run script calls the steps. It calls the plugins' hooks the way
# DevStack's stack.sh/unstack.sh/clean.sh do (run_phase, run_plugins,
# load_plugin_settings, plugin_override_defaults) and reports what happens
# to plugstack over the file descriptor $PLUGSTACK_EVENT_FD, one
# TAB-separated line per event. Nothing here prints while being sourced.

# Write one event line; never fails, never traces (library functions call
# it through _ps_notify, which the flag _PS_EVENTS sends here directly).
# With xtrace on, the functions here turn it off for their body (`local -`
# gives it back on return): their bookkeeping costs the log three lines.
_ps_event() {
    [[ $- != *x* ]] || { local -; set +o xtrace; }
    _ps_emit "$@"
    return 0
}
_PS_EVENTS=1

# _ps_event's work, for callers that have paused xtrace themselves: the
# fields joined by TABs, newlines in them made blanks.
_ps_emit() {
    local IFS=$'\t'
    local _ps_line="$*"
    [[ $_ps_line != *$'\n'* ]] || _ps_line=${_ps_line//$'\n'/ }
    _ps_send "$_ps_line"$'\n'
}

# _ps_send TEXT: writes TEXT (whole event lines) to the event fd, with no
# redirection but the write while every write has worked (a `2>/dev/null`
# each time cost an echo_summary a third more). Should one fail (a hook
# closed the fd, or ran a command with it closed), bash says so once, and
# later events are still tried, quietly: a fd closed for one command loses
# only that command's events.
_PS_EVENT_FAILED=""
_ps_send() {
    [[ -n ${PLUGSTACK_EVENT_FD:-} ]] || return 0
    if [[ -z $_PS_EVENT_FAILED ]]; then
        printf '%s' "$1" >&"$PLUGSTACK_EVENT_FD" || _PS_EVENT_FAILED=1
    else
        # shellcheck disable=SC2261 # the fd is the event pipe, never stderr
        printf '%s' "$1" 2>/dev/null >&"$PLUGSTACK_EVENT_FD" || true
    fi
    return 0
}

# What is running now, for the failure report.
_PS_CUR_PLUGIN=""
_PS_CUR_KIND=""
_PS_CUR_FILE=""
_PS_CUR_STEP=""

_ps_hook_begin() { # PLUGIN KIND FILE
    [[ $- != *x* ]] || { local -; set +o xtrace; }
    _PS_CUR_PLUGIN=$1 _PS_CUR_KIND=$2 _PS_CUR_FILE=$3
    export PLUGSTACK_PLUGIN=$1
    _ps_emit hook-start "$1" "$2" "$3" "$_PS_CUR_STEP"
}

_ps_hook_end() {
    [[ $- != *x* ]] || { local -; set +o xtrace; }
    _ps_emit hook-end "$_PS_CUR_PLUGIN" "$_PS_CUR_KIND" "$_PS_CUR_FILE" "$_PS_CUR_STEP"
    _PS_CUR_PLUGIN="" _PS_CUR_KIND="" _PS_CUR_FILE=""
    PLUGSTACK_PLUGIN=""
}

_ps_step_begin() { # LABEL
    _PS_CUR_STEP=$1
    _ps_event step-start "$1"
}

_ps_step_end() {
    _ps_event step-end "$_PS_CUR_STEP"
    _PS_CUR_STEP=""
}

# A warning: one event (plugstack shows it) and one line in the run log.
_ps_warn() { # MESSAGE
    _ps_event warn "$1"
    if [[ -n ${_PS_XTRACE_FD:-} ]]; then
        echo "WARNING: $1" >&"$_PS_XTRACE_FD"
    elif [[ -z ${PLUGSTACK_EVENT_FD:-} ]]; then
        echo "WARNING: $1" >&2
    fi
    return 0
}

# ERR trap: record where the failing command was. Subshells (command
# substitutions inherit the trap through errtrace) do not report: only a
# failure of the stack shell itself stops the run. Without errexit (unstack,
# clean) a failing command is a warning and the run goes on; when it was the
# last command of a function, bash runs the trap again at each caller as
# the status comes back: that is the same failure, reported once.
_PS_ERR_LAST=""
_ps_on_err() { # STATUS LINE FILE COMMAND
    [[ $BASHPID == "$$" ]] || return 0
    local depth=${#FUNCNAME[@]} last=$_PS_ERR_LAST
    _PS_ERR_LAST="$depth $1 $4"
    if [[ -n $last && ${last%% *} -gt $depth && ${last#* } == "$1 $4" ]]; then
        return 0
    fi
    _ps_event error "$1" "$3" "$2" "$4" "$_PS_CUR_PLUGIN" "$_PS_CUR_STEP"
    if [[ $- != *e* && -n $_PS_CUR_STEP ]]; then
        _ps_warn "'$4' failed with status $1 at $3:$2${_PS_CUR_PLUGIN:+ (plugin $_PS_CUR_PLUGIN)}; $_PS_CUR_STEP goes on, as DevStack's does"
    fi
}

# `exit` in a hook stops the run like DevStack's scripts; the wrapper only
# remembers where it was called, for the report (the EXIT trap cannot see
# that line). In a subshell it just leaves the subshell.
_PS_EXIT_FILE="" _PS_EXIT_LINE=""
function exit {
    local _ps_status=$?
    if [[ $BASHPID == "$$" ]]; then
        _PS_EXIT_FILE=${BASH_SOURCE[1]:-} _PS_EXIT_LINE=${BASH_LINENO[0]:-}
    fi
    builtin exit "${@:-$_ps_status}"
}

_ps_on_exit() {
    local status=$?
    _ps_event exit "$status" "$_PS_CUR_PLUGIN" "$_PS_CUR_STEP" "$_PS_CUR_FILE" "$_PS_EXIT_FILE" "$_PS_EXIT_LINE"
}

# Shell options as in stack.sh: errexit, an ERR trap, xtrace into the log.
# unstack.sh and clean.sh run without errexit: pass "noerrexit".
_ps_start_tracing() { # LOGFILE [noerrexit]
    trap '_ps_on_err $? "$LINENO" "${BASH_SOURCE[0]:-}" "$BASH_COMMAND"' ERR
    trap _ps_on_exit EXIT
    set -o errtrace
    [[ ${2:-} == noerrexit ]] || set -o errexit
    if [[ -n ${PLUGSTACK_TRACE_FD:-} ]]; then
        # plugstack reads the trace from this pipe and writes it to the log
        # (with URL credentials redacted); fd 4 itself is left free
        local _ps_pipe=$PLUGSTACK_TRACE_FD
        exec {_PS_XTRACE_FD}>&"$_ps_pipe"
        exec {_ps_pipe}>&-
        unset PLUGSTACK_TRACE_FD
    elif [[ -n ${1:-} ]]; then
        exec {_PS_XTRACE_FD}>>"$1"
    else
        return 0
    fi
    BASH_XTRACEFD=$_PS_XTRACE_FD
    # file:line:function of each traced line; bash expands PS4 for every
    # line, and the array names without [0] (the same element) and the
    # unnested ${FUNCNAME:+...} cost about a third less than with them
    PS4='+ ${BASH_SOURCE##*/}:${LINENO}:${FUNCNAME:+$FUNCNAME:} '
    set -o xtrace
}

# The hook loop below traces (xtrace) only what a hook runs, and one line of
# its own after each hook: it pauses xtrace for its bookkeeping and turns it
# back on around the `source` of a hook file when it was on before it; a
# hook that leaves xtrace off (or on) leaves it so for the next one, as in
# DevStack.

# _ps_each_plugin FILE [ARG...]: each plugin in run order that has
# devstack/FILE sources it with the ARGs (none: none), as a reported hook,
# inside this function so that `local` works there (DevStack sources
# settings inside load_plugin_settings); override-defaults files are echoed
# first because overrides surprise people later.
#
# Per hook, the loop's own cost is kept small (a stack runs it for every
# plugin at every hook point): one write of events (the hook-end of the hook
# before and the hook-start of this one: nothing that can fail runs between
# the two, and _ps_send writes it), and
# one traced line after the hook, `set +o xtrace -- FLAGS`, which pauses
# xtrace and keeps the flags the hook left ($-) in $1 in the same command.
# The ARGs are set again before each hook.
_ps_each_plugin() {
    local _ps_xt=$-
    set +o xtrace
    local _ps_file=$1 plugin dir _ps_i _ps_start _ps_end=""
    shift
    local -a _ps_args=("$@")
    for ((_ps_i = 0; _ps_i < ${#PLUGSTACK_RUN_ORDER[@]}; _ps_i++)); do
        plugin=${PLUGSTACK_RUN_ORDER[_ps_i]}
        dir=${PLUGSTACK_PLUGIN_DIRS[$plugin]}
        [[ -f $dir/devstack/$_ps_file ]] || continue
        if [[ $_ps_file == override-defaults ]]; then
            _ps_end_flush
            echo "$plugin has overridden the following defaults"
            cat "$dir/devstack/$_ps_file"
        fi
        _PS_CUR_PLUGIN=$plugin _PS_CUR_KIND=$_ps_file _PS_CUR_FILE=$dir/devstack/$_ps_file
        export PLUGSTACK_PLUGIN=$plugin
        _ps_start=hook-start$'\t'$plugin$'\t'$_ps_file$'\t'$_PS_CUR_FILE$'\t'$_PS_CUR_STEP
        [[ $_ps_start != *$'\n'* ]] || _ps_start=${_ps_start//$'\n'/ }
        _ps_send "$_ps_end$_ps_start"$'\n'
        set -- "${_ps_args[@]}"
        [[ $_ps_xt != *x* ]] || set -o xtrace
        # shellcheck disable=SC1090
        source "$dir/devstack/$_ps_file" "$@"
        set +o xtrace -- "$-"
        _ps_xt=$1
        _ps_end="hook-end${_ps_start#hook-start}"$'\n'
        _PS_CUR_PLUGIN="" _PS_CUR_KIND="" _PS_CUR_FILE="" PLUGSTACK_PLUGIN=""
    done
    _ps_end_flush
    [[ $_ps_xt != *x* ]] || set -o xtrace
}

# _ps_end_flush: writes _ps_each_plugin's pending hook-end, if any.
_ps_end_flush() {
    [[ -z $_ps_end ]] || _ps_send "$_ps_end"
    _ps_end=""
}

# extras.d: $TOP_DIR/extras.d/NN-*.sh in file-name order, before plugins.
_ps_run_extras() { # MODE [PHASE]
    local mode=$1 phase=${2:-} _ps_f
    [[ -d $TOP_DIR/extras.d ]] || return 0
    for _ps_f in "$TOP_DIR"/extras.d/*.sh; do
        [[ -r $_ps_f ]] || continue
        _ps_hook_begin "extras.d/${_ps_f##*/}" extras.d "$_ps_f"
        # shellcheck disable=SC1090,SC2086
        source "$_ps_f" $mode $phase
        _ps_hook_end
    done
}

# _ps_find_hypervisor VAR: VAR set to the nova hypervisor file of
# VIRT_DRIVER, from a plugin or from $TOP_DIR (no subshell: a stack looks at
# five hook points); fails, VAR empty, when there is none.
_ps_find_hypervisor() {
    local _ps_name="lib/nova_plugins/hypervisor-${VIRT_DRIVER:-}" _ps_p
    printf -v "$1" '%s' ""
    [[ -n ${VIRT_DRIVER:-} ]] || return 1
    for _ps_p in "${PLUGSTACK_RUN_ORDER[@]}"; do
        if [[ -f ${PLUGSTACK_PLUGIN_DIRS[$_ps_p]}/devstack/$_ps_name ]]; then
            printf -v "$1" '%s' "${PLUGSTACK_PLUGIN_DIRS[$_ps_p]}/devstack/$_ps_name"
            return 0
        fi
    done
    [[ -f $TOP_DIR/$_ps_name ]] || return 1
    printf -v "$1" '%s' "$TOP_DIR/$_ps_name"
}

_ps_hypervisor() { # FUNCTION
    local fn=$1 file
    _ps_find_hypervisor file || return 0
    if [[ ${_PS_HYPERVISOR_LOADED:-} != "$file" ]]; then
        source "$file"
        _PS_HYPERVISOR_LOADED=$file
    fi
    if declare -F "$fn" >/dev/null; then
        _ps_hook_begin "hypervisor-$VIRT_DRIVER" hypervisor "$file"
        "$fn"
        _ps_hook_end
    fi
}

# run_phase MODE [PHASE]: extras.d, then plugins, then the hypervisor.
# The unstack and clean hooks run without errexit, as in DevStack's
# unstack.sh and clean.sh: a failing command there (killall of a process
# that is gone, a tool that is missing) is reported and the hooks go on;
# die and exit still stop the run.
_ps_run_phase() { # MODE [PHASE]
    local mode=$1 phase=${2:-} _ps_errexit=""
    if [[ ($mode == unstack || $mode == clean) && $- == *e* ]]; then
        _ps_errexit=1
        set +o errexit
    fi
    _ps_step_begin "$mode${phase:+ $phase}"
    _ps_run_extras "$mode" "$phase"
    case $mode in
        override_defaults) _ps_each_plugin override-defaults ;;
        source)
            _ps_each_plugin settings
            if declare -F verify_disabled_services >/dev/null; then
                verify_disabled_services
            fi
            ;;
        *)
            # shellcheck disable=SC2086 # an empty phase is no argument, as in DevStack
            _ps_each_plugin plugin.sh $mode $phase
            local fn=""
            case "$mode${phase:+ $phase}" in
                "stack install") fn=install_nova_hypervisor ;;
                "stack post-config") fn=configure_nova_hypervisor ;;
                "stack extra") fn=start_nova_hypervisor ;;
                unstack) fn=stop_nova_hypervisor ;;
                clean) fn=cleanup_nova_hypervisor ;;
            esac
            [[ -z $fn ]] || _ps_hypervisor "$fn"
            ;;
    esac
    _ps_step_end
    [[ -z $_ps_errexit ]] || set -o errexit
    return 0
}

# Merging [[GROUP|FILE]] blocks: the generated run script calls
# _ps_merge_target for each block, then _ps_merge_set per key.
_ps_merge_target() { # GROUP FILE-EXPRESSION WHERE
    local group=$1 expr=$2 where=$3
    # The file name is expanded in this shell, as DevStack does, so that
    # blocks may name $NOVA_CONF and the like.
    _PS_MERGE_FILE=""
    if _ps_dq_expand "$expr"; then
        _PS_MERGE_FILE=$_PS_VALUE
    fi
    if [[ -z $_PS_MERGE_FILE ]]; then
        _ps_warn "$where: [[$group|$expr]] names an empty file (is the variable set?); block skipped"
        return 1
    fi
    _PS_MERGE_SUDO=""
    if [[ ! -e $_PS_MERGE_FILE ]]; then
        mkdir -p "$(dirname "$_PS_MERGE_FILE")" 2>/dev/null || sudo mkdir -p "$(dirname "$_PS_MERGE_FILE")"
        touch "$_PS_MERGE_FILE" 2>/dev/null || sudo touch "$_PS_MERGE_FILE"
    fi
    [[ -w $_PS_MERGE_FILE ]] || _PS_MERGE_SUDO=-sudo
    return 0
}

# Values are expanded in this shell as if written in double quotes, as
# DevStack's merge does ("my_ip = $HOST_IP" works); a double quote in a
# value is kept literally (the library's _ps_dq_expand, shared with
# merge_config_file).
_ps_expand_value() { # RAW -> _PS_VALUE
    _ps_dq_expand "$1"
}

_ps_merge_set() { # SECTION KEY VALUE...
    local section=$1 key=$2 v
    local -a values=()
    shift 2
    for v in "$@"; do
        _ps_expand_value "$v"
        values+=("$_PS_VALUE")
    done
    # shellcheck disable=SC2086 # $_PS_MERGE_SUDO is -sudo or nothing: no argument at all when empty
    if [[ ${#values[@]} -gt 1 ]]; then
        iniset_multiline $_PS_MERGE_SUDO "$_PS_MERGE_FILE" "$section" "$key" "${values[@]}"
    else
        iniset $_PS_MERGE_SUDO "$_PS_MERGE_FILE" "$section" "$key" "${values[0]}"
    fi
}

# What stack.sh does to the machine outside DEST: the sudo set-up,
# DevStack's general prerequisites and /etc/openstack/clouds.yaml.
# PLUGSTACK_HOST_SETUP=False (localrc or the environment) leaves them out,
# for machines prepared beforehand (and for tests).
_ps_host_setup() {
    # True, False or unset without a subshell (a stack asks three times)
    case ${PLUGSTACK_HOST_SETUP:-} in
        "" | True) return 0 ;;
        False) return 1 ;;
    esac
    [[ $(trueorfalse True PLUGSTACK_HOST_SETUP) == True ]]
}

# Packages the plugins list, installed through plugstack itself in one
# transaction with DevStack's general prerequisites (tools/install_prereqs.sh);
# PYTHON is looked up again once they are there, as install_prereqs does.
# When the last run left them all installed and nothing they depend on
# changed (plugstack's key: see src/packages/installed-cache.ts), the step
# shows that run's plan again and does not call plugstack.
_ps_install_packages() {
    _ps_step_begin packages
    if [[ ${#PLUGSTACK_SELF[@]} -gt 0 ]]; then
        local general=False
        _ps_host_setup && general=True
        if ! _ps_packages_cached "$general"; then
            PLUGSTACK_GENERAL_PREREQS=$general _ps_self install-plugin-packages
        fi
    fi
    if [[ -z ${PYTHON:-} ]]; then
        PYTHON=$(command -v "python${PYTHON3_VERSION:-3}" 2>/dev/null || command -v python3 2>/dev/null || true)
        export PYTHON
    fi
    _ps_step_end
}

_ps_packages_cached() { # GENERAL
    local stamp=${PLUGSTACK_PACKAGES_STAMP:-} key=${PLUGSTACK_PACKAGES_KEY:-}
    local -a _ps_lines=()
    [[ -n $stamp && -n $key && -f $stamp ]] || return 1
    mapfile -t _ps_lines <"$stamp" 2>/dev/null || return 1
    [[ ${_ps_lines[0]:-} == "$1 $key" ]] || return 1
    if [[ ${#_ps_lines[@]} -gt 1 ]]; then
        printf '%s\n' "${_ps_lines[@]:1}"
    fi
    echo "packages: cached (all installed; the package lists and the package database are as the last run left them)"
    _ps_event packages-cached
}

# sudo for the stack user, as stack.sh sets it up: sudo installed, the
# sudoers.d directory included, and a sudoers.d entry letting STACK_USER run
# anything as root without a password, with sbin directories on its PATH.
# Paths are under PLUGSTACK_SYSROOT when that is set.
_ps_setup_sudo() {
    local root tmp
    root=$(_ps_sysroot)
    is_package_installed sudo || is_package_installed sudo-ldap || install_package sudo
    # DevStack adds the line when a `#includedir` is missing; a sudo of today
    # writes `@includedir`, which counts too
    if ! grep -qE '^[#@]includedir.*/etc/sudoers.d' "$root/etc/sudoers" 2>/dev/null; then
        echo "#includedir /etc/sudoers.d" | _ps_sudo tee -a "$root/etc/sudoers" >/dev/null
    fi
    _ps_sudo mkdir -p "$root/etc/sudoers.d"
    if [[ -n ${LOG_SUDO:-} ]]; then
        tmp=$(mktemp)
        echo "Defaults log_output" >"$tmp"
        chmod 0440 "$tmp"
        _ps_sudo chown root:root "$tmp"
        _ps_sudo mv "$tmp" "$root/etc/sudoers.d/00_logging"
    fi
    tmp=$(mktemp)
    {
        echo "$STACK_USER ALL=(root) NOPASSWD:ALL"
        echo "Defaults:$STACK_USER secure_path=/sbin:/usr/sbin:/usr/bin:/bin:/usr/local/sbin:/usr/local/bin"
        # sudo-rs has no requiretty
        if ! { sudo --version 2>/dev/null | grep -q sudo-rs; }; then
            echo "Defaults:$STACK_USER !requiretty"
        fi
    } >"$tmp"
    chmod 0440 "$tmp"
    _ps_sudo chown root:root "$tmp"
    _ps_sudo mv "$tmp" "$root/etc/sudoers.d/50_stack_sh"
}

# The steps stack.sh takes around the hooks, each under its own condition:
#   sudo         before everything else (unless PLUGSTACK_HOST_SETUP=False)
#   tls-proxy    configure_CA, init_CA, init_cert after `stack pre-install`,
#                when tls-proxy is enabled
#   clouds.yaml  write_clouds_yaml after `stack install`, where stack.sh
#                writes it before starting keystone; OS_CLOUD defaults to
#                devstack-admin from then on (unless PLUGSTACK_HOST_SETUP=False)
_ps_around() { # STEP
    case $1 in
        sudo)
            _ps_host_setup || return 0
            _ps_step_begin sudo
            _ps_setup_sudo
            ;;
        tls-proxy)
            is_service_enabled tls-proxy || return 0
            _ps_step_begin tls-proxy
            configure_CA
            init_CA
            init_cert
            ;;
        clouds.yaml)
            _ps_host_setup || return 0
            _ps_step_begin clouds.yaml
            write_clouds_yaml
            export OS_CLOUD=${OS_CLOUD:-devstack-admin}
            ;;
        *) die "plugstack: unknown step $1" ;;
    esac
    _ps_step_end
}

# local.sh beside local.conf, run (not sourced) when executable.
_ps_local_sh() {
    _ps_step_begin local.sh
    if [[ -x $TOP_DIR/local.sh ]]; then
        echo "Running user script $TOP_DIR/local.sh"
        _ps_hook_begin local.sh local.sh "$TOP_DIR/local.sh"
        "$TOP_DIR/local.sh"
        _ps_hook_end
    fi
    _ps_step_end
}
