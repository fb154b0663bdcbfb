#!/bin/bash
# DevStack-layout `openrc` written by plugstack:
#   source openrc [USERNAME] [PROJECT]
# loads stackrc (library and defaults), the last run's .stackenv when there
# is one, and exports the OS_* credentials for the openstack client
# (USERNAME and PROJECT default to demo, the password to ADMIN_PASSWORD).
# <entry/here.sh: plugstack writes it here, setting _ps_here>
# shellcheck disable=SC2154 # _ps_here: set just above
_ps_openrc_dir=$_ps_here
# shellcheck disable=SC1091 # written beside this file by plugstack
source "$_ps_openrc_dir/stackrc"
if [[ -r $_ps_openrc_dir/.stackenv ]]; then
    # shellcheck disable=SC1091
    source "$_ps_openrc_dir/.stackenv"
fi
_ps_openrc_credentials "${1:-}" "${2:-}"
unset _ps_openrc_dir
