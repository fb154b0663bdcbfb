# shellcheck shell=bash
# tls.sh - DevStack's lib/tls: a two-level test CA (root and intermediate)
# made with the real openssl, server certificates signed by it, the CA bundle
# services trust, and the Apache TLS proxy (tls-proxy service) in front of
# plain-HTTP services.

_ps_tls_defaults() {
    local data=${DATA_DIR:-${DEST:-/opt/stack}/data}
    _ps_default ROOT_CA_DIR "$data/CA/root-ca"
    _ps_default INT_CA_DIR "$data/CA/int-ca"
    _ps_default ORG_NAME OpenStack
    _ps_default ORG_UNIT_NAME DevStack
    _ps_default DEVSTACK_CERT_NAME devstack-cert
    _ps_default DEVSTACK_CERT "$data/$DEVSTACK_CERT_NAME.pem"
    _ps_default SSL_BUNDLE_FILE "$data/ca-bundle.pem"
    _ps_default USE_SSL False
    local host=${SERVICE_HOST:-}
    _ps_default TLS_IP "${host//[\[\]]/}" # ipv6_unquote, without a subshell
}
_ps_register_defaults _ps_tls_defaults

# is_ssl_enabled_service SERVICE...: the service terminates SSL itself
# (USE_SSL=True and listed in SSL_ENABLED_SERVICES).
function is_ssl_enabled_service {
    [[ ${USE_SSL:-False} == True ]] && _ps_csv_has_any "${SSL_ENABLED_SERVICES:-}" "$@"
}

# ensure_certificates SERVICE
# Uses ${SERVICE}_SSL_CERT, _SSL_KEY and _SSL_CA when all three are given (the
# CA is added to the bundle); when none is given, points them at the DevStack
# certificate; a partial set is an error.
function ensure_certificates {
    local service=$1
    local cert_var="${service}_SSL_CERT" key_var="${service}_SSL_KEY" ca_var="${service}_SSL_CA"
    local cert=${!cert_var:-} key=${!key_var:-} ca=${!ca_var:-}
    if [[ -z $cert && -z $key && -z $ca ]]; then
        printf -v "$cert_var" '%s' "$INT_CA_DIR/$DEVSTACK_CERT_NAME.crt"
        printf -v "$key_var" '%s' "$INT_CA_DIR/private/$DEVSTACK_CERT_NAME.key"
        printf -v "$ca_var" '%s' "$INT_CA_DIR/ca-chain.pem"
        return 0
    fi
    if [[ -z $cert || -z $key || -z $ca ]]; then
        die "set all of ${cert_var}, ${key_var} and ${ca_var} to enable SSL for ${service}, or none of them"
    fi
    cat "$ca" >>"$SSL_BUNDLE_FILE"
}

# _ps_openssl ARGS...: openssl with SUBJECT_ALT_NAME always defined, since
# the signing config references it.
_ps_openssl() {
    _ps_require_tool openssl
    SUBJECT_ALT_NAME=${SUBJECT_ALT_NAME:-DNS:localhost} openssl "$@"
}

# _ps_ca_layout CA_DIR COMMON_NAME: directories, index, serial and the two
# openssl configs of a CA (ca.conf makes its own key, signing.conf signs).
_ps_ca_layout() {
    local dir=$1 cn=$2
    mkdir -p "$dir/certs" "$dir/crl" "$dir/newcerts" "$dir/private"
    chmod 710 "$dir/private"
    [[ -f $dir/serial ]] || echo 01 >"$dir/serial"
    touch "$dir/index.txt"
    cat >"$dir/ca.conf" <<EOF
[ req ]
default_bits = 2048
default_md = sha256
prompt = no
distinguished_name = dn
x509_extensions = ca_extensions

[ dn ]
O = $ORG_NAME
OU = $ORG_UNIT_NAME
CN = $cn

[ ca_extensions ]
basicConstraints = critical, CA:true
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always, issuer
keyUsage = critical, cRLSign, keyCertSign
EOF
    cat >"$dir/signing.conf" <<EOF
[ ca ]
default_ca = this_ca

[ this_ca ]
dir = $dir
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/cacert.pem
private_key = $dir/private/cacert.key
serial = $dir/serial
default_days = 365
default_md = sha256
policy = any_subject
unique_subject = no
copy_extensions = none

[ any_subject ]
organizationName = optional
organizationalUnitName = optional
commonName = supplied

[ ca_extensions ]
basicConstraints = critical, CA:true, pathlen:0
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always, issuer
keyUsage = critical, cRLSign, keyCertSign

[ req_extensions ]
basicConstraints = CA:false
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = \${ENV::SUBJECT_ALT_NAME}
EOF
}

