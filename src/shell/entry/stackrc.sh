#!/bin/bash
# DevStack-layout `stackrc` written by plugstack: loads the library and
# applies DevStack's defaults (DEST, DATA_DIR, SERVICE_HOST, ...), each only
# where the variable is still empty, so sourcing it again is harmless.
# Outside a plugstack run it sources localrc (or .localrc.auto) beside it
# between the early and the other defaults, as DevStack's stackrc does;
# inside a run (PLUGSTACK_SELF set) plugstack has loaded localrc already.
# <entry/here.sh: plugstack writes it here, setting _ps_here>
# shellcheck disable=SC2154 # _ps_here: set just above
_ps_rc_dir=$_ps_here
# shellcheck disable=SC1091 # written beside this file by plugstack
source "$_ps_rc_dir/plugstack/load.sh"
RC_DIR=${RC_DIR:-$_ps_rc_dir}
TOP_DIR=${TOP_DIR:-$_ps_rc_dir}
_ps_stackrc_early
if [[ -z ${PLUGSTACK_SELF[0]:-} && -z ${_PS_LOCALRC_LOADED:-} ]]; then
    _PS_LOCALRC_LOADED=1
    if [[ -f $_ps_rc_dir/localrc ]]; then
        # shellcheck disable=SC1091
        source "$_ps_rc_dir/localrc"
    elif [[ -f $_ps_rc_dir/.localrc.auto ]]; then
        # shellcheck disable=SC1091
        source "$_ps_rc_dir/.localrc.auto"
    fi
    if [[ -f $_ps_rc_dir/.localrc.password ]]; then
        # shellcheck disable=SC1091
        source "$_ps_rc_dir/.localrc.password"
    fi
fi
_ps_stackrc_defaults
unset _ps_rc_dir
