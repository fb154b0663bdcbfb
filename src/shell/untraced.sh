#!/bin/bash
# plugstack library: the xtrace pause that the ini functions, trueorfalse and
# localconf_set share. (The service functions and the stack-shell driver pause
# xtrace with `local -` instead, which costs the log fewer lines: see
# services.sh.)

# _ps_untraced FUNCTION ARGS...: runs FUNCTION with xtrace off and turns it
# back on. The hot functions call themselves through it when xtrace is on,
# so that with xtrace off they do not pay for saving and restoring it.
_ps_untraced() {
    set +o xtrace
    local _ps_status=0
    "$@" || _ps_status=$?
    set -o xtrace
    return $_ps_status
}
