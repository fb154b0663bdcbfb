# shellcheck shell=bash
# ovn.sh - init_ovn and start_ovn from DevStack's ovn_agent library and
# stop_new_ovs from ovs_source, for plugins that drive OVN themselves. Uses
# the distribution's OVN/OVS packages and services.

_ps_ovn_defaults() {
    local fedora=false
    declare -F is_fedora >/dev/null && is_fedora 2>/dev/null && fedora=true
    _ps_default OVN_DATADIR "${PLUGSTACK_SYSROOT:-}/var/lib/ovn"
    _ps_default OVS_DATADIR "${DATA_DIR:-${DEST:-/opt/stack}/data}/ovs"
    _ps_default OVN_RUNDIR /var/run/ovn
    _ps_default OVS_RUNDIR /var/run/openvswitch
    if $fedora; then
        _ps_default OVN_NORTHD_SERVICE ovn-northd
        _ps_default OVN_CONTROLLER_SERVICE ovn-controller
        _ps_default OVS_SERVICE openvswitch
    else
        _ps_default OVN_NORTHD_SERVICE ovn-central
        _ps_default OVN_CONTROLLER_SERVICE ovn-host
        _ps_default OVS_SERVICE openvswitch-switch
    fi
    _ps_default OVN_PROTO tcp
    _ps_default OVN_DBS_LOG_LEVEL info
    _ps_default OVS_SOURCE_CTL /usr/local/share/openvswitch/scripts/ovs-ctl
}
_ps_register_defaults _ps_ovn_defaults

# init_ovn: start from empty OVN and OVS databases (this is a test system).
function init_ovn {
    _ps_sudo mkdir -p "$OVN_DATADIR"
    mkdir -p "$OVS_DATADIR"
    rm -f "$OVS_DATADIR"/*.db "$OVS_DATADIR"/.*.db.~lock~
    _ps_sudo rm -f "$OVN_DATADIR"/*.db "$OVN_DATADIR"/.*.db.~lock~
}

# _ps_ovn_service NAME: (re)start a packaged OVN/OVS service and enable it.
_ps_ovn_service() {
    if _ps_systemd_running; then
        _ps_require_tool systemctl
        _ps_sudo systemctl daemon-reload
        _ps_sudo systemctl enable "$1"
    fi
    restart_service "$1"
}

# start_ovn: northd (with its NB/SB databases listening on 6641/6642) when
# ovn-northd is enabled, ovn-controller when enabled, and the OVN metadata
# agent when enabled.
function start_ovn {
    echo "Starting OVN"
    if is_service_enabled ovn-northd; then
        _ps_ovn_service "$OVN_NORTHD_SERVICE"
        _ps_require_tool ovn-nbctl "install the OVN central package"
        local listen=${SERVICE_LISTEN_ADDRESS:-0.0.0.0}
        _ps_sudo ovn-nbctl "--db=unix:$OVN_RUNDIR/ovnnb_db.sock" set-connection "p${OVN_PROTO}:6641:$listen" \
            -- set connection . inactivity_probe=60000
        _ps_sudo ovn-sbctl "--db=unix:$OVN_RUNDIR/ovnsb_db.sock" set-connection "p${OVN_PROTO}:6642:$listen" \
            -- set connection . inactivity_probe=60000
        _ps_sudo ovs-appctl -t "$OVN_RUNDIR/ovnnb_db.ctl" vlog/set console:off "syslog:$OVN_DBS_LOG_LEVEL" "file:$OVN_DBS_LOG_LEVEL"
        _ps_sudo ovs-appctl -t "$OVN_RUNDIR/ovnsb_db.ctl" vlog/set console:off "syslog:$OVN_DBS_LOG_LEVEL" "file:$OVN_DBS_LOG_LEVEL"
    fi
    if is_service_enabled ovn-controller; then
        _ps_ovn_service "$OVN_CONTROLLER_SERVICE"
    fi
    if is_service_enabled q-ovn-metadata-agent neutron-ovn-metadata-agent; then
        local conf=${OVN_META_CONF:-${NEUTRON_CONF_DIR:-/etc/neutron}/neutron_ovn_metadata_agent.ini}
        run_process q-ovn-metadata-agent "${NEUTRON_BIN_DIR:-}/${OVN_META_AGENT_BINARY:-neutron-ovn-metadata-agent} --config-file $conf"
        setup_logging "$conf"
    fi
}

# stop_new_ovs: stop an Open vSwitch built from source (ovs-ctl under
# /usr/local), if there is one.
function stop_new_ovs {
    if [[ -x $OVS_SOURCE_CTL ]]; then
        _ps_sudo "$OVS_SOURCE_CTL" stop
    fi
}
