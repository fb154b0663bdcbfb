#!/bin/bash
# A DevStack-layout service library path written by plugstack (lib/apache,
# lib/keystone, lib/neutron_plugins/ml2, ...). Plugins that `source
# $TOP_DIR/lib/...` find DevStack's functions this way: sourcing it loads
# plugstack's bash library (each file at most once per shell), which
# defines the functions DevStack keeps in these files.
# <entry/here.sh: plugstack writes it here, setting _ps_here>
# shellcheck disable=SC2154 # _ps_here: set just above
_ps_lib_top=$_ps_here
while [[ $_ps_lib_top != / && ! -f $_ps_lib_top/plugstack/load.sh ]]; do
    _ps_lib_top=${_ps_lib_top%/*}
    _ps_lib_top=${_ps_lib_top:-/}
done
# shellcheck disable=SC1091 # written by plugstack at the top of this tree
source "$_ps_lib_top/plugstack/load.sh"
unset _ps_lib_top _ps_here
