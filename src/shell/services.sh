#!/bin/bash
# plugstack library: service functions.
#
# ENABLED_SERVICES is a comma-separated list of service names; an entry
# written "-name" negates "name" (DevStack's `ENABLED_SERVICES+=,-rabbit`).
# DISABLED_SERVICES remembers what disable_service removed, so that a later
# enable_service or a direct edit of ENABLED_SERVICES is caught.
# Sourcing this file only defines functions (and the fast paths' state).
#
# The patterns held in variables ($_PS_NOT_PLAIN, $_PS_CLEAN_KEY) are
# meant as patterns: they are not quoted on the right of == and != or
# in case patterns.
# shellcheck disable=SC2053,SC2254

# _ps_split_services LIST...: one service name per line, from lists
# separated by commas and/or spaces; empty entries dropped.
_ps_split_services() {
    local item
    # shellcheck disable=SC2048 # word splitting on spaces is the point
    for item in ${*//,/ }; do
        [[ -n $item ]] && printf '%s\n' "$item"
    done
    return 0
}

# The functions below run in pure bash on their common path (no subshell,
# pipeline or external command): plugins call them hundreds of times per
# stack. Helpers return their result in the caller's local _ps_out.
# With xtrace on, these functions turn it off for their body (`[[ $- != *x*
# ]] || { local -; set +o xtrace; }`: `local -` gives it back when the
# function returns), so that their bookkeeping costs the log three lines per
# call (is_service_enabled) or five (enable_service, disable_service and
# remove_disabled_services call their general path, or for enable_service
# a short helper, with xtrace on, which pauses it and calls them again: the
# test costs their common case nothing,
# where a statement more in their body would cost each call its copy).

# _ps_list_clean LIST: _ps_out=LIST without empty entries, leading or
# trailing commas.
_ps_list_clean() {
    _ps_out=$1
    while [[ $_ps_out == *,,* ]]; do
        _ps_out=${_ps_out//,,/,}
    done
    # a `#` removal tries each prefix in turn: only when there is one
    [[ $_ps_out != ,* ]] || _ps_out=${_ps_out#,}
    _ps_out=${_ps_out%,}
}

# _ps_list_remove LIST REMOVE: _ps_out=LIST minus every name in REMOVE
# (both separated by commas and/or spaces), joined with commas.
_ps_list_remove() {
    local service remove keep
    _ps_out=""
    # shellcheck disable=SC2086 # word splitting on spaces is the point
    for service in ${1//,/ }; do
        [[ -n $service ]] || continue
        keep=1
        for remove in ${2//,/ }; do
            if [[ $remove == "$service" ]]; then
                keep=0
                break
            fi
        done
        [[ $keep == 0 ]] || _ps_out+=",$service"
    done
    _ps_out=${_ps_out#,}
}

# _ps_list_plain LIST: true when LIST is split by commas alone, as the
# word splitting of the general path would split it (default IFS, no
# blanks, no glob characters), so cleaning it is all there is to do.
_ps_list_plain() {
    [[ $IFS == "$_PS_IFS" && $1 != $_PS_NOT_PLAIN_LIST ]]
}

# _PS_NOT_PLAIN: a pattern matching any name or list that holds a blank or
# a character special to patterns (* ? [ \ and the "(" of extglob's forms),
# or a comma. A name that does not match it (and is not empty or negated)
# is one entry the general path's word splitting keeps as it is; a list of
# such names may be compared as a pattern, which is faster than as a string.
_PS_NOT_PLAIN=$'*[ \t\n,*?[\\\\(]*'
# _PS_NOT_PLAIN_LIST: the same for a list of such names split by commas.
_PS_NOT_PLAIN_LIST=$'*[ \t\n*?[\\\\(]*'

# _ps_plain_name NAME: true when NAME is one entry the general path's word
# splitting would keep as it is (see _PS_NOT_PLAIN; not negated, not empty).
_ps_plain_name() {
    [[ -n $1 && $1 != -* && $1 != $_PS_NOT_PLAIN ]]
}

# _PS_IFS: bash's default IFS. The fast paths below need it: with another
# IFS the general path splits names differently.
_PS_IFS=$' \t\n'

# The fast paths take ENABLED_SERVICES as they find it when it is clean:
# plain names (see _PS_NOT_PLAIN) joined by single commas, no negated or
# empty entries, and IFS is the default. _PS_CLEAN_KEY is IFS followed by
# the last clean value seen, and _PS_ES_SET holds its names as keys (the
# value: a "1" for each time the name is listed; "" once disable_service
# dropped it). A clean value holds no
# pattern characters, so `[[ $IFS$ENABLED_SERVICES == $_PS_CLEAN_KEY ]]`
# compares them as they are (and faster than a quoted comparison does);
# then a look-up in the set answers for one name. Checking a long list
# instead costs a pass over it for each name.
_PS_CLEAN_KEY=$_PS_IFS
declare -gA _PS_ES_SET=()
# _PS_FAM_ANS: for a catch-all name, the status its prefixes give on the
# list in _PS_CLEAN_KEY: "0" (a listed name has one), or "1 LENGTH" (none;
# LENGTH: the list's length then). Emptied whenever the clean list changes
# except by appending a name (enable_service): a list only grows then, so
# "1 LENGTH" holds while the length is the same, and "0" holds anyway.
declare -gA _PS_FAM_ANS=()
_PS_CLEAN_DS=""

# _ps_es_clean: true when ENABLED_SERVICES is clean and IFS the default
# (remembered in _PS_CLEAN_KEY and _PS_ES_SET), so every function below may
# take the list as it is.
_ps_es_clean() {
    [[ $IFS${ENABLED_SERVICES-} != $_PS_CLEAN_KEY ]] || return 0
    [[ $IFS == "$_PS_IFS" ]] || return 1
    local es=${ENABLED_SERVICES-} service
    [[ -z $es || (,$es, != *,-* && ,$es, != *,,* && $es != $_PS_NOT_PLAIN_LIST) ]] || return 1
    _PS_ES_SET=() _PS_FAM_ANS=()
    # split at the commas by IFS (a `//` substitution costs a pass over the
    # rest of the list per comma); the names hold no pattern characters
    local IFS=,
    # shellcheck disable=SC2086 # word splitting at the commas is the point
    for service in $es; do
        _PS_ES_SET[$service]+=1
    done
    _PS_CLEAN_KEY=$_PS_IFS$es
}

# _PS_FAMILY: the catch-all service names and the name prefixes that make
# them enabled, as DevStack's service libraries and the service plugins
# define them (is_nova_enabled and friends).
declare -gA _PS_FAMILY=(
    [nova]="n-" [cinder]="c-" [glance]="g-" [neutron]="q- neutron-" [swift]="s-"
    [trove]="tr-" [heat]="h-" [ceilometer]="ceilometer-" [sahara]="sahara-"
    [ironic]="ir-" [manila]="m-" [placement]="placement-api"
)

# _cleanup_service_list LIST: LIST without empty entries, leading or
# trailing commas.
function _cleanup_service_list {
    [[ $- != *x* ]] || { local -; set +o xtrace; }
    local _ps_out
    _ps_list_clean "$1"
    echo "$_ps_out"
}

# remove_disabled_services LIST REMOVE: LIST minus every name in REMOVE
# (both separated by commas and/or spaces), joined with commas.
function remove_disabled_services {
    # the common case, xtrace off: REMOVE's words as word splitting finds
    # them (no pattern in them to expand, no tab or newline), between
    # spaces, so that one match finds a name
    if [[ $- != *x* && $IFS == "$_PS_IFS" && $2 != *[*?[$'\t\n']* ]]; then
        local _ps_out="" service remove=" ${2//,/ } "
        # shellcheck disable=SC2086 # word splitting on spaces is the point
        for service in ${1//,/ }; do
            [[ $remove == *" $service "* ]] || _ps_out+=",$service"
        done
        echo "${_ps_out#,}"
        return
    fi
    _ps_remove_services "$@"
}

# _ps_remove_services LIST REMOVE: the general path of
# remove_disabled_services.
_ps_remove_services() {
    [[ $- != *x* ]] || { local -; set +o xtrace; remove_disabled_services "$@"; return; }
    local _ps_out
    _ps_list_remove "$1" "$2"
    echo "$_ps_out"
}

# disable_all_services: empties ENABLED_SERVICES.
function disable_all_services {
    ENABLED_SERVICES=""
}

# _ps_negated_split: splits ENABLED_SERVICES into the caller's locals keep
# (",a,b": the plain entries) and remove (",c": the names negated as "-c").
_ps_negated_split() {
    local service list=${ENABLED_SERVICES:-}
    # shellcheck disable=SC2086 # word splitting on spaces is the point
    for service in ${list//,/ }; do
        if [[ $service == -* ]]; then
            remove+=",${service#-}"
        elif [[ -n $service ]]; then
            keep+=",$service"
        fi
    done
}

# _ps_effective_list: _ps_out=the enabled service names joined with commas,
# negated entries already applied (what disable_negated_services leaves).
_ps_effective_list() {
    local remove="" keep=""
    _ps_negated_split
    if [[ -n $remove ]]; then
        _ps_list_remove "$keep" "$remove"
    else
        _ps_list_clean "$keep"
    fi
}

# disable_negated_services: removes every "-name" entry and every "name"
# it negates from ENABLED_SERVICES.
function disable_negated_services {
    [[ $- != *x* ]] || { local -; set +o xtrace; }
    # a clean list is left as it is
    ! _ps_es_clean || return 0
    local _ps_out
    if [[ ,${ENABLED_SERVICES:-} != *,-* ]] && _ps_list_plain "${ENABLED_SERVICES:-}"; then
        _ps_list_clean "${ENABLED_SERVICES:-}"
    else
        _ps_effective_list
    fi
    ENABLED_SERVICES=$_ps_out
}

# _ps_effective_services: the enabled service names, one per line, with
# negated entries already applied (what disable_negated_services leaves).
_ps_effective_services() {
    local _ps_out
    _ps_effective_list
    _ps_split_services "$_ps_out"
}

# is_service_enabled SERVICE...: true when any SERVICE is enabled.
# Besides exact names: a function is_SERVICE_enabled, when defined, decides
# for SERVICE; catch-all names (nova: n-*, cinder: c-*, glance: g-*,
# neutron: q-* and neutron-*, swift: s-*, trove: tr-*, heat: h-*,
# ceilometer: ceilometer-*, sahara: sahara-*, ironic: ir-*, manila: m-*,
# placement: placement-api*) are enabled by any service with that prefix
# unless disable_service named them; keystone is the "key" service;
# n-cpu-* follows n-cpu, and s-* follows a plain "swift" entry.
function is_service_enabled {
    [[ $- != *x* ]] || { local -; set +o xtrace; }
    # The common cases, one name and a clean list: listed
    # (yes); a plain name that is not listed and has no function or
    # catch-all to ask (no); a catch-all name (its answer kept until the
    # list changes). Everything else takes the general path. The functions
    # on the hot path stay short: bash copies a function's body at each
    # call. `declare -F +i NAME` is true when a function NAME exists and
    # prints nothing (+i changes nothing on a function).
    if [[ $# == 1 && -n $1 && $IFS${ENABLED_SERVICES-} == $_PS_CLEAN_KEY ]]; then
        [[ -z ${_PS_ES_SET[$1]-} ]] || return 0
        case $1 in
            -* | $_PS_NOT_PLAIN | keystone | n-cpu-* | s-*) ;;
            *)
                if ! declare -F +i "is_${1}_enabled"; then
                    # no: not a catch-all, or one disable_service named
                    [[ -n ${_PS_FAMILY[$1]-} && (-z ${DISABLED_SERVICES-} || ,$DISABLED_SERVICES, != *,"$1",*) ]] || return 1
                    case ${_PS_FAM_ANS[$1]-} in
                        0) return 0 ;;
                        "1 ${#ENABLED_SERVICES}") return 1 ;;
                    esac
                    _ps_family_answer "$1"
                fi
                ;;
        esac
    fi
    _ps_services_enabled "$@"
}

# _ps_family_answer NAME: true when a name in the (clean) list starts with
# one of the catch-all NAME's prefixes; the answer kept in _PS_FAM_ANS.
_ps_family_answer() {
    local prefix
    for prefix in ${_PS_FAMILY[$1]}; do
        if [[ ,$ENABLED_SERVICES == *,"$prefix"* ]]; then
            _PS_FAM_ANS[$1]=0
            return 0
        fi
    done
    _PS_FAM_ANS[$1]="1 ${#ENABLED_SERVICES}"
    return 1
}

# _ps_services_enabled SERVICE...: the general path of is_service_enabled
# (kept out of it: bash copies a function's body at each call).
_ps_services_enabled() {
    local enabled=1 service prefix list _ps_out
    if _ps_es_clean; then
        list=",${ENABLED_SERVICES:-},"
    elif [[ ,${ENABLED_SERVICES:-} == *,-* || ${ENABLED_SERVICES:-} == *[[:space:]]* ]]; then
        _ps_effective_list
        list=",$_ps_out,"
    else
        list=",${ENABLED_SERVICES:-},"
    fi
    # shellcheck disable=SC2048 # word splitting on spaces is the point
    for service in ${*//,/ }; do
        [[ -n $service ]] || continue
        if [[ $list == *,"$service",* ]]; then
            enabled=0
        elif declare -F "is_${service}_enabled" >/dev/null; then
            if "is_${service}_enabled"; then
                enabled=0
            fi
        elif [[ -n ${_PS_FAMILY[$service]+x} ]]; then
            if [[ ,${DISABLED_SERVICES:-}, != *,"$service",* ]]; then
                for prefix in ${_PS_FAMILY[$service]}; do
                    [[ $list == *,"$prefix"* ]] && enabled=0
                done
            fi
        elif [[ $service == keystone ]]; then
            # lib/keystone's is_keystone_enabled: the "key" service
            [[ ,${DISABLED_SERVICES:-}, != *,keystone,* && $list == *,key,* ]] && enabled=0
        elif [[ $service == n-cpu-* && $list == *,n-cpu* ]]; then
            enabled=0
        elif [[ $service == s-* && $list == *,swift,* ]]; then
            enabled=0
        fi
        [[ $enabled != 0 ]] || break
    done
    return $enabled
}

# enable_service SERVICE...: adds each SERVICE (names may also be given as
# one comma-separated list) to ENABLED_SERVICES unless is_service_enabled
# already says yes; a service that disable_service removed is not enabled
# again (warning). Negated entries are applied afterwards.
function enable_service {
    # The common cases, xtrace off, one plain name that disable_service did
    # not name and a list that is clean and not empty: already listed
    # (nothing to do), or not enabled in any other way either (appended;
    # the list stays clean). As in is_service_enabled: catch-all and
    # special names, and names with an is_NAME_enabled function, take the
    # general path.
    if [[ $- != *x* && $# == 1 && -n $1 && -z ${_PS_FAMILY[$1]-} && (-z ${DISABLED_SERVICES-} || ,$DISABLED_SERVICES, != *,"$1",*) &&
        -n ${ENABLED_SERVICES-} && $IFS$ENABLED_SERVICES == $_PS_CLEAN_KEY ]]; then
        [[ -z ${_PS_ES_SET[$1]-} ]] || return 0
        case $1 in
            -* | $_PS_NOT_PLAIN | keystone | n-cpu-* | s-*) ;;
            *)
                declare -F +i "is_${1}_enabled" || {
                    ENABLED_SERVICES+=,$1 _PS_CLEAN_KEY+=,$1 _PS_ES_SET[$1]=1
                    return 0
                }
                ;;
        esac
    fi
    _ps_enable_other "$@"
}

# _ps_enable_other SERVICE...: enable_service past its common case. With
# xtrace on it pauses xtrace and calls enable_service again (settings files
# call it once per plugin, traced); a short function of its own, because bash
# copies a function's body at each call.
_ps_enable_other() {
    [[ $- != *x* ]] || { local -; set +o xtrace; enable_service "$@"; return; }
    _ps_enable_services "$@"
}

# _ps_enable_services SERVICE...: the general path of enable_service.
_ps_enable_services() {
    local services=${ENABLED_SERVICES:-} service _ps_out clean=0
    # a clean list stays clean when only plain names are added to it
    ! _ps_es_clean || clean=1
    # shellcheck disable=SC2048 # word splitting on spaces is the point
    for service in ${*//,/ }; do
        [[ -n $service ]] || continue
        if [[ ,${DISABLED_SERVICES:-}, == *,"$service",* ]]; then
            warn "Attempt to enable_service ${service} when it has been disabled"
            continue
        fi
        # already enabled (also through a catch-all name): nothing to add
        if [[ ,$services, != *,"$service",* ]] && ! ENABLED_SERVICES=$services is_service_enabled "$service"; then
            if [[ $clean == 1 ]] && _ps_plain_name "$service"; then
                services=${services:+$services,}$service
                _PS_CLEAN_KEY=$IFS$services
                _PS_ES_SET[$service]=1
            else
                clean=0
                services+=",$service"
            fi
        fi
    done
    if [[ $clean == 1 ]]; then
        ENABLED_SERVICES=$services
    else
        _ps_list_clean "$services"
        ENABLED_SERVICES=$_ps_out
        disable_negated_services
    fi
}

# disable_service SERVICE...: removes each SERVICE from ENABLED_SERVICES and
# records it in DISABLED_SERVICES (which also turns off its catch-all).
function disable_service {
    # the common case, xtrace off, one name listed once in a clean list and
    # a DISABLED_SERVICES that is empty or the one this library made
    # (_PS_CLEAN_DS; compared as _PS_CLEAN_KEY is): the name cut out of the
    # list (what is left is clean) and added to DISABLED_SERVICES. The
    # rarer branches are helpers: bash copies a function's body at each
    # call.
    if [[ $- != *x* && $# == 1 && -n $1 && $IFS${ENABLED_SERVICES-} == $_PS_CLEAN_KEY && ${_PS_ES_SET[$1]-} == 1 &&
        (-z ${DISABLED_SERVICES-} || $DISABLED_SERVICES == $_PS_CLEAN_DS) ]]; then
        # one cut inside; the length is the same when NAME is not inside
        local es=${ENABLED_SERVICES/,"$1",/,}
        [[ ${#es} != "${#ENABLED_SERVICES}" ]] || _ps_cut_end "$1"
        ENABLED_SERVICES=$es _PS_CLEAN_KEY=$IFS$es _PS_ES_SET[$1]="" _PS_FAM_ANS=() \
            DISABLED_SERVICES=${DISABLED_SERVICES:+$DISABLED_SERVICES,}$1 _PS_CLEAN_DS=$DISABLED_SERVICES
        return 0
    fi
    _ps_disable_services "$@"
}

# _ps_cut_end NAME: the caller's es (a clean list that holds NAME once, at
# its start or end) without NAME.
_ps_cut_end() {
    if [[ $es == "$1" ]]; then
        es=""
    elif [[ $es == "$1",* ]]; then
        es=${es#"$1",}
    else
        es=${es%,"$1"}
    fi
}

# _ps_disable_services SERVICE...: the general path of disable_service.
_ps_disable_services() {
    [[ $- != *x* ]] || { local -; set +o xtrace; disable_service "$@"; return; }
    local disabled=${DISABLED_SERVICES:-} service kept="" list=${ENABLED_SERVICES:-} drop r _ps_out
    local -a removing=()
    # shellcheck disable=SC2048 # word splitting on spaces is the point
    for service in ${*//,/ }; do
        [[ -n $service ]] || continue
        removing+=("$service")
        disabled+=",$service"
    done
    if _ps_es_clean; then
        # each name dropped from ",a,b," in place; what is left is clean
        kept=",$list,"
        for r in "${removing[@]}"; do
            while [[ $kept == *,"$r",* ]]; do
                kept=${kept//,"$r",/,}
            done
        done
        kept=${kept#,}
        kept=${kept%,}
        for r in "${removing[@]}"; do
            _PS_ES_SET[$r]=""
        done
        _PS_CLEAN_KEY=$IFS$kept _PS_FAM_ANS=()
    else
        # shellcheck disable=SC2086 # word splitting on spaces is the point
        for service in ${list//,/ }; do
            [[ -n $service ]] || continue
            drop=0
            for r in "${removing[@]}"; do
                [[ $r != "$service" ]] || drop=1
            done
            [[ $drop == 1 ]] || kept+=",$service"
        done
        _ps_list_clean "$kept"
        kept=$_ps_out
    fi
    _ps_list_clean "$disabled"
    DISABLED_SERVICES=$_ps_out
    # remembered for disable_service's common case unless it holds
    # pattern characters
    [[ $_ps_out == *[*?[\\\(]* ]] || _PS_CLEAN_DS=$_ps_out
    ENABLED_SERVICES=$kept
}

# use_exclusive_service OPTIONS_VAR OUT_VAR SELECTION: enables SELECTION
# and disables the other services listed (space-separated) in the variable
# named OPTIONS_VAR; stores SELECTION in the variable named OUT_VAR.
function use_exclusive_service {
    local options=${!1:-} out=$2 selection=${3:-} opt
    [[ -n $selection && " $options " == *" $selection "* ]] || return 1
    for opt in $options; do
        if [[ $opt == "$selection" ]]; then
            enable_service "$opt"
        else
            disable_service "$opt"
        fi
    done
    printf -v "$out" '%s' "$selection"
    return 0
}

# verify_disabled_services: dies when ENABLED_SERVICES was edited directly
# to bring back something disable_service removed.
function verify_disabled_services {
    # nothing disabled, nothing to check: no subshell, and with xtrace on no
    # traced test per enabled service
    [[ -n ${DISABLED_SERVICES:-} ]] || return 0
    local service list=${ENABLED_SERVICES:-}
    # split as _ps_split_services splits (commas and blanks), in this shell
    # shellcheck disable=SC2086 # word splitting on spaces is the point
    for service in ${list//,/ }; do
        if [[ ,${DISABLED_SERVICES:-}, == *,"$service",* ]]; then
            die "ENABLED_SERVICES directly modified to overcome 'disable_service ${service}'"
        fi
    done
    return 0
}

# service_check: shows the state of every enabled service that run_process
# started (systemd unit or supervised background process); fails when one
# of the background processes is no longer running.
function service_check {
    local service failed=0
    local -a have
    mapfile -t have < <(_ps_effective_services)
    for service in "${have[@]}"; do
        if _ps_systemd_usable && $SYSTEMCTL is-enabled "devstack@$service.service" >/dev/null 2>&1; then
            $SYSTEMCTL status "devstack@$service.service" --no-pager || failed=1
        elif [[ -f $(_ps_pid_file "$service") ]]; then
            if _ps_process_alive "$service"; then
                echo "$service: running (pid $(<"$(_ps_pid_file "$service")"))"
            else
                echo "$service: not running; its log is $(_ps_log_file "$service")"
                failed=1
            fi
        fi
    done
    return $failed
}
