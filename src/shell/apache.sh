# shellcheck shell=bash
# apache.sh - DevStack's lib/apache: Apache sites and modules, and the uwsgi
# ini files (plus the Apache ProxyPass to their sockets) that API services run
# under. Calls the real a2ensite/a2dissite/a2enmod/a2query, uwsgi packages and
# the httpd/apache2 service.

_ps_apache_defaults() {
    local name=apache2 confdir=sites-available
    if declare -F is_fedora >/dev/null && is_fedora 2>/dev/null; then
        name=httpd
        confdir=conf.d
    fi
    _ps_default APACHE_NAME "$name"
    _ps_default APACHE_CONF_DIR "${PLUGSTACK_SYSROOT:-}/etc/$APACHE_NAME/$confdir"
    _ps_default APACHE_LOG_DIR "/var/log/$APACHE_NAME"
    local user=${STACK_USER:-} group=
    [[ -n $user ]] || { _ps_fact_user && user=$_PS_FACT_USER; }
    _ps_default APACHE_USER "$user"
    if _ps_fact_group "$APACHE_USER" || _ps_fact_group; then
        group=${_PS_FACT_GROUP[x$APACHE_USER]:-${_PS_FACT_GROUP[x]:-}}
    fi
    _ps_default APACHE_GROUP "$group"
    _ps_default UWSGI_SOCKET_DIR /var/run/uwsgi
}
_ps_register_defaults _ps_apache_defaults

# is_apache_enabled_service SERVICE...: listed in APACHE_ENABLED_SERVICES.
function is_apache_enabled_service {
    _ps_csv_has_any "${APACHE_ENABLED_SERVICES:-}" "$@"
}

# get_apache_version: "2.4" or "2.2", from the installed server
# (apache2ctl -v on the Debian family, the httpd package on the RHEL
# family); any other version, or none, is not supported.
function get_apache_version {
    local version=""
    if is_ubuntu; then
        _ps_require_tool apache2ctl "install apache2"
        version=$(_ps_sudo apache2ctl -v 2>/dev/null | awk '/Server version/ { print $3 }' | cut -d/ -f2)
    elif is_fedora; then
        _ps_require_tool rpm
        version=$(rpm -q --queryformat '%{VERSION}' httpd 2>/dev/null)
    fi
    case $version in
        2.4.*) echo 2.4 ;;
        2.2.*) echo 2.2 ;;
        *) exit_distro_not_supported "apache version ${version:-(none installed)}" ;;
    esac
}

# enable_apache_mod MOD [norestart]: enable an Apache module (Debian family;
# httpd loads its modules from conf.modules.d already).
function enable_apache_mod {
    local mod=$1 restart=${2:-}
    if is_ubuntu; then
        # mod_version is built into Debian's apache2
        [[ $mod == version ]] && return 0
        if ! _ps_apache_mod_enabled "$mod"; then
            _ps_require_tool a2enmod "install apache2"
            _ps_sudo a2enmod "$mod"
            [[ $restart == norestart ]] || restart_apache_server
        fi
    elif ! is_fedora; then
        exit_distro_not_supported "apache enable mod"
    fi
}

# _ps_apache_mod_enabled MOD: a2query when it is there, else the
# mods-enabled directory.
_ps_apache_mod_enabled() {
    if command -v a2query >/dev/null 2>&1; then
        a2query -m "$1" >/dev/null 2>&1
    else
        [[ -e $(_ps_sysroot)/etc/$APACHE_NAME/mods-enabled/$1.load ]]
    fi
}

# install_apache_wsgi: Apache with mod_wsgi (python 3).
function install_apache_wsgi {
    if is_ubuntu; then
        install_package apache2
        if is_package_installed libapache2-mod-wsgi; then
            uninstall_package libapache2-mod-wsgi
        fi
        install_package libapache2-mod-wsgi-py3
    elif is_fedora; then
        _ps_sudo rm -f "$(_ps_sysroot)"/etc/httpd/conf.d/000-*
        install_package httpd python3-mod_wsgi
        _ps_sudo systemctl enable httpd
    else
        exit_distro_not_supported "apache wsgi installation"
    fi
    enable_apache_mod wsgi
}

