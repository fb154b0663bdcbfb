#!/bin/bash
# A DevStack-layout entry file written by plugstack (functions,
# functions-common): sourcing it loads plugstack's bash library, which
# defines DevStack's public functions. Each library file is loaded at most
# once per shell, so sourcing this again, or another entry file, is harmless.
_ps_top_dir=${BASH_SOURCE[0]%/*}
# (an absolute path without //, . or .. is already what cd+pwd gives: no subshell)
[[ $_ps_top_dir == /?* && $_ps_top_dir/ != *//* && $_ps_top_dir/ != */./* && $_ps_top_dir/ != */../* ]] ||
    _ps_top_dir=$(CDPATH='' cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC1091 # written beside this file by plugstack
source "$_ps_top_dir/plugstack/load.sh"
unset _ps_top_dir
