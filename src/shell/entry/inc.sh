#!/bin/bash
# A DevStack-layout entry file written by plugstack (inc/ini-config,
# inc/meta-config, inc/python, inc/async, inc/rootwrap): sourcing it loads
# plugstack's bash library, which defines these functions among DevStack's
# others. Each library file is loaded at most once per shell, so sourcing
# this again, or another entry file, is harmless.
# <entry/here.sh: plugstack writes it here, setting _ps_here>
# shellcheck disable=SC2154 # _ps_here: set just above
_ps_inc_top=${_ps_here%/*}
_ps_inc_top=${_ps_inc_top:-/}
# shellcheck disable=SC1091 # written beside this file by plugstack
source "$_ps_inc_top/plugstack/load.sh"
unset _ps_inc_top _ps_here
