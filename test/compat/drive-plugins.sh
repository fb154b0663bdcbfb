# shellcheck shell=bash
# drive-plugins.sh - runs DevStack plugins the way stack.sh does, in one
# shell, for the library tests (until they run through the stack driver).
#
# Source it after the library, with PS_PLUGINS naming plugin directories
# under $DEST (in run order), then call:
#   ps_drive_stack     override-defaults, settings, then stack pre-install,
#                      install, post-config, extra and test-config
#   ps_drive_unstack   unstack
#   ps_drive_clean     clean
# PS_TRACE_FUNCS=FILE records the name of every function that runs (once per
# shell, subshells included) for coverage checks.

set -o errexit
set -o pipefail

if [[ -n ${PS_TRACE_FUNCS:-} ]]; then
    declare -gA _ps_traced
    set -o functrace
    # shellcheck disable=SC2016 # expanded when the trap fires
    trap '[[ -n ${FUNCNAME[0]:-} && -z ${_ps_traced[${FUNCNAME[0]}]:-} ]] &&
        { _ps_traced[${FUNCNAME[0]}]=1; echo "${FUNCNAME[0]}" >>"$PS_TRACE_FUNCS"; }; :' DEBUG
fi

# _ps_hook PLUGIN WHAT: mark the start of a hook in the output.
function _ps_hook {
    _PS_DRIVE_WHAT=$2
    echo "=== $1 $2"
}

# a failing hook stops the run; say which plugin and hook it was
function _ps_drive_exit {
    local status=$?
    if ((status != 0)) && [[ -n ${PLUGSTACK_PLUGIN:-} ]]; then
        echo "plugin $PLUGSTACK_PLUGIN failed in ${_PS_DRIVE_WHAT:-?} (status $status)" >&2
    fi
}
trap _ps_drive_exit EXIT

function _ps_source_settings {
    local plugin=$1
    # settings are sourced inside a function, so `local` works in them
    source "$DEST/$plugin/devstack/settings"
}

function ps_drive_stack {
    local plugin phase
    for plugin in $PS_PLUGINS; do
        if [[ -f $DEST/$plugin/devstack/override-defaults ]]; then
            export PLUGSTACK_PLUGIN=$plugin
            _ps_hook "$plugin" override-defaults
            source "$DEST/$plugin/devstack/override-defaults"
        fi
    done
    for plugin in $PS_PLUGINS; do
        if [[ -f $DEST/$plugin/devstack/settings ]]; then
            export PLUGSTACK_PLUGIN=$plugin
            _ps_hook "$plugin" settings
            _ps_source_settings "$plugin"
        fi
    done
    for phase in pre-install install post-config extra test-config; do
        ps_drive_mode stack "$phase"
    done
    PLUGSTACK_PLUGIN=""
}

# ps_drive_mode MODE [PHASE]: every plugin's plugin.sh with MODE PHASE.
function ps_drive_mode {
    local plugin
    for plugin in $PS_PLUGINS; do
        if [[ -f $DEST/$plugin/devstack/plugin.sh ]]; then
            export PLUGSTACK_PLUGIN=$plugin
            _ps_hook "$plugin" "$*"
            source "$DEST/$plugin/devstack/plugin.sh" "$@"
        fi
    done
    PLUGSTACK_PLUGIN=""
}

function ps_drive_unstack {
    ps_drive_mode unstack
}

function ps_drive_clean {
    ps_drive_mode clean
}
