# shellcheck shell=bash
# neutron.sh - the parts of DevStack's lib/neutron, lib/neutron_plugins/ml2,
# services/l3 and services/placement that networking plugins call: the
# NEUTRON_* / Q_* globals, the lists plugins extend (service plugins, ML2
# extension drivers, agent extensions, extra server config files), and
# starting and stopping the neutron processes.

_ps_neutron_defaults() {
    local dest=${DEST:-/opt/stack}
    _ps_default NEUTRON_DIR "$dest/neutron"
    _ps_default_bin_dir NEUTRON_BIN_DIR
    _ps_default NEUTRON_CONF_DIR /etc/neutron
    _ps_default NEUTRON_CONF "$NEUTRON_CONF_DIR/neutron.conf"
    _ps_default NEUTRON_UWSGI_CONF "$NEUTRON_CONF_DIR/neutron-api-uwsgi.ini"
    _ps_default NEUTRON_DEPLOY_MOD_WSGI True
    _ps_default Q_PLUGIN ml2
    _ps_default Q_AGENT ovn
    _ps_default Q_PLUGIN_CONF_PATH etc/neutron/plugins/ml2
    _ps_default Q_PLUGIN_CONF_FILENAME ml2_conf.ini
    _ps_default Q_PLUGIN_CONF_FILE "$Q_PLUGIN_CONF_PATH/$Q_PLUGIN_CONF_FILENAME"
    _ps_default NEUTRON_CORE_PLUGIN_CONF "/$Q_PLUGIN_CONF_FILE"
    _ps_default Q_ML2_PLUGIN_MECHANISM_DRIVERS ovn
    _ps_default Q_ML2_PLUGIN_TYPE_DRIVERS local,flat,vlan,geneve
    _ps_default Q_ML2_TENANT_NETWORK_TYPE geneve
    # an explicitly empty list stays empty, as with DevStack's ${VAR-default}
    [[ -v Q_ML2_PLUGIN_EXT_DRIVERS ]] || Q_ML2_PLUGIN_EXT_DRIVERS=port_security
    _ps_default Q_L3_CONF_FILE "$NEUTRON_CONF_DIR/l3_agent.ini"
    _ps_default Q_DHCP_CONF_FILE "$NEUTRON_CONF_DIR/dhcp_agent.ini"
    _ps_default Q_META_CONF_FILE "$NEUTRON_CONF_DIR/metadata_agent.ini"
    _ps_default Q_HOST "${SERVICE_HOST:-}"
    _ps_default Q_PROTOCOL "${SERVICE_PROTOCOL:-http}"
    _ps_default Q_PORT 9696
    _ps_default Q_PORT_INT 19696
    _ps_default Q_USE_ROOTWRAP True
    _ps_default Q_CONF_ROOTWRAP_D "$NEUTRON_CONF_DIR/rootwrap.d"
    _ps_default PHYSICAL_NETWORK public
    _ps_default OVS_BRIDGE br-int
    _ps_default OVS_PHYSICAL_BRIDGE br-ex
    _ps_default NEUTRON_PLACEMENT_AUTH_TYPE password
    _ps_default NEUTRON_PLACEMENT_USERNAME placement
    # services/l3
    _ps_default PUBLIC_BRIDGE br-ex
    _ps_default PUBLIC_PHYSICAL_NETWORK public
    _ps_default Q_ROUTER_NAME router1
    : "${NETWORK_GATEWAY=}" "${PUBLIC_NETWORK_GATEWAY=}"
    _ps_default PRIVATE_SUBNET_NAME private-subnet
    _ps_default PUBLIC_SUBNET_NAME public-subnet
    _ps_default PUBLIC_SUBNET_ENABLE_DHCP False
    _ps_default Q_USE_PROVIDERNET_FOR_PUBLIC True
    _ps_default IP_VERSION "4+6"
    _ps_default IPV6_RA_MODE slaac
    _ps_default IPV6_ADDRESS_MODE slaac
    _ps_default IPV6_PUBLIC_SUBNET_NAME ipv6-public-subnet
    _ps_default IPV6_PRIVATE_SUBNET_NAME ipv6-private-subnet
    # a random RFC 4193 unique local prefix, fixed for the run
    # (40 bits from the kernel's random source: bash's SRANDOM, else od)
    if [[ -n ${_PS_IPV6_GLOBAL_ID:-} ]]; then
        :
    elif [[ -n ${SRANDOM:-} ]]; then
        printf -v _PS_IPV6_GLOBAL_ID '%02x:%04x:%04x' $((SRANDOM & 0xff)) $((SRANDOM & 0xffff)) $((SRANDOM & 0xffff))
    else
        _PS_IPV6_GLOBAL_ID=$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n' |
            sed -e 's/^\(..\)\(....\)\(....\)$/\1:\2:\3/')
    fi
    _ps_default IPV6_ADDRS_SAFE_TO_USE "fd$_PS_IPV6_GLOBAL_ID::/56"
    # only the first /64 of a larger safe range, as rfc7421 advises
    local v6_bits=${IPV6_ADDRS_SAFE_TO_USE##*/}
    [[ $v6_bits =~ ^[0-9]+$ && $v6_bits -gt 63 ]] || v6_bits=64
    _ps_default FIXED_RANGE_V6 "${IPV6_ADDRS_SAFE_TO_USE%/*}/$v6_bits"
    : "${IPV6_PRIVATE_NETWORK_GATEWAY=}"
    _ps_default IPV6_PUBLIC_RANGE 2001:db8::/64
    _ps_default IPV6_PUBLIC_NETWORK_GATEWAY 2001:db8::2
    _ps_default IPV6_ROUTER_GW_IP 2001:db8::1
    _ps_default USE_SUBNETPOOL True
    _ps_default SUBNETPOOL_NAME_V4 "${SUBNETPOOL_NAME:-shared-default-subnetpool-v4}"
    _ps_default SUBNETPOOL_NAME_V6 "${SUBNETPOOL_NAME:-shared-default-subnetpool-v6}"
    _ps_default SUBNETPOOL_PREFIX_V4 "${IPV4_ADDRS_SAFE_TO_USE:-10.0.0.0/22}"
    _ps_default SUBNETPOOL_PREFIX_V6 "$IPV6_ADDRS_SAFE_TO_USE"
    _ps_default SUBNETPOOL_SIZE_V4 26
    _ps_default SUBNETPOOL_SIZE_V6 64
    # ml2 (an explicitly empty value stays empty, as DevStack's ${VAR-default})
    if [[ ! -v ML2_L3_PLUGIN ]]; then
        if [[ $Q_AGENT == ovn ]]; then ML2_L3_PLUGIN=ovn-router; else ML2_L3_PLUGIN=router; fi
    fi
    _ps_default NEUTRON_DHCP_CONF "$Q_DHCP_CONF_FILE"
    _ps_default NEUTRON_L3_CONF "$Q_L3_CONF_FILE"
    _ps_bool False Q_BUILD_OVS_FROM_GIT
    if [[ -z ${STACK_GROUP:-} ]]; then
        local user=${STACK_USER:-}
        [[ -n $user ]] || { _ps_fact_user && user=$_PS_FACT_USER; }
        STACK_GROUP=
        if [[ -n $user ]] && _ps_fact_group "$user"; then STACK_GROUP=${_PS_FACT_GROUP[x$user]}; fi
    fi
    declare -ga _Q_PLUGIN_EXTRA_CONF_FILES_ABS
    : "${Q_SERVICE_PLUGIN_CLASSES=}" "${L2_AGENT_EXTENSIONS=}" "${L3_AGENT_EXTENSIONS=}"
}
_ps_register_defaults _ps_neutron_defaults

