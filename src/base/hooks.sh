#!/bin/bash
# plugstack base-layer hooks.
#
# Sourced from the localrc plugstack writes into DevStack's checkout, after
# the stack-shell driver (its _ps_event, _ps_hook_begin/_end and
# _ps_step_begin/_end report to plugstack on $PLUGSTACK_EVENT_FD). DevStack's
# stack.sh, unstack.sh and clean.sh source localrc through stackrc after
# `functions`, so the definitions here wrap DevStack's own plugin dispatch:
# run_phase, load_plugin_settings, plugin_override_defaults, run_plugins and
# git_clone keep DevStack's behaviour and order, and say what they do. No
# file of DevStack is changed. stackrc may be sourced again (openrc): every
# definition here is idempotent.

# The script plugstack started (stack.sh, unstack.sh, clean.sh) reports its
# in-tree work; scripts it runs that source stackrc again (clean.sh runs
# unstack.sh, stack.sh runs tools/*) report only their phases and hooks.
if [[ -z ${PLUGSTACK_BASE_PID:-} ]]; then
    PLUGSTACK_BASE_PID=$$
    export PLUGSTACK_BASE_PID
fi

_ps_base_top() {
    [[ $$ == "$PLUGSTACK_BASE_PID" ]]
}

# In-tree work between two phases is one step, named after what it follows.
_ps_base_segment_begin() { # LABEL
    _ps_base_top || return 0
    _PS_BASE_SEGMENT=$1
    _ps_step_begin "$1"
}

_ps_base_segment_end() {
    if [[ -n ${_PS_BASE_SEGMENT:-} ]]; then
        _ps_step_end
        _PS_BASE_SEGMENT=""
    fi
}

# ERR: record where a command failed, also inside functions (errtrace), and
# call DevStack's own handler only where DevStack would have: at the top
# level of its script. Subshells record nothing.
_ps_base_on_err() { # STATUS LINE FILE COMMAND
    # what fails in DevStack's exit handler is not where the run failed
    [[ -z ${_PS_BASE_EXITING:-} ]] || return 0
    _PS_BASE_ERR_SEEN=1
    _ps_on_err "$@"
    [[ -n ${_PS_BASE_ERR_ORIG:-} && $BASHPID == "$$" ]] || return 0
    # without errtrace (DevStack's way) the trap fires outside functions only:
    # in the script itself or a file it sources
    local _ps_f
    for _ps_f in "${FUNCNAME[@]:1}"; do
        [[ $_ps_f == source || $_ps_f == main ]] || return 0
    done
    _ps_base_with_status "$1" "$_PS_BASE_ERR_ORIG"
}

# eval HANDLER with $? set to STATUS, as the shell would have called it;
# `||` keeps a non-zero STATUS from stopping an errexit shell here.
_ps_base_with_status() { # STATUS HANDLER
    local _ps_handler=$2
    if [[ $1 -eq 0 ]]; then
        eval "$_ps_handler"
    else
        _ps_base_return "$1" || eval "$_ps_handler"
    fi
}

_ps_base_return() { return "$1"; }

_ps_base_on_exit() {
    local status=$? cmd=$BASH_COMMAND file=${BASH_SOURCE[1]:-} line
    _PS_BASE_EXITING=1
    # `source` of a missing file stops bash without an ERR trap: report
    # the command and its line (found in the file) here
    if [[ $status -ne 0 && -z ${_PS_BASE_ERR_SEEN:-} && ( $cmd == "source "* || $cmd == ". "* ) && -f $file ]]; then
        line=$(grep -nF -- "$cmd" "$file" 2>/dev/null | head -n 1 | cut -d: -f1) || line=""
        _ps_event error "$status" "$file" "$line" "$cmd" "$_PS_CUR_PLUGIN" "$_PS_CUR_STEP"
    fi
    if [[ $status -eq 0 ]]; then
        _ps_base_segment_end
    fi
    _ps_event exit "$status" "$_PS_CUR_PLUGIN" "$_PS_CUR_STEP" "$_PS_CUR_FILE"
    if [[ -n ${_PS_BASE_EXIT_ORIG:-} ]]; then
        _ps_base_with_status "$status" "$_PS_BASE_EXIT_ORIG"
    fi
}

# The handler text of a trap (empty when none), from `trap -p SIGNAL`.
_ps_base_trap_text() { # SIGNAL
    local t
    t=$(trap -p "$1")
    [[ -n $t ]] || return 0
    eval "set -- $t"
    printf '%s' "$3"
}

