#!/bin/bash
# plugstack: the xtrace pause the hot functions share. Its own file because
# two scripts need it: the library, and the stack-shell driver, which the
# base layer loads without the library (src/base/run.ts writes both into its
# driver.sh).

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
