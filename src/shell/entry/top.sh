#!/bin/bash
# A DevStack-layout entry file written by plugstack (functions,
# functions-common): sourcing it loads plugstack's bash library, which
# defines DevStack's public functions. Each library file is loaded at most
# once per shell, so sourcing this again, or another entry file, is harmless.
# <entry/here.sh: plugstack writes it here, setting _ps_here>
# shellcheck disable=SC2154 # _ps_here: set just above
_ps_top_dir=$_ps_here
# shellcheck disable=SC1091 # written beside this file by plugstack
source "$_ps_top_dir/plugstack/load.sh"
unset _ps_top_dir _ps_here