# install_apache_uwsgi: uwsgi with its python3 plugin, and Apache's
# proxy_uwsgi module to forward requests to uwsgi sockets.
function install_apache_uwsgi {
    if is_ubuntu; then
        install_package uwsgi uwsgi-plugin-python3 libapache2-mod-proxy-uwsgi
        enable_apache_mod proxy norestart
        enable_apache_mod proxy_uwsgi norestart
    elif is_fedora; then
        install_package uwsgi uwsgi-plugin-python3
        echo "LoadModule proxy_uwsgi_module modules/mod_proxy_uwsgi.so" |
            _ps_sudo tee "$(_ps_sysroot)/etc/httpd/conf.modules.d/02-proxy-uwsgi.conf" >/dev/null
    else
        exit_distro_not_supported "apache uwsgi installation"
    fi
    restart_apache_server
}

# apache_site_config_for SITE: the file holding SITE's Apache configuration
# (on httpd a disabled site keeps a .disabled suffix).
function apache_site_config_for {
    local site=$1
    if is_fedora; then
        local file="$APACHE_CONF_DIR/${site}.conf"
        if [[ -f $file ]]; then
            echo "$file"
        else
            echo "$file.disabled"
        fi
    else
        echo "$APACHE_CONF_DIR/${site}.conf"
    fi
}

# enable_apache_site SITE
function enable_apache_site {
    local site=$1
    enable_apache_mod version
    if is_fedora; then
        local file="$APACHE_CONF_DIR/${site}.conf"
        if [[ -f $file.disabled && ! -f $file ]]; then
            _ps_sudo mv "$file.disabled" "$file"
        fi
    else
        _ps_require_tool a2ensite "install apache2"
        _ps_sudo a2ensite "$site"
    fi
}

# disable_apache_site SITE (a site that is not there is fine)
function disable_apache_site {
    local site=$1
    if is_fedora; then
        local file="$APACHE_CONF_DIR/${site}.conf"
        if [[ -f $file ]]; then
            _ps_sudo mv "$file" "$file.disabled"
        fi
    else
        _ps_require_tool a2dissite "install apache2"
        _ps_sudo a2dissite "$site" || true
    fi
}

# start_apache_server / stop_apache_server / reload_apache_server
function start_apache_server {
    start_service "$APACHE_NAME"
}

function stop_apache_server {
    stop_service "$APACHE_NAME"
}

function reload_apache_server {
    reload_service "$APACHE_NAME"
}

# restart_apache_server: stop, pause, start - a plain restart sometimes finds
# the old process still holding its ports.
function restart_apache_server {
    time_start restart_apache_server
    stop_service "$APACHE_NAME"
    sleep "${APACHE_RESTART_PAUSE:-3}"
    start_service "$APACHE_NAME"
    time_stop restart_apache_server
}

# _ps_uwsgi_conf_start FILE WSGI: a fresh uwsgi ini for the app WSGI (a
# module:callable path, or a wsgi script) with the settings both uwsgi
# writers start with.
_ps_uwsgi_conf_start() {
    local conf=$1 wsgi=$2
    rm -rf "$conf"
    if [[ $wsgi =~ ^[a-zA-Z0-9_.]+:[a-zA-Z0-9_]+$ ]]; then
        iniset "$conf" uwsgi module "$wsgi"
    else
        iniset "$conf" uwsgi wsgi-file "$wsgi"
    fi
    iniset "$conf" uwsgi processes "${API_WORKERS:-2}"
    iniset "$conf" uwsgi master true
    iniset "$conf" uwsgi die-on-term true
    iniset "$conf" uwsgi exit-on-reload false
}

# _ps_uwsgi_proxy NAME LINE: appends the ProxyPass LINE to the Apache site
# NAME, enables the site and restarts Apache.
_ps_uwsgi_proxy() {
    local site
    site=$(apache_site_config_for "$1")
    _ps_sudo mkdir -p "$(dirname -- "$site")"
    echo "$2" | _ps_sudo tee -a "$site" >/dev/null
    enable_apache_site "$1"
    restart_apache_server
}