# Chain plugstack's ERR and EXIT handlers before DevStack's (stack.sh sets
# its own after it sourced localrc, so this runs at the first phase).
_ps_base_traps() {
    local cur
    _ps_base_top || return 0
    set -o errtrace
    cur=$(_ps_base_trap_text ERR)
    # Without errtrace a function does not see the script's ERR trap, and
    # run_phase is a function: stack.sh's own handler is err_trap.
    if [[ -z $cur ]] && declare -F err_trap >/dev/null; then
        cur=err_trap
    fi
    if [[ $cur != _ps_base_on_err* ]]; then
        _PS_BASE_ERR_ORIG=$cur
        trap '_ps_base_on_err $? "$LINENO" "${BASH_SOURCE[0]:-}" "$BASH_COMMAND"' ERR
    fi
    cur=$(_ps_base_trap_text EXIT)
    if [[ $cur != _ps_base_on_exit* ]]; then
        _PS_BASE_EXIT_ORIG=$cur
        trap _ps_base_on_exit EXIT
    fi
}

# DevStack's plugin loops, each hook reported. Same order (DEVSTACK_PLUGINS),
# same directories (GITDIR), same messages, same `source` in a function.

# _ps_base_each_plugin FILE [ARG...]: each plugin that has devstack/FILE
# sources it with the ARGs (none: none), as a reported hook; an
# override-defaults file is shown first.
_ps_base_each_plugin() {
    local _ps_file=$1 plugins="${DEVSTACK_PLUGINS}" plugin
    shift
    for plugin in ${plugins//,/ }; do
        local dir=${GITDIR[$plugin]}
        if [[ -f $dir/devstack/$_ps_file ]]; then
            if [[ $_ps_file == override-defaults ]]; then
                echo "$plugin has overridden the following defaults"
                cat "$dir/devstack/$_ps_file"
            fi
            _ps_hook_begin "$plugin" "$_ps_file" "$dir/devstack/$_ps_file"
            source "$dir/devstack/$_ps_file" "$@"
            _ps_hook_end
        fi
    done
}

function plugin_override_defaults {
    [[ -n ${DEVSTACK_PLUGINS} ]] || return 0
    echo "Overriding Configuration Defaults"
    _ps_base_each_plugin override-defaults
}

function load_plugin_settings {
    [[ -n ${DEVSTACK_PLUGINS} ]] || return 0
    echo "Loading plugin settings"
    _ps_base_each_plugin settings
}

function run_plugins {
    local mode=$1
    local phase=$2
    # an empty phase (unstack, clean) passes no argument, as stack.sh does
    # shellcheck disable=SC2086
    _ps_base_each_plugin plugin.sh $mode $phase
}

# run_phase: DevStack's own (saved once), as one step; the in-tree work
# after it is the next step.
if ! declare -F _ps_devstack_run_phase >/dev/null; then
    eval "$(declare -f run_phase | sed '1s/^run_phase /_ps_devstack_run_phase /')"
fi
function run_phase {
    local _ps_label="$1${2:+ $2}"
    _ps_base_traps
    _ps_base_segment_end
    _ps_step_begin "$_ps_label"
    _ps_devstack_run_phase "$@"
    _ps_step_end
    _ps_base_segment_begin "devstack after $_ps_label"
}

# git_clone: DevStack's own (saved once); each call reports the repository,
# the ref, the commit it ended at, who asked (the plugin whose hook runs, or
# devstack) and the directory, so plugstack can pin it.
if ! declare -F _ps_devstack_git_clone >/dev/null; then
    eval "$(declare -f git_clone | sed '1s/^git_clone /_ps_devstack_git_clone /')"
fi
function git_clone {
    local _ps_remote=$1 _ps_dest=$2 _ps_ref=${3:-} _ps_head
    _ps_devstack_git_clone "$@"
    _ps_head=$(git -C "$_ps_dest" rev-parse HEAD 2>/dev/null) || _ps_head=""
    _ps_event repo "$_ps_remote" "${_ps_ref:-master}" "$_ps_head" "${PLUGSTACK_PLUGIN:-devstack}" "$_ps_dest"
}

# Everything stackrc does before the first phase is one step too.
if [[ -z ${_PS_BASE_STARTED:-} ]]; then
    _PS_BASE_STARTED=1
    _ps_base_segment_begin "devstack setup"
fi
