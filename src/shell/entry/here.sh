# shellcheck shell=bash
# Written by plugstack into each entry file and load.sh, at its mark:
# _ps_here is the directory of the file being sourced, absolute, as
# `cd "$(dirname "${BASH_SOURCE[0]}")" && pwd` gives it, without that
# subshell when BASH_SOURCE is already an absolute path with no //, . or ..
_ps_here=${BASH_SOURCE[0]%/*}
[[ $_ps_here == /?* && $_ps_here/ != *//* && $_ps_here/ != */./* && $_ps_here/ != */../* ]] ||
    _ps_here=$(CDPATH='' cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
