#!/bin/bash
# A DevStack-layout entry file written by plugstack (inc/ini-config,
# inc/meta-config, inc/python, inc/async, inc/rootwrap): sourcing it loads
# plugstack's bash library, which defines these functions among DevStack's
# others. Each library file is loaded at most once per shell, so sourcing
# this again, or another entry file, is harmless.
_ps_inc_top=${BASH_SOURCE[0]%/*}
# (an absolute path without //, . or .. is already what cd+pwd gives: no subshell)
if [[ $_ps_inc_top == /?*/?* && $_ps_inc_top/ != *//* && $_ps_inc_top/ != */./* && $_ps_inc_top/ != */../* ]]; then
    _ps_inc_top=${_ps_inc_top%/*}
else
    _ps_inc_top=$(CDPATH='' cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fi
# shellcheck disable=SC1091 # written beside this file by plugstack
source "$_ps_inc_top/plugstack/load.sh"
unset _ps_inc_top