# make_root_CA CA_DIR: a self-signed root CA (kept when it exists).
function make_root_CA {
    local dir=$1
    [[ -r $dir/cacert.pem ]] && return 0
    _ps_ca_layout "$dir" "Root CA"
    _ps_openssl req -config "$dir/ca.conf" -x509 -nodes -newkey rsa:2048 -days 3650 \
        -keyout "$dir/private/cacert.key" -out "$dir/cacert.pem" -outform PEM
}

# make_int_CA CA_DIR SIGNING_CA_DIR: an intermediate CA signed by the other.
function make_int_CA {
    local dir=$1 signer=$2
    [[ -r $dir/cacert.pem ]] && return 0
    _ps_ca_layout "$dir" "Intermediate CA"
    _ps_openssl req -config "$dir/ca.conf" -nodes -newkey rsa:2048 \
        -keyout "$dir/private/cacert.key" -out "$dir/cacert.csr" -outform PEM
    _ps_openssl ca -config "$signer/signing.conf" -extensions ca_extensions -days 1825 \
        -notext -batch -in "$dir/cacert.csr" -out "$dir/cacert.pem"
}

# configure_CA: the certificates name the service address as it is now.
function configure_CA {
    if [[ -n ${SERVICE_HOST:-} && $(ipv6_unquote "$SERVICE_HOST") != "${TLS_IP:-}" ]]; then
        TLS_IP=$(ipv6_unquote "$SERVICE_HOST")
    fi
}

# init_CA: build both CAs, write ca-chain.pem, add it to SSL_BUNDLE_FILE and
# to the system trust store.
function init_CA {
    make_root_CA "$ROOT_CA_DIR"
    make_int_CA "$INT_CA_DIR" "$ROOT_CA_DIR"
    cat "$INT_CA_DIR/cacert.pem" "$ROOT_CA_DIR/cacert.pem" >"$INT_CA_DIR/ca-chain.pem"
    mkdir -p "$(dirname -- "$SSL_BUNDLE_FILE")"
    cat "$INT_CA_DIR/ca-chain.pem" >>"$SSL_BUNDLE_FILE"
    local root
    root=$(_ps_sysroot)
    if is_fedora; then
        _ps_sudo mkdir -p "$root/usr/share/pki/ca-trust-source/anchors"
        _ps_sudo cp "$INT_CA_DIR/ca-chain.pem" "$root/usr/share/pki/ca-trust-source/anchors/devstack-chain.pem"
        _ps_require_tool update-ca-trust
        _ps_sudo update-ca-trust
    elif is_ubuntu; then
        _ps_sudo mkdir -p "$root/usr/local/share/ca-certificates"
        _ps_sudo cp "$INT_CA_DIR/ca-chain.pem" "$root/usr/local/share/ca-certificates/devstack-int.crt"
        _ps_sudo cp "$ROOT_CA_DIR/cacert.pem" "$root/usr/local/share/ca-certificates/devstack-root.crt"
        _ps_require_tool update-ca-certificates
        _ps_sudo update-ca-certificates
    fi
}

