# shellcheck shell=bash
# keystone.sh - the parts of DevStack's lib/keystone that plugins use: the
# KEYSTONE_* / SERVICE_* globals, service users, and the config sections that
# let a service authenticate against keystone.

_ps_keystone_defaults() {
    _ps_default KEYSTONE_DIR "${DEST:-/opt/stack}/keystone"
    _ps_default KEYSTONE_CONF_DIR /etc/keystone
    _ps_default KEYSTONE_CONF "$KEYSTONE_CONF_DIR/keystone.conf"
    _ps_default KEYSTONE_PUBLIC_UWSGI_CONF "$KEYSTONE_CONF_DIR/keystone-uwsgi-public.ini"
    _ps_default KEYSTONE_SERVICE_HOST "${SERVICE_HOST:-}"
    _ps_default KEYSTONE_SERVICE_PORT 5000
    _ps_default KEYSTONE_SERVICE_PORT_INT 5001
    local protocol=${SERVICE_PROTOCOL:-http}
    if declare -F is_service_enabled >/dev/null && is_service_enabled tls-proxy; then
        protocol=https
    fi
    _ps_default KEYSTONE_SERVICE_PROTOCOL "$protocol"
    _ps_default KEYSTONE_AUTH_PROTOCOL "$KEYSTONE_SERVICE_PROTOCOL"
    _ps_default KEYSTONE_SERVICE_URI "$KEYSTONE_SERVICE_PROTOCOL://$KEYSTONE_SERVICE_HOST/identity"
    _ps_default KEYSTONE_SERVICE_URI_V3 "$KEYSTONE_SERVICE_URI/v3"
    # kept for plugins written before the two URIs were merged
    _ps_default KEYSTONE_AUTH_URI "$KEYSTONE_SERVICE_URI"
    _ps_default KEYSTONE_AUTH_URI_V3 "$KEYSTONE_SERVICE_URI_V3"
    _ps_default IDENTITY_API_VERSION 3
    _ps_default SERVICE_DOMAIN_NAME Default
    _ps_default SERVICE_PROJECT_NAME service
    _ps_default SERVICE_TENANT_NAME "$SERVICE_PROJECT_NAME"
    _ps_default ADMIN_DOMAIN_NAME Default
    _ps_default MEMCACHE_SERVERS localhost:11211
    _ps_default OPENSTACKCLIENT_CONF_DIR "${PLUGSTACK_SYSROOT:-}/etc/openstack"
}
_ps_register_defaults _ps_keystone_defaults

# create_service_user NAME [ROLE=service]
# A user in the service project; it always also gets the service role, which
# service tokens need.
function create_service_user {
    local name=$1 role=${2:-service}
    local user
    _ps_need_osc
    user=$(get_or_create_user "$name" "$SERVICE_PASSWORD" "$SERVICE_DOMAIN_NAME") || return
    get_or_add_user_project_role "$role" "$user" "$SERVICE_PROJECT_NAME" \
        "$SERVICE_DOMAIN_NAME" "$SERVICE_DOMAIN_NAME" >/dev/null || return
    if [[ $role != service ]]; then
        get_or_add_user_project_role service "$user" "$SERVICE_PROJECT_NAME" \
            "$SERVICE_DOMAIN_NAME" "$SERVICE_DOMAIN_NAME" >/dev/null || return
    fi
}

# _ps_keystoneauth_options CONF SECTION USER: the password-auth options shared
# by the auth_token middleware and keystoneauth clients.
_ps_keystoneauth_options() {
    local conf=$1 section=$2 user=$3
    iniset "$conf" "$section" auth_type password
    iniset "$conf" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" username "$user"
    iniset "$conf" "$section" user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" "$section" password "$SERVICE_PASSWORD"
    iniset "$conf" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$conf" "$section" project_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" "$section" region_name "${REGION_NAME:-RegionOne}"
    iniset "$conf" "$section" cafile "$SSL_BUNDLE_FILE"
}