# _ps_csv_add VAR ITEM: append ITEM to the comma list in VAR unless present.
_ps_csv_add() {
    local var=$1 item=$2
    if [[ -z ${!var:-} ]]; then
        printf -v "$var" '%s' "$item"
    elif [[ ,${!var}, != *,"$item",* ]]; then
        printf -v "$var" '%s' "${!var},$item"
    fi
}

# neutron_service_plugin_class_add CLASS (Q_SERVICE_PLUGIN_CLASSES)
function neutron_service_plugin_class_add {
    _ps_csv_add Q_SERVICE_PLUGIN_CLASSES "$1"
}

# _neutron_service_plugin_class_add CLASS: the name lib/neutron-legacy gave
# it (networking-bgpvpn and other plugins still call it).
function _neutron_service_plugin_class_add {
    neutron_service_plugin_class_add "$@"
}

# neutron_ml2_extension_driver_add DRIVER (Q_ML2_PLUGIN_EXT_DRIVERS)
function neutron_ml2_extension_driver_add {
    _ps_csv_add Q_ML2_PLUGIN_EXT_DRIVERS "$1"
}

# plugin_agent_add_l2_agent_extension EXT (L2_AGENT_EXTENSIONS)
function plugin_agent_add_l2_agent_extension {
    _ps_csv_add L2_AGENT_EXTENSIONS "$1"
}

# plugin_agent_add_l3_agent_extension EXT (L3_AGENT_EXTENSIONS)
function plugin_agent_add_l3_agent_extension {
    _ps_csv_add L3_AGENT_EXTENSIONS "$1"
}

# neutron_server_config_add FILE: an extra --config-file for neutron-server.
function neutron_server_config_add {
    _Q_PLUGIN_EXTRA_CONF_FILES_ABS+=("$1")
}

# populate_ml2_config CONF SECTION KEY=VALUE...: iniset each pair (split at
# the first '='); nothing to do without pairs.
function populate_ml2_config {
    local conf=$1 section=$2 pair
    shift 2
    for pair in "$@"; do
        [[ -n $pair ]] || continue
        iniset "$conf" "$section" "${pair%%=*}" "${pair#*=}"
    done
}

