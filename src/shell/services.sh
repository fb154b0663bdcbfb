#!/bin/bash
# plugstack library: service functions.
#
# ENABLED_SERVICES is a comma-separated list of service names; an entry
# written "-name" negates "name" (DevStack's `ENABLED_SERVICES+=,-rabbit`).
# DISABLED_SERVICES remembers what disable_service removed, so that a later
# enable_service or a direct edit of ENABLED_SERVICES is caught.
# Sourcing this file only defines functions.

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

# _ps_list_clean LIST: _ps_out=LIST without empty entries, leading or
# trailing commas.
_ps_list_clean() {
    _ps_out=$1
    while [[ $_ps_out == *,,* ]]; do
        _ps_out=${_ps_out//,,/,}
    done
    _ps_out=${_ps_out#,}
    _ps_out=${_ps_out%,}
}

# _ps_list_remove LIST REMOVE: _ps_out=LIST minus every name in REMOVE
# (both separated by commas and/or spaces), joined with commas.
_ps_list_remove() {
    local service remove keep out=""
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
        [[ $keep == 0 ]] || out+=",$service"
    done
    _ps_list_clean "$out"
}

# _ps_list_plain LIST: true when LIST is split by commas alone, as the
# word splitting of the general path would split it (default IFS, no
# blanks, no glob characters), so cleaning it is all there is to do.
_ps_list_plain() {
    [[ $IFS == $' \t\n' && $1 != *[[:space:]*?[]* ]]
}

# _ps_plain_name NAME: true when NAME is one entry the general path's word
# splitting would keep as it is (no blanks, commas or glob characters, not
# negated, not empty).
_ps_plain_name() {
    [[ -n $1 && $1 != -* && $1 != *[[:space:],*?[]* ]]
}

# _PS_CLEAN_ES: the last value of ENABLED_SERVICES seen to be clean: plain
# entries joined by single commas (no blanks, glob characters, negated or
# empty entries). Comparing with it is cheap; checking a long list is not.
_PS_CLEAN_ES=""

# _ps_es_clean: true when ENABLED_SERVICES is clean (and remembers it) and
# IFS is the default, so every function below may take it as it is.
_ps_es_clean() {
    [[ $IFS == $' \t\n' ]] || return 1
    local es=${ENABLED_SERVICES:-}
    [[ $es != "$_PS_CLEAN_ES" ]] || return 0
    [[ ,$es, != *,-* && ,$es, != *,,* && $es != *[[:space:]*?[]* ]] || return 1
    _PS_CLEAN_ES=$es
}

# _cleanup_service_list LIST: LIST without empty entries, leading or
# trailing commas.
function _cleanup_service_list {
    local _ps_xt=$- _ps_out
    set +o xtrace
    _ps_list_clean "$1"
    echo "$_ps_out"
    [[ $_ps_xt != *x* ]] || set -o xtrace
}

# remove_disabled_services LIST REMOVE: LIST minus every name in REMOVE
# (both separated by commas and/or spaces), joined with commas.
function remove_disabled_services {
    local _ps_xt=$- _ps_out
    set +o xtrace
    _ps_list_remove "$1" "$2"
    echo "$_ps_out"
    [[ $_ps_xt != *x* ]] || set -o xtrace
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
    local _ps_xt=$- _ps_out
    set +o xtrace
    if _ps_es_clean; then
        _ps_out=${ENABLED_SERVICES:-}
    elif [[ ,${ENABLED_SERVICES:-} != *,-* ]] && _ps_list_plain "${ENABLED_SERVICES:-}"; then
        _ps_list_clean "${ENABLED_SERVICES:-}"
    else
        _ps_effective_list
    fi
    ENABLED_SERVICES=$_ps_out
    [[ $_ps_xt != *x* ]] || set -o xtrace
}

# _ps_effective_services: the enabled service names, one per line, with
# negated entries already applied (what disable_negated_services leaves).
_ps_effective_services() {
    local _ps_out
    _ps_effective_list
    _ps_split_services "$_ps_out"
}

# _ps_service_family NAME: _ps_family=the name prefixes that make the
# catch-all service NAME enabled, as DevStack's service libraries and the
# service plugins define them (is_nova_enabled and friends). Fails for
# other names.
_ps_service_family() {
    case $1 in
        nova) _ps_family="n-" ;;
        cinder) _ps_family="c-" ;;
        glance) _ps_family="g-" ;;
        neutron) _ps_family="q- neutron-" ;;
        swift) _ps_family="s-" ;;
        trove) _ps_family="tr-" ;;
        heat) _ps_family="h-" ;;
        ceilometer) _ps_family="ceilometer-" ;;
        sahara) _ps_family="sahara-" ;;
        ironic) _ps_family="ir-" ;;
        manila) _ps_family="m-" ;;
        placement) _ps_family="placement-api" ;;
        *) return 1 ;;
    esac
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
    local _ps_xt=$-
    set +o xtrace
    local enabled=1 service prefix list _ps_out _ps_family
    # The common cases, one plain name: listed and not negated anywhere
    # (yes), or nowhere in the list, without a function or catch-all to ask
    # (no). Everything else takes the general path below.
    if [[ $# == 1 && $IFS == $' \t\n' ]] && _ps_plain_name "$1"; then
        if [[ ,${ENABLED_SERVICES:-}, == *,"$1",* ]]; then
            if [[ ${ENABLED_SERVICES:-} != *-"$1"* ]]; then
                [[ $_ps_xt != *x* ]] || set -o xtrace
                return 0
            fi
        elif [[ ${ENABLED_SERVICES:-} != *"$1"* ]] && ! declare -F "is_${1}_enabled" >/dev/null &&
            ! _ps_service_family "$1" && [[ $1 != keystone && $1 != n-cpu-* && $1 != s-* ]]; then
            [[ $_ps_xt != *x* ]] || set -o xtrace
            return 1
        fi
    fi
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
        elif _ps_service_family "$service"; then
            if [[ ,${DISABLED_SERVICES:-}, != *,"$service",* ]]; then
                for prefix in $_ps_family; do
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
    [[ $_ps_xt != *x* ]] || set -o xtrace
    return $enabled
}

# enable_service SERVICE...: adds each SERVICE (names may also be given as
# one comma-separated list) to ENABLED_SERVICES unless is_service_enabled
# already says yes; a service that disable_service removed is not enabled
# again (warning). Negated entries are applied afterwards.
function enable_service {
    local _ps_xt=$-
    set +o xtrace
    local services=${ENABLED_SERVICES:-} service _ps_out clean=0
    # a clean list stays clean when only plain names are added to it
    ! _ps_es_clean || clean=1
    # the common case: one name, already listed (and not disabled)
    if [[ $clean == 1 && $# == 1 && ,$services, == *,"$1",* && ,${DISABLED_SERVICES:-}, != *,"$1",* ]] && _ps_plain_name "$1"; then
        [[ $_ps_xt != *x* ]] || set -o xtrace
        return 0
    fi
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
                _PS_CLEAN_ES=$services
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
    [[ $_ps_xt != *x* ]] || set -o xtrace
}

# disable_service SERVICE...: removes each SERVICE from ENABLED_SERVICES and
# records it in DISABLED_SERVICES (which also turns off its catch-all).
function disable_service {
    local _ps_xt=$-
    set +o xtrace
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
        _PS_CLEAN_ES=$kept
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
    ENABLED_SERVICES=$kept
    [[ $_ps_xt != *x* ]] || set -o xtrace
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
    local service
    local -a have
    mapfile -t have < <(_ps_split_services "${ENABLED_SERVICES:-}")
    for service in "${have[@]}"; do
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