# write_uwsgi_config FILE WSGI URL [HTTP] [NAME]
# Writes a fresh uwsgi ini for the app WSGI (a module:callable path, or a
# wsgi script). With HTTP (host:port) uwsgi serves HTTP itself; otherwise it
# listens on a unix socket and Apache proxies URL to it. NAME defaults to the
# basename of WSGI and names the socket and the Apache site.
function write_uwsgi_config {
    local conf=$1 wsgi=$2 url=$3 http=${4:-} name=${5:-}
    [[ -n $name ]] || name=$(basename -- "$wsgi")
    local socket_dir=$UWSGI_SOCKET_DIR
    local tmpfiles
    tmpfiles="$(_ps_sysroot)/etc/tmpfiles.d"
    _ps_sudo mkdir -p "$tmpfiles"
    echo "d $socket_dir 0755 ${STACK_USER:-$(id -un)} root" | _ps_sudo tee "$tmpfiles/uwsgi.conf" >/dev/null
    if command -v systemd-tmpfiles >/dev/null 2>&1; then
        _ps_sudo systemd-tmpfiles --create "$tmpfiles/uwsgi.conf"
    else
        _ps_sudo mkdir -p "$(_ps_sysroot)$socket_dir"
    fi
    local socket="$socket_dir/${name}.socket"

    _ps_uwsgi_conf_start "$conf" "$wsgi"
    iniset "$conf" uwsgi worker-reload-mercy "${WORKER_TIMEOUT:-80}"
    iniset "$conf" uwsgi enable-threads true
    iniset "$conf" uwsgi plugins http,python3
    iniset "$conf" uwsgi thunder-lock true
    iniset "$conf" uwsgi hook-master-start "unix_signal:15 gracefully_kill_them_all"
    iniset "$conf" uwsgi buffer-size 65535
    iniset "$conf" uwsgi add-header "Connection: close"
    iniset "$conf" uwsgi lazy-apps true
    iniset "$conf" uwsgi start-time "%t"

    if [[ -n $http ]]; then
        iniset "$conf" uwsgi http "$http"
    else
        iniset "$conf" uwsgi socket "$socket"
        iniset "$conf" uwsgi chmod-socket 666
        _ps_uwsgi_proxy "$name" "ProxyPass \"${url}\" \"unix:${socket}|uwsgi://uwsgi-uds-${name}\" retry=0 acquire=1 "
    fi
}

# write_local_uwsgi_http_config FILE WSGI URL [NAME]
# uwsgi serves HTTP on a free local port and Apache proxies URL to it.
function write_local_uwsgi_http_config {
    local conf=$1 wsgi=$2 url=$3 name=${4:-}
    [[ -n $name ]] || name=$(basename -- "$wsgi")
    local port
    port=$(get_random_port)
    _ps_uwsgi_conf_start "$conf" "$wsgi"
    iniset "$conf" uwsgi enable-threads true
    iniset "$conf" uwsgi plugins http,python3
    iniset "$conf" uwsgi http-socket "${SERVICE_LISTEN_ADDRESS:-127.0.0.1}:$port"
    iniset "$conf" uwsgi lazy-apps true
    iniset "$conf" uwsgi start-time "%t"
    _ps_uwsgi_proxy "$name" "ProxyPass \"${url}\" \"http://127.0.0.1:$port\" retry=0 "
}

# get_random_port: a TCP port nothing listens on (from the ephemeral range).
function get_random_port {
    local port
    while true; do
        port=$((RANDOM % 16384 + 32768))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
}

# remove_uwsgi_config FILE WSGI_OR_NAME: delete the ini, disable the site.
function remove_uwsgi_config {
    local conf=$1 wsgi=$2
    local name
    name=$(basename -- "$wsgi")
    rm -rf "$conf"
    disable_apache_site "$name"
}