# is_neutron_legacy_enabled: neutron runs as the classic q-* services, i.e.
# "neutron" itself was not disabled.
function is_neutron_legacy_enabled {
    local disabled=",${DISABLED_SERVICES:-},"
    disabled=${disabled//,neutron-/,}
    [[ $disabled != *,neutron,* ]]
}

# neutron_deploy_rootwrap_filters SRC_DIR: install SRC_DIR's neutron rootwrap
# filters into Q_CONF_ROOTWRAP_D.
function neutron_deploy_rootwrap_filters {
    [[ ${Q_USE_ROOTWRAP:-True} == False ]] && return 0
    local src=$1
    _ps_sudo install -d -o root -m 755 "$Q_CONF_ROOTWRAP_D"
    _ps_sudo install -o root -m 644 "$src"/etc/neutron/rootwrap.d/*.filters "$Q_CONF_ROOTWRAP_D/"
}

# _neutron_deploy_rootwrap_filters SRC_DIR: lib/neutron-legacy's name.
function _neutron_deploy_rootwrap_filters {
    neutron_deploy_rootwrap_filters "$@"
}

# configure_placement_neutron: the [placement] client section of NEUTRON_CONF.
function configure_placement_neutron {
    iniset "$NEUTRON_CONF" placement auth_type "$NEUTRON_PLACEMENT_AUTH_TYPE"
    iniset "$NEUTRON_CONF" placement auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$NEUTRON_CONF" placement username "$NEUTRON_PLACEMENT_USERNAME"
    iniset "$NEUTRON_CONF" placement password "$SERVICE_PASSWORD"
    iniset "$NEUTRON_CONF" placement user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$NEUTRON_CONF" placement project_name "$SERVICE_TENANT_NAME"
    iniset "$NEUTRON_CONF" placement project_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$NEUTRON_CONF" placement region_name "${REGION_NAME:-RegionOne}"
}

# _ps_neutron_config_files: the --config-file options of neutron-server.
_ps_neutron_config_files() {
    local opts="--config-file $NEUTRON_CONF --config-file $NEUTRON_CORE_PLUGIN_CONF" f
    for f in "${_Q_PLUGIN_EXTRA_CONF_FILES_ABS[@]}"; do
        opts+=" --config-file $f"
    done
    echo "$opts"
}

# start_neutron_service_and_check: start the API (uwsgi neutron-api plus
# neutron-rpc-server, or q-svc) and wait until it answers.
function start_neutron_service_and_check {
    local cfg url
    cfg=$(_ps_neutron_config_files)
    if [[ $NEUTRON_DEPLOY_MOD_WSGI == True ]]; then
        _ps_require_tool uwsgi
        enable_service neutron-api neutron-rpc-server
        run_process neutron-api "$(command -v uwsgi) --procname-prefix neutron-api --ini $NEUTRON_UWSGI_CONF"
        run_process neutron-rpc-server "$NEUTRON_BIN_DIR/neutron-rpc-server $cfg"
        url="$Q_PROTOCOL://$Q_HOST/networking/"
    else
        local port=$Q_PORT protocol=$Q_PROTOCOL
        if is_service_enabled tls-proxy; then
            port=$Q_PORT_INT
            protocol=http
        fi
        run_process q-svc "$NEUTRON_BIN_DIR/neutron-server $cfg"
        url="$protocol://$Q_HOST:$port/"
        if is_service_enabled tls-proxy; then
            start_tls_proxy neutron '*' "$Q_PORT" "$Q_HOST" "$Q_PORT_INT"
        fi
    fi
    echo "Waiting for Neutron to start..."
    if ! wait_for_service "${SERVICE_TIMEOUT:-60}" "$url"; then
        die "Neutron did not start: nothing answered at $url"
    fi
}

# start_neutron_agents: the enabled agents (L2 agent of Q_AGENT, DHCP, L3,
# metadata, metering).
function start_neutron_agents {
    local l2_bin
    case $Q_AGENT in
        openvswitch) l2_bin=neutron-openvswitch-agent ;;
        linuxbridge) l2_bin=neutron-linuxbridge-agent ;;
        *) l2_bin="" ;;
    esac
    if [[ -n $l2_bin ]]; then
        run_process q-agt "$NEUTRON_BIN_DIR/$l2_bin --config-file $NEUTRON_CONF --config-file $NEUTRON_CORE_PLUGIN_CONF"
    fi
    run_process q-dhcp "$NEUTRON_BIN_DIR/neutron-dhcp-agent --config-file $NEUTRON_CONF --config-file $Q_DHCP_CONF_FILE"
    run_process q-l3 "$NEUTRON_BIN_DIR/neutron-l3-agent --config-file $NEUTRON_CONF --config-file $Q_L3_CONF_FILE"
    run_process q-meta "$NEUTRON_BIN_DIR/neutron-metadata-agent --config-file $NEUTRON_CONF --config-file $Q_META_CONF_FILE"
    run_process q-metering "$NEUTRON_BIN_DIR/neutron-metering-agent --config-file $NEUTRON_CONF"
}

# start_neutron: server, then agents.
function start_neutron {
    start_neutron_service_and_check
    start_neutron_agents
}

# stop_neutron: every neutron process this library may have started.
function stop_neutron {
    local service
    for service in neutron-api neutron-rpc-server q-svc q-agt q-dhcp q-l3 q-meta q-metering; do
        stop_process "$service"
    done
}
