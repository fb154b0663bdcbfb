# shellcheck shell=bash
# rpc.sh - DevStack's lib/rpc_backend as plugins use it: the RabbitMQ
# settings and the oslo.messaging transport_url written into service configs.

_ps_rpc_defaults() {
    _ps_default RABBIT_USERID stackrabbit
    if declare -F is_service_enabled >/dev/null && is_service_enabled rabbit; then
        _ps_default RABBIT_HOST "${SERVICE_HOST:-}"
    fi
}
_ps_register_defaults _ps_rpc_defaults

# _ps_rabbit_configured: rabbit runs here, or another host's rabbit is given.
_ps_rabbit_configured() {
    is_service_enabled rabbit || [[ -n ${RABBIT_HOST:-} && -n ${RABBIT_PASSWORD:-} ]]
}

# get_transport_url [VHOST]: rabbit://user:password@host:5672/VHOST, or
# nothing when no rabbit is configured.
function get_transport_url {
    local vhost=${1:-}
    if _ps_rabbit_configured; then
        echo "rabbit://$RABBIT_USERID:${RABBIT_PASSWORD:-}@${RABBIT_HOST:-${SERVICE_HOST:-}}:5672/$vhost"
    fi
}

# get_notification_url [VHOST]: the notification transport (same broker).
function get_notification_url {
    get_transport_url "$@"
}

# iniset_rpc_backend PACKAGE CONF [SECTION=DEFAULT] [VHOST]
# Writes transport_url (and the rabbit heartbeat options that are set).
function iniset_rpc_backend {
    local package=$1 conf=$2 section=${3:-DEFAULT} vhost=${4:-}
    : "$package" # kept for DevStack's signature; the broker is shared
    if _ps_rabbit_configured; then
        iniset "$conf" "$section" transport_url "$(get_transport_url "$vhost")"
        if [[ -n ${RABBIT_HEARTBEAT_TIMEOUT_THRESHOLD:-} ]]; then
            iniset "$conf" oslo_messaging_rabbit heartbeat_timeout_threshold "$RABBIT_HEARTBEAT_TIMEOUT_THRESHOLD"
        fi
        if [[ -n ${RABBIT_HEARTBEAT_RATE:-} ]]; then
            iniset "$conf" oslo_messaging_rabbit heartbeat_rate "$RABBIT_HEARTBEAT_RATE"
        fi
    fi
}

# rpc_backend_add_vhost VHOST: create a rabbit vhost for the stack user.
function rpc_backend_add_vhost {
    local vhost=$1
    if is_service_enabled rabbit; then
        _ps_require_tool rabbitmqctl "enable and install the rabbit service"
        _ps_sudo rabbitmqctl add_vhost "$vhost"
        _ps_sudo rabbitmqctl set_permissions -p "$vhost" "$RABBIT_USERID" ".*" ".*" ".*"
    else
        echo "RPC backend does not support vhosts"
        return 1
    fi
}