# make_cert CA_DIR NAME COMMON_NAME [ALT_NAMES]
# A server certificate CA_DIR/NAME.crt (key in CA_DIR/private/NAME.key) for
# COMMON_NAME, valid for a year; kept when it exists. ALT_NAMES is a
# subjectAltName list such as "IP:10.0.0.5,DNS:api".
function make_cert {
    local dir=$1 name=$2 cn=$3 alt=${4:-}
    if [[ $cn != "${SERVICE_HOST:-}" ]] && is_ipv4_address "${SERVICE_HOST:-}"; then
        alt+=${alt:+,}IP:$SERVICE_HOST
    fi
    [[ -r $dir/$name.crt ]] && return 0
    local subject="/O=${ORG_NAME}/OU=${ORG_UNIT_NAME} Servers/CN=${cn}"
    _ps_openssl req -sha256 -newkey rsa:2048 -nodes -subj "$subject" \
        -keyout "$dir/private/$name.key" -out "$dir/$name.csr"
    SUBJECT_ALT_NAME="DNS:${cn}${alt:+,$alt}" _ps_openssl ca -config "$dir/signing.conf" \
        -extensions req_extensions -days 365 -notext -batch -subj "$subject" \
        -in "$dir/$name.csr" -out "$dir/$name.crt"
}

# init_cert: the DevStack server certificate, and DEVSTACK_CERT, a bundle of
# its key, itself and the intermediate CA, as the TLS proxy uses it.
function init_cert {
    [[ -r $DEVSTACK_CERT ]] && return 0
    local alt=""
    [[ -n ${TLS_IP:-} ]] && alt="IP:$TLS_IP"
    [[ -n ${HOST_IPV6:-} ]] && alt+=${alt:+,}IP:$HOST_IPV6
    DEVSTACK_HOSTNAME=${DEVSTACK_HOSTNAME:-$(hostname -f 2>/dev/null || hostname)}
    make_cert "$INT_CA_DIR" "$DEVSTACK_CERT_NAME" "$DEVSTACK_HOSTNAME" "$alt"
    cat "$INT_CA_DIR/private/$DEVSTACK_CERT_NAME.key" "$INT_CA_DIR/$DEVSTACK_CERT_NAME.crt" \
        "$INT_CA_DIR/cacert.pem" >"$DEVSTACK_CERT"
}

# deploy_int_CA DEST_FILE: copy the CA chain where a service expects it.
function deploy_int_CA {
    _ps_sudo cp "$INT_CA_DIR/ca-chain.pem" "$1"
}

# deploy_int_cert CERT_FILE KEY_FILE: copy the DevStack certificate and key.
function deploy_int_cert {
    _ps_sudo cp "$INT_CA_DIR/$DEVSTACK_CERT_NAME.crt" "$1"
    _ps_sudo cp "$INT_CA_DIR/private/$DEVSTACK_CERT_NAME.key" "$2"
}

# start_tls_proxy NAME FRONT_HOST FRONT_PORT BACK_HOST BACK_PORT [HEADER_SIZE]
# An Apache site NAME-tls-proxy terminating TLS on FRONT_HOST:FRONT_PORT and
# forwarding plain HTTP to BACK_HOST:BACK_PORT.
function start_tls_proxy {
    local site="$1-tls-proxy" f_host=$2 f_port=$3 b_host=$4 b_port=$5 header_size=${6:-8190}
    local conf listen=""
    conf=$(apache_site_config_for "$site")
    # Apache already listens on 80 and 443; older versions refuse duplicates
    if [[ $f_port != 80 && $f_port != 443 ]]; then
        if [[ $f_host == '*' ]]; then
            listen="Listen $f_port"
        else
            listen="Listen $f_host:$f_port"
        fi
    fi
    _ps_sudo mkdir -p "$(dirname -- "$conf")"
    _ps_sudo tee "$conf" >/dev/null <<EOF
$listen

<VirtualHost $f_host:$f_port>
    SSLEngine On
    SSLCertificateFile $DEVSTACK_CERT
    SSLProtocol -all +TLSv1.3 +TLSv1.2
    KeepAlive Off
    LimitRequestFieldSize $header_size
    RequestHeader set X-Forwarded-Proto "https"
    SetEnv proxy-initial-not-pooled
    <Location />
        ProxyPass http://$b_host:$b_port/ retry=0 nocanon acquire=1
        ProxyPassReverse http://$b_host:$b_port/
    </Location>
    ErrorLog $APACHE_LOG_DIR/tls-proxy_error.log
    LogLevel info
    CustomLog $APACHE_LOG_DIR/tls-proxy_access.log combined
</VirtualHost>
EOF
    local mod
    for mod in headers ssl proxy proxy_http; do
        enable_apache_mod "$mod" norestart
    done
    enable_apache_site "$site"
    restart_apache_server
}
