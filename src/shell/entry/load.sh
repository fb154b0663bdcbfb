#!/bin/bash
# plugstack library loader (plugstack/load.sh in an exported tree).
#
# Sources each library file listed in FILES beside it, in that order, at
# most once per shell: sourcing an entry file again keeps the functions a
# plugin has redefined since, as DevStack's re-source guards do. Prints
# nothing; tracing is paused while the library loads.
{ _ps_load_xt=$-; set +o xtrace; } 2>/dev/null
# <entry/here.sh: plugstack writes it here, setting _ps_here>
# shellcheck disable=SC2154 # _ps_here: set just above
declare -gA _PS_LIB_LOADED
_PS_LIB_DIR=$_ps_here
mapfile -t _ps_load_names <"$_PS_LIB_DIR/FILES"
for _ps_load_name in "${_ps_load_names[@]}"; do
    [[ -n $_ps_load_name && -z ${_PS_LIB_LOADED[$_ps_load_name]:-} ]] || continue
    # shellcheck disable=SC1090 # the library files are listed in FILES
    source "$_PS_LIB_DIR/$_ps_load_name"
    _PS_LIB_LOADED[$_ps_load_name]=1
done
unset _ps_load_names _ps_load_name _ps_here
[[ $_ps_load_xt != *x* ]] || set -o xtrace
unset _ps_load_xt
