# shellcheck shell=bash
# service-paths.sh - paths that DevStack's other service libraries (tempest,
# horizon, cinder, glance, nova) and stack.sh define and that plugins read, e.g.
# `iniset $TEMPEST_CONFIG ...` in their test-config hook. plugstack does not
# install these services; the paths are the conventions plugins expect.

_ps_service_path_defaults() {
    local dest=${DEST:-/opt/stack}
    _ps_default TEMPEST_DIR "$dest/tempest"
    _ps_default TEMPEST_CONFIG_DIR "$TEMPEST_DIR/etc"
    _ps_default TEMPEST_CONFIG "$TEMPEST_CONFIG_DIR/tempest.conf"
    _ps_default HORIZON_DIR "$dest/horizon"
    _ps_default CINDER_DIR "$dest/cinder"
    _ps_default CINDER_CONF_DIR /etc/cinder
    _ps_default CINDER_CONF "$CINDER_CONF_DIR/cinder.conf"
    _ps_default GLANCE_DIR "$dest/glance"
    _ps_default GLANCE_CONF_DIR /etc/glance
    _ps_default GLANCE_API_CONF "$GLANCE_CONF_DIR/glance-api.conf"
    _ps_default GLANCE_SWIFT_STORE_CONF "$GLANCE_CONF_DIR/glance-swift-store.conf"
    _ps_default GLANCE_SERVICE_PORT 9292
    _ps_bool False GLANCE_ENABLE_MULTIPLE_STORES
    # lib/tempest: how long tempest waits for a server to build
    _ps_default BUILD_TIMEOUT 196
    # lib/nova: the metadata API
    _ps_default METADATA_SERVICE_PORT 8775
    _ps_fact_hostname
    _ps_default LOCAL_HOSTNAME "$_PS_FACT_HOSTNAME"
}
_ps_register_defaults _ps_service_path_defaults