# configure_keystone_authtoken_middleware CONF ADMIN_USER [SECTION] [SERVICE_TYPE]
# Writes the [keystone_authtoken] (or SECTION) options of keystonemiddleware.
function configure_keystone_authtoken_middleware {
    local conf=$1 user=$2 section=${3:-keystone_authtoken} service_type=${4:-}
    _ps_keystoneauth_options "$conf" "$section" "$user"
    iniset "$conf" "$section" interface public
    iniset "$conf" "$section" www_authenticate_uri "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" memcached_servers "$MEMCACHE_SERVERS"
    if [[ -n $service_type ]]; then
        iniset "$conf" "$section" service_type "$service_type"
    fi
}

# configure_auth_token_middleware CONF ADMIN_USER [IGNORED] [SECTION]
# The old name; its third argument was a signing directory, now unused.
function configure_auth_token_middleware {
    configure_keystone_authtoken_middleware "$1" "$2" "${4:-keystone_authtoken}"
}

# configure_keystoneauth CONF ADMIN_USER [SECTION=keystone_authtoken]
# Password-auth options for a keystoneauth1 client section (e.g. [nova],
# [placement], [service_user]) using the service user ADMIN_USER.
function configure_keystoneauth {
    local conf=$1 user=$2 section=${3:-keystone_authtoken}
    _ps_keystoneauth_options "$conf" "$section" "$user"
}

# start_keystone: run keystone under uwsgi (service "keystone"), wait for it,
# front it with the TLS proxy when enabled, and flush memcached.
function start_keystone {
    _ps_require_tool uwsgi
    local protocol=$KEYSTONE_SERVICE_PROTOCOL
    is_service_enabled tls-proxy && protocol=http
    run_process keystone "$(command -v uwsgi) --procname-prefix keystone --ini $KEYSTONE_PUBLIC_UWSGI_CONF" ""
    echo "Waiting for keystone to start..."
    local url="$protocol://$KEYSTONE_SERVICE_HOST/identity/v$IDENTITY_API_VERSION/"
    if ! wait_for_service "${SERVICE_TIMEOUT:-60}" "$url"; then
        die "keystone did not start: nothing answered at $url"
    fi
    if is_service_enabled tls-proxy; then
        start_tls_proxy keystone-service '*' "$KEYSTONE_SERVICE_PORT" "$KEYSTONE_SERVICE_HOST" "$KEYSTONE_SERVICE_PORT_INT"
    fi
    restart_service memcached
}

# stop_keystone
function stop_keystone {
    stop_process keystone
}

# write_clouds_yaml: $OPENSTACKCLIENT_CONF_DIR/clouds.yaml with DevStack's
# clouds (devstack, devstack-admin, ... devstack-system-reader), through
# $TOP_DIR/tools/update_clouds_yaml.py, as stack.sh writes it before keystone
# starts. Plugins then use `openstack --os-cloud devstack-admin`.
function write_clouds_yaml {
    local dir=$OPENSTACKCLIENT_CONF_DIR
    CLOUDS_YAML=$dir/clouds.yaml
    if [[ -z ${PYTHON:-} ]]; then
        warn "no python3: $CLOUDS_YAML is not written (install python3, or let plugstack install DevStack's prerequisites)"
        return 0
    fi
    _ps_sudo mkdir -p "$dir"
    _ps_sudo chown -R "${STACK_USER:-$(id -un)}" "$dir"
    local -a ca=()
    if [[ -n ${SSL_BUNDLE_FILE:-} && -f $SSL_BUNDLE_FILE ]]; then
        ca=(--os-cacert "$SSL_BUNDLE_FILE")
    fi
    # CLOUD USER PROJECT|- SYSTEM-SCOPE|-, written in one go
    "$PYTHON" "$TOP_DIR/tools/update_clouds_yaml.py" --file "$CLOUDS_YAML" --clouds-from-stdin \
        --os-region-name "${REGION_NAME:-RegionOne}" "${ca[@]}" --os-auth-url "$KEYSTONE_SERVICE_URI" \
        --os-password "${ADMIN_PASSWORD:-}" <<'CLOUDS'
devstack                demo            demo        -
devstack-admin          admin           admin       -
devstack-admin-demo     admin           demo        -
devstack-alt            alt_demo        alt_demo    -
devstack-alt-member     alt_demo_member alt_demo    -
devstack-alt-reader     alt_demo_reader alt_demo    -
devstack-reader         demo_reader     demo        -
devstack-system-admin   admin           -           all
devstack-system-member  system_member   -           all
devstack-system-reader  system_reader   -           all
CLOUDS
}
