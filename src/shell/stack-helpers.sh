# shellcheck shell=bash
# stack-helpers.sh - helpers DevStack keeps in stack.sh, functions and
# lib/stack: read_password (and the passwords stack.sh asks for),
# wait_for_service, stack_install_service.

# read_password VAR "PROMPT"
# Keeps VAR when it is set. Otherwise asks on a terminal (alphanumeric only,
# blank means random), or picks a random one when nobody can answer, and
# appends VAR=value to $TOP_DIR/.localrc.password so the next run reuses it.
function read_password {
    local _ps_xt=$-
    set +o xtrace
    local var=$1 prompt=$2 pw line
    local store=${TOP_DIR:-}/.localrc.password
    pw=${!var:-}
    if [[ -z $pw && -n ${TOP_DIR:-} && -r $store ]]; then
        # a value chosen earlier (maybe in a subshell) wins over a new one;
        # the last VAR= line counts
        while IFS= read -r line || [[ -n $line ]]; do
            [[ $line != "$var="* ]] || pw=${line#"$var="}
        done <"$store"
        if [[ -n $pw ]]; then
            printf -v "$var" '%s' "$pw"
            [[ $_ps_xt != *x* ]] || set -o xtrace
            return 0
        fi
    fi
    if [[ -n $pw ]]; then
        [[ $_ps_xt != *x* ]] || set -o xtrace
        return 0
    fi
    if [[ -t 0 && -t 1 && ${PLUGSTACK_NONINTERACTIVE:-False} != True ]]; then
        echo "$prompt"
        echo "Leave it blank for a random value; use letters and digits only."
        while true; do
            read -r -p "Password for $var: " pw
            [[ $pw =~ ^[[:alnum:]]*$ ]] && break
            echo "Only letters and digits, please."
        done
    fi
    [[ -n $pw ]] || pw=$(generate_hex_string 10)
    printf -v "$var" '%s' "$pw"
    if [[ -n ${TOP_DIR:-} && -d $TOP_DIR && -w $TOP_DIR ]]; then
        printf '%s=%s\n' "$var" "$pw" >>"$store"
    fi
    [[ $_ps_xt != *x* ]] || set -o xtrace
}

# _ps_stack_passwords: the passwords stack.sh settles before any plugin
# runs, so plugins find them set: DATABASE_PASSWORD (MYSQL_PASSWORD when
# given) and RABBIT_PASSWORD when those services are enabled, SERVICE_PASSWORD
# and ADMIN_PASSWORD always. Values set in localrc or the environment win;
# others are asked for on a terminal or chosen at random and kept in
# $TOP_DIR/.localrc.password (see read_password).
_ps_stack_passwords() {
    if is_service_enabled mysql postgresql; then
        DATABASE_PASSWORD=${DATABASE_PASSWORD:-${MYSQL_PASSWORD:-}}
        read_password DATABASE_PASSWORD "ENTER A PASSWORD TO USE FOR THE DATABASE."
    fi
    if is_service_enabled rabbit; then
        read_password RABBIT_PASSWORD "ENTER A PASSWORD TO USE FOR RABBIT."
    fi
    read_password SERVICE_PASSWORD "ENTER A SERVICE_PASSWORD TO USE FOR THE SERVICE AUTHENTICATION."
    read_password ADMIN_PASSWORD "ENTER A PASSWORD TO USE FOR HORIZON AND KEYSTONE (20 CHARS OR LESS)."
}

# wait_for_service TIMEOUT URL
# Poll URL until an HTTP server answers (any status), for at most TIMEOUT
# seconds. Returns non-zero on timeout.
function wait_for_service {
    local limit=$1 url=$2 rval=0
    _ps_require_tool curl
    time_start wait_for_service
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout "$limit" bash -c '
        while [[ $(curl -g -k --noproxy "*" -s -o /dev/null -w "%{http_code}" "$1") == 000 ]]; do
            sleep 1
        done' _ "$url" || rval=$?
    time_stop wait_for_service
    return $rval
}

# stack_install_service NAME: run install_NAME, inside PROJECT_VENV[NAME]
# when USE_VENV=True and a venv is configured for it.
function stack_install_service {
    local service=$1
    if ! declare -F "install_${service}" >/dev/null; then
        echo "No function declared with name 'install_${service}'."
        exit 1
    fi
    local venv=""
    if [[ ${USE_VENV:-False} == True ]] && declare -p PROJECT_VENV >/dev/null 2>&1; then
        venv=${PROJECT_VENV[$service]:-}
    fi
    if [[ -n $venv ]]; then
        rm -rf "$venv"
        _ps_require_tool "${PYTHON:-python3}"
        "${PYTHON:-python3}" -m venv "$venv"
        export PIP_VIRTUAL_ENV=$venv
    fi
    "install_${service}"
    if [[ -n $venv ]]; then
        unset PIP_VIRTUAL_ENV
    fi
}
