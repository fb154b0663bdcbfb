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

# _cleanup_service_list LIST: LIST without empty entries, leading or
# trailing commas.
function _cleanup_service_list {
    local _ps_xt=$-
    set +o xtrace
    local list=$1
    while [[ $list == *,,* ]]; do
        list=${list//,,/,}
    done
    list=${list#,}
    list=${list%,}
    echo "$list"
    [[ $_ps_xt != *x* ]] || set -o xtrace
}

# remove_disabled_services LIST REMOVE: LIST minus every name in REMOVE
# (both separated by commas and/or spaces), joined with commas.
function remove_disabled_services {
    local _ps_xt=$-
    set +o xtrace
    local service remove keep out=""
    local -a removes
    mapfile -t removes < <(_ps_split_services "$2")
    while IFS= read -r service; do
        keep=1
        for remove in "${removes[@]}"; do
            if [[ $remove == "$service" ]]; then
                keep=0
                break
            fi
        done
        [[ $keep == 0 ]] || out+=",$service"
    done < <(_ps_split_services "$1")
    _cleanup_service_list "$out"
    [[ $_ps_xt != *x* ]] || set -o xtrace
}

# disable_all_services: empties ENABLED_SERVICES.
function disable_all_services {
    ENABLED_SERVICES=""
}

# _ps_negated_split: splits ENABLED_SERVICES into the caller's locals keep
# (",a,b": the plain entries) and remove (",c": the names negated as "-c").
_ps_negated_split() {
    local service
    while IFS= read -r service; do
        if [[ $service == -* ]]; then
            remove+=",${service#-}"
        else
            keep+=",$service"
        fi
    done < <(_ps_split_services "${ENABLED_SERVICES:-}")
}

# disable_negated_services: removes every "-name" entry and every "name"
# it negates from ENABLED_SERVICES.
function disable_negated_services {
    local _ps_xt=$-
    set +o xtrace
    local remove="" keep=""
    _ps_negated_split
    ENABLED_SERVICES=$(remove_disabled_services "$keep" "$remove")
    [[ $_ps_xt != *x* ]] || set -o xtrace
}

# _ps_effective_services: the enabled service names, one per line, with
# negated entries already applied (what disable_negated_services leaves).
_ps_effective_services() {
    local remove="" keep=""
    _ps_negated_split
    if [[ -n $remove ]]; then
        _ps_split_services "$(remove_disabled_services "$keep" "$remove")"
    else
        _ps_split_services "$keep"
    fi
}

# _ps_service_family NAME: the name prefixes that make the catch-all
# service NAME enabled, as DevStack's service libraries and the service
# plugins define them (is_nova_enabled and friends). Fails for other names.
_ps_service_family() {
    case $1 in
        nova) echo "n-" ;;
        cinder) echo "c-" ;;
        glance) echo "g-" ;;
        neutron) echo "q- neutron-" ;;
        swift) echo "s-" ;;
        trove) echo "tr-" ;;
        heat) echo "h-" ;;
        ceilometer) echo "ceilometer-" ;;
        sahara) echo "sahara-" ;;
        ironic) echo "ir-" ;;
        manila) echo "m-" ;;
        placement) echo "placement-api" ;;
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
    local enabled=1 service prefix family list
    local -a asked
    if [[ ,${ENABLED_SERVICES:-} == *,-* || ${ENABLED_SERVICES:-} == *[[:space:]]* ]]; then
        local -a have
        mapfile -t have < <(_ps_effective_services)
        list=",$(
            IFS=,
            echo "${have[*]}"
        ),"
    else
        list=",${ENABLED_SERVICES:-},"
    fi
    mapfile -t asked < <(_ps_split_services "$@")
    for service in "${asked[@]}"; do
        if [[ $list == *,"$service",* ]]; then
            enabled=0
        elif declare -F "is_${service}_enabled" >/dev/null; then
            if "is_${service}_enabled"; then
                enabled=0
            fi
        elif family=$(_ps_service_family "$service"); then
            if [[ ,${DISABLED_SERVICES:-}, != *,"$service",* ]]; then
                for prefix in $family; do
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
    local services=${ENABLED_SERVICES:-} service
    local -a adding
    mapfile -t adding < <(_ps_split_services "$@")
    for service in "${adding[@]}"; do
        if [[ ,${DISABLED_SERVICES:-}, == *,"$service",* ]]; then
            warn "Attempt to enable_service ${service} when it has been disabled"
            continue
        fi
        # already enabled (also through a catch-all name): nothing to add
        if [[ ,$services, != *,"$service",* ]] && ! ENABLED_SERVICES=$services is_service_enabled "$service"; then
            services+=",$service"
        fi
    done
    ENABLED_SERVICES=$(_cleanup_service_list "$services")
    disable_negated_services
    [[ $_ps_xt != *x* ]] || set -o xtrace
}

# disable_service SERVICE...: removes each SERVICE from ENABLED_SERVICES and
# records it in DISABLED_SERVICES (which also turns off its catch-all).
function disable_service {
    local _ps_xt=$-
    set +o xtrace
    local disabled=${DISABLED_SERVICES:-} service kept=""
    local -a removing
    mapfile -t removing < <(_ps_split_services "$@")
    for service in "${removing[@]}"; do
        disabled+=",$service"
    done
    while IFS= read -r service; do
        local drop=0 r
        for r in "${removing[@]}"; do
            [[ $r != "$service" ]] || drop=1
        done
        [[ $drop == 1 ]] || kept+=",$service"
    done < <(_ps_split_services "${ENABLED_SERVICES:-}")
    DISABLED_SERVICES=$(_cleanup_service_list "$disabled")
    ENABLED_SERVICES=$(_cleanup_service_list "$kept")
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
