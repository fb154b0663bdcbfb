#!/bin/bash
# plugstack library: plugin functions.
#
# enable_plugin records a plugin the way DevStack does (DEVSTACK_PLUGINS,
# GITREPO, GITDIR, GITBRANCH). plugstack itself learns the plugin list,
# and define_plugin/plugin_requires, statically before the stack shell
# starts; inside the shell define_plugin and plugin_requires only record
# what they were told. Sourcing this file only defines functions and the
# globals below (re-sourcing keeps their contents).

declare -gA GITREPO GITDIR GITBRANCH
declare -gA _PS_PLUGIN_DEFINED _PS_PLUGIN_REQUIRES
DEVSTACK_PLUGINS=${DEVSTACK_PLUGINS:-}

# enable_plugin NAME URL [REF]: REF defaults to master. Enabling the same
# name twice dies.
function enable_plugin {
    local name=${1:-} url=${2:-} ref=${3:-master}
    if [[ -z $name || -z $url ]]; then
        die "enable_plugin needs a name and a url: enable_plugin NAME URL [REF]"
    fi
    if is_plugin_enabled "$name"; then
        die "Plugin attempted to be enabled twice: ${name} ${url} ${ref}"
    fi
    DEVSTACK_PLUGINS+=",$name"
    DEVSTACK_PLUGINS=${DEVSTACK_PLUGINS#,}
    GITREPO[$name]=$url
    GITDIR[$name]=${DEST:-/opt/stack}/$name
    GITBRANCH[$name]=$ref
}

# is_plugin_enabled NAME: true when enable_plugin named NAME.
function is_plugin_enabled {
    [[ ,${DEVSTACK_PLUGINS:-}, == *,"${1:-}",* && -n ${1:-} ]]
}

# define_plugin NAME: a plugin names itself (settings). Recorded only.
function define_plugin {
    [[ -z ${1:-} ]] || _PS_PLUGIN_DEFINED[$1]=${PLUGSTACK_PLUGIN:-}
    return 0
}

# plugin_requires NAME OTHER: NAME needs plugin OTHER. Recorded only: the
# check happens before the run, when plugstack reads every settings file.
function plugin_requires {
    if [[ -n ${1:-} && -n ${2:-} ]]; then
        _PS_PLUGIN_REQUIRES[$1]="${_PS_PLUGIN_REQUIRES[$1]:-}${_PS_PLUGIN_REQUIRES[$1]:+ }$2"
    fi
    return 0
}
