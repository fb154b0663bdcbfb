#!/usr/bin/env bash
# shim.sh - stand-in for a system tool in plugstack's library tests.
#
# The harness links this script under the names of the tools it replaces
# (sudo, apt-get, systemctl, openstack, mysql, ...). Every call is appended
# to $SHIM_LOG as one record: the tool name and its arguments separated by
# \x1f, ended by \x1e. Where callers parse the output, the shim prints
# something plausible; the openstack shim keeps its objects in $SHIM_STATE so
# get-or-create helpers find what an earlier call created.
set -u
name=${0##*/}
: "${SHIM_LOG:?SHIM_LOG must name the call log}"
: "${SHIM_STATE:?SHIM_STATE must name the state directory}"
{
    printf '%s' "$name"
    (($#)) && printf '\x1f%s' "$@"
    printf '\x1e'
} >>"$SHIM_LOG"

# fake_id KIND KEY: a stable 32-hex id for an object.
fake_id() {
    printf '%s:%s' "$1" "$2" | md5sum | cut -c1-32
}

# has FLAG ARGS...: true when FLAG is among ARGS.
has() {
    local flag=$1 a
    shift
    for a in "$@"; do [[ $a == "$flag" ]] && return 0; done
    return 1
}

# opt NAME ARGS...: the value of --NAME X or --NAME=X among ARGS.
opt() {
    local name=$1
    shift
    while (($#)); do
        case $1 in
            "$name") echo "${2:-}"; return 0 ;;
            "$name"=*) echo "${1#*=}"; return 0 ;;
        esac
        shift
    done
    return 1
}

# store KIND KEY [VALUE]: remember an object; prints its id.
store() {
    local dir="$SHIM_STATE/openstack/$1"
    mkdir -p "$dir"
    local id
    id=$(fake_id "$1" "$2")
    printf '%s\n%s\n' "$id" "${3:-}" >"$dir/$(printf '%s' "$2" | md5sum | cut -c1-16)"
    echo "$id"
}

# lookup KIND KEY: print the id of a stored object, fail when absent.
lookup() {
    local f
    f="$SHIM_STATE/openstack/$1/$(printf '%s' "$2" | md5sum | cut -c1-16)"
    [[ -f $f ]] || return 1
    head -n 1 "$f"
}

openstack_shim() {
    # global options first: --os-cloud X, --os-region-name=X, ...
    while [[ ${1:-} == --os-* ]]; do
        if [[ $1 == *=* ]]; then shift; else shift 2; fi
    done
    local object=${1:-} verb=${2:-}
    shift 2 || true
    case "$object $verb" in
        "service show")
            lookup service "$1" || { echo "No service with a type, name or ID of '$1' exists." >&2; return 1; } ;;
        "service create")
            store service "$1" ;;
        "domain show")
            lookup domain "$1" || { echo "No domain with a name or ID of '$1' exists." >&2; return 1; } ;;
        "domain create" | "group create" | "user create" | "project create" | "role create")
            local id
            if id=$(lookup "$object" "$1"); then
                has --or-show "$@" || { echo "Conflict occurred attempting to store $object" >&2; return 1; }
                echo "$id"
            else
                store "$object" "$1"
            fi ;;
        "endpoint list")
            local key
            key="$(opt --service "$@"):$(opt --interface "$@"):$(opt --region "$@")"
            if has URL "$@"; then
                local f
                for f in "$SHIM_STATE"/openstack/endpoint/*; do
                    [[ -f $f ]] && sed -n 2p "$f"
                done
                return 0
            fi
            lookup endpoint "$key" || true ;;
        "endpoint create")
            store endpoint "$1:$2:$(opt --region "$@")" "$3" ;;
        "role add")
            store assignment "$1:$(opt --user "$@")$(opt --group "$@"):$(opt --project "$@")$(opt --domain "$@")" >/dev/null ;;
        "role assignment")
            shift # "list"
            local role
            role=$(opt --role "$@")
            if lookup assignment "$role:$(opt --user "$@")$(opt --group "$@"):$(opt --project "$@")$(opt --domain "$@")" >/dev/null; then
                fake_id role "$role"
            fi ;;
        "image create")
            store image "$1" ;;
        *)
            return 0 ;;
    esac
}

case $name in
    sudo)
        while [[ ${1:-} == -* ]]; do
            case $1 in
                -u | -g) shift 2 ;;
                --) shift; break ;;
                *) shift ;;
            esac
        done
        # sudo VAR=value... COMMAND: the assignments go into the environment
        while [[ ${1:-} == [A-Za-z_]*=* ]]; do
            export "${1?}"
            shift
        done
        exec "$@"
        ;;
    openstack) openstack_shim "$@" ;;
    systemctl)
        case ${1:-} in
            is-enabled) [[ -e $SHIM_STATE/systemd/${2:-} ]] ;;
            enable) mkdir -p "$SHIM_STATE/systemd" && touch "$SHIM_STATE/systemd/${2:-}" ;;
            disable) rm -f "$SHIM_STATE/systemd/${2:-}" ;;
            *) exit 0 ;;
        esac
        ;;
    apache2ctl) [[ ${1:-} == -v ]] && echo "Server version: Apache/2.4.57 (Debian)" ;;
    a2query) [[ -e $SHIM_STATE/a2mod/${2:-} ]] ;;
    a2enmod) mkdir -p "$SHIM_STATE/a2mod" && touch "$SHIM_STATE/a2mod/${1:-}" ;;
    losetup)
        if [[ ${1:-} == -f ]]; then echo /dev/loop7; fi ;;
    vgs) [[ -e $SHIM_STATE/vg/${1:-} ]] ;;
    vgcreate) mkdir -p "$SHIM_STATE/vg" && touch "$SHIM_STATE/vg/${1:-}" ;;
    curl)
        if has -w "$@"; then printf '%s' "${SHIM_CURL_CODE:-200}"; fi ;;
    wget)
        out=$(opt -O "$@") && printf 'downloaded by the wget shim\n' >"$out" ;;
    qemu-img) echo "file format: ${SHIM_QEMU_FORMAT:-qcow2}" ;;
    systemd-detect-virt) echo "${SHIM_CONTAINER:-none}"; [[ ${SHIM_CONTAINER:-none} != none ]] ;;
    *) exit "${SHIM_EXIT:-0}" ;;
esac
