# shellcheck shell=bash
# swift.sh - start_swift and stop_swift from DevStack's lib/swift, for
# plugins that restart swift after changing its configuration.

_ps_swift_defaults() {
    _ps_default SWIFT_DIR "${DEST:-/opt/stack}/swift"
    _ps_default_bin_dir SWIFT_BIN_DIR
    _ps_default SWIFT_CONF_DIR /etc/swift
    _ps_default SWIFT_DATA_DIR "${DATA_DIR:-${DEST:-/opt/stack}/data}/swift"
    _ps_default SWIFT_START_ALL_SERVICES True
    # endpoints: https behind tls-proxy, else the services' protocol
    if is_service_enabled tls-proxy 2>/dev/null; then
        _ps_default SWIFT_SERVICE_PROTOCOL https
    else
        _ps_default SWIFT_SERVICE_PROTOCOL "${SERVICE_PROTOCOL:-http}"
    fi
    _ps_default SWIFT_DEFAULT_BIND_PORT 8080
    _ps_default SWIFT_ENABLE_TEMPURLS False
}
_ps_register_defaults _ps_swift_defaults

# start_swift: memcached and rsync, then the storage servers (account,
# container, object) and the proxy as s-* services.
function start_swift {
    restart_service memcached
    if is_fedora; then
        start_service rsyncd
    else
        restart_service rsync
    fi
    local type
    if [[ $SWIFT_START_ALL_SERVICES != False ]]; then
        for type in account container object; do
            run_process "s-${type}" "$SWIFT_BIN_DIR/swift-${type}-server ${SWIFT_CONF_DIR}/${type}-server/1.conf -v"
        done
    fi
    run_process s-proxy "$SWIFT_BIN_DIR/swift-proxy-server ${SWIFT_CONF_DIR}/proxy-server.conf -v"
    if is_service_enabled tls-proxy; then
        start_tls_proxy swift '*' "${SWIFT_DEFAULT_BIND_PORT:-8080}" "${SERVICE_HOST:-}" "${SWIFT_DEFAULT_BIND_PORT_INT:-8081}"
    fi
}

# stop_swift: the proxy and storage services, in reverse order.
function stop_swift {
    local type
    for type in proxy object container account; do
        stop_process "s-${type}"
    done
}
