# shellcheck shell=bash
# openstack.sh - DevStack's "OpenStack Functions": idempotent get-or-create
# helpers over the real `openstack` client, plus get_field and
# generate_hex_string. Every helper prints the id it found or created.

# _ps_need_osc: die (in the caller's shell, not in a command substitution)
# when the openstack client is missing.
_ps_need_osc() {
    _ps_require_tool openstack "install python-openstackclient"
}

# _ps_osc ARGS...: the openstack client, or a clear error when it is missing.
_ps_osc() {
    _ps_need_osc
    openstack "$@"
}

# _ps_osc_system ARGS...: like _ps_osc, but uses the system-scoped
# devstack-system-admin cloud when a clouds.yaml defines it (as DevStack does
# for catalog changes); otherwise the caller's OS_* environment.
_ps_osc_system() {
    local f
    for f in "${OS_CLIENT_CONFIG_FILE:-}" "$HOME/.config/openstack/clouds.yaml" "${PLUGSTACK_SYSROOT:-}/etc/openstack/clouds.yaml"; do
        if [[ -n $f && -r $f ]] && grep -q '^[[:space:]]*devstack-system-admin:' "$f"; then
            _ps_osc --os-cloud devstack-system-admin "$@"
            return
        fi
    done
    _ps_osc "$@"
}

# generate_hex_string SIZE: 2*SIZE hex digits from SIZE random bytes.
function generate_hex_string {
    local size=$1
    od -An -v -N "$size" -t x1 /dev/urandom | tr -d ' \n'
    echo
}

# get_field N: read prettytable rows on stdin and print column N of each
# (1 is the first column; -1 the last, -2 the one before, ...).
function get_field {
    local n=$1 line
    while IFS= read -r line; do
        awk -F '[ \t]*[|][ \t]*' -v n="$n" '{ i = (n < 0) ? NF + n : n + 1; print $i }' <<<"$line"
    done
}

# get_or_create_domain NAME DESCRIPTION
function get_or_create_domain {
    _ps_need_osc
    local id
    id=$(_ps_osc domain show "$1" -f value -c id 2>/dev/null ||
        _ps_osc domain create "$1" --description "$2" -f value -c id) || return
    echo "$id"
}

# get_or_create_group NAME DOMAIN [DESCRIPTION]
function get_or_create_group {
    _ps_need_osc
    local id
    id=$(_ps_osc group create "$1" --domain "$2" --description "${3:-}" --or-show -f value -c id) || return
    echo "$id"
}

# get_or_create_user NAME PASSWORD DOMAIN [EMAIL]
function get_or_create_user {
    _ps_need_osc
    local -a email=()
    [[ -n ${4:-} ]] && email=("--email=$4")
    local id
    id=$(_ps_osc user create "$1" --password "$2" "--domain=$3" "${email[@]}" --or-show -f value -c id) || return
    echo "$id"
}

# get_or_create_project NAME DOMAIN
function get_or_create_project {
    _ps_need_osc
    local id
    id=$(_ps_osc project create "$1" "--domain=$2" --or-show -f value -c id) || return
    echo "$id"
}

# get_or_create_role NAME
function get_or_create_role {
    _ps_need_osc
    local id
    id=$(_ps_osc role create "$1" --or-show -f value -c id) || return
    echo "$id"
}

# _get_domain_args [USER_DOMAIN] [PROJECT_DOMAIN]: the matching CLI options.
function _get_domain_args {
    local out=""
    [[ -n ${1:-} ]] && out+=" --user-domain $1"
    [[ -n ${2:-} ]] && out+=" --project-domain $2"
    echo "${out# }"
}

# _ps_role_assignment ROLE ACTOR_OPT ACTOR TARGET_OPT TARGET [EXTRA...]
# Add the role (idempotent in keystone) and print the role of the assignment.
_ps_role_assignment() {
    _ps_need_osc
    local role=$1 actor_opt=$2 actor=$3 target_opt=$4 target=$5
    shift 5
    local found
    found=$(_ps_osc role assignment list --role "$role" "$actor_opt" "$actor" "$target_opt" "$target" "$@" -c Role -f value) || return
    if [[ -z $found ]]; then
        _ps_osc role add "$role" "$actor_opt" "$actor" "$target_opt" "$target" "$@" >/dev/null || return
        found=$(_ps_osc role assignment list --role "$role" "$actor_opt" "$actor" "$target_opt" "$target" "$@" -c Role -f value) || return
    fi
    echo "$found"
}

# get_or_add_user_project_role ROLE USER PROJECT [USER_DOMAIN] [PROJECT_DOMAIN]
function get_or_add_user_project_role {
    local -a domain_args
    read -r -a domain_args <<<"$(_get_domain_args "${4:-}" "${5:-}")"
    _ps_role_assignment "$1" --user "$2" --project "$3" "${domain_args[@]}"
}

# get_or_add_user_domain_role ROLE USER DOMAIN
function get_or_add_user_domain_role {
    _ps_role_assignment "$1" --user "$2" --domain "$3"
}

# get_or_add_group_project_role ROLE GROUP PROJECT
function get_or_add_group_project_role {
    _ps_role_assignment "$1" --group "$2" --project "$3"
}

# get_or_create_service NAME TYPE DESCRIPTION
# Services are looked up by type, as DevStack does.
function get_or_create_service {
    _ps_need_osc
    local id
    id=$(_ps_osc_system service show "$2" -f value -c id 2>/dev/null ||
        _ps_osc_system service create "$2" --name "$1" "--description=$3" -f value -c id) || return
    echo "$id"
}

# _get_or_create_endpoint_with_interface SERVICE INTERFACE URL REGION
function _get_or_create_endpoint_with_interface {
    _ps_need_osc
    local id
    id=$(_ps_osc_system endpoint list --service "$1" --interface "$2" --region "$4" -c ID -f value) || return
    if [[ -z $id ]]; then
        id=$(_ps_osc_system endpoint create "$1" "$2" "$3" --region "$4" -f value -c id) || return
    fi
    echo "$id"
}

# get_or_create_endpoint SERVICE REGION PUBLIC_URL [ADMIN_URL] [INTERNAL_URL]
# Creates one endpoint per interface given and prints the public one's id.
function get_or_create_endpoint {
    _ps_need_osc
    local public_id
    public_id=$(_get_or_create_endpoint_with_interface "$1" public "$3" "$2") || return
    if [[ -n ${4:-} ]]; then
        _get_or_create_endpoint_with_interface "$1" admin "$4" "$2" >/dev/null || return
    fi
    if [[ -n ${5:-} ]]; then
        _get_or_create_endpoint_with_interface "$1" internal "$5" "$2" >/dev/null || return
    fi
    echo "$public_id"
}

# get_endpoint_url SERVICE INTERFACE
function get_endpoint_url {
    _ps_need_osc
    _ps_osc endpoint list --service "$1" --interface "$2" -c URL -f value
}
