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

# pip_shim ARGS...: `install` remembers what was installed (a directory
# given with -e as an editable install at that location), `list` prints
# them as `pip list --format=columns` does, `freeze` as name==version.
pip_shim() {
    local dir="$SHIM_STATE/pip" verb=${1:-} a editable=0 skip=0 name loc
    mkdir -p "$dir"
    shift || true
    case $verb in
        install)
            for a in "$@"; do
                if ((skip)); then skip=0; continue; fi
                case $a in
                    -e | --editable) editable=1; continue ;;
                    -c | -r | -f | -i | -t | --constraint | --requirement | --find-links | --index-url | \
                        --extra-index-url | --target | --prefix | --root | --upgrade-strategy) skip=1; continue ;;
                    -*) continue ;;
                esac
                loc=""
                name=${a%%\[*}
                if [[ -d $name ]]; then
                    ((editable)) && loc=$(cd "$name" && pwd)
                    local d=$name
                    name=""
                    [[ -f $d/setup.cfg ]] && name=$(sed -n 's/^name[[:space:]]*=[[:space:]]*//p' "$d/setup.cfg" | head -n 1)
                    [[ -n $name ]] || name=${d%/}
                    name=${name##*/}
                else
                    name=${name%%[<>=!~;@ ]*}
                fi
                [[ -n $name ]] && printf '%s\n' "$loc" >"$dir/$name"
                editable=0
            done ;;
        list)
            printf '%-30s %-10s %s\n' Package Version "Editable project location"
            for a in "$dir"/*; do
                [[ -f $a ]] && printf '%-30s %-10s %s\n' "${a##*/}" 0.0.1 "$(cat "$a")"
            done ;;
        freeze)
            for a in "$dir"/*; do
                [[ -f $a ]] && printf '%s==0.0.1\n' "${a##*/}"
            done ;;
        uninstall)
            for a in "$@"; do [[ $a == -* ]] || rm -f "$dir/$a"; done ;;
    esac
    return 0
}

# python_shim ARGS...: `-m pip ...` is the pip shim and `-m venv DIR` makes
# a venv whose python and pip are shims (nothing is downloaded or built);
# anything else runs the real interpreter found further down PATH.
python_shim() {
    local self prev="" a dir real="" d
    self=$(readlink -f "$0")
    for ((a = 1; a <= $#; a++)); do
        if [[ $prev == -m ]]; then
            case ${!a} in
                pip | pip3)
                    shift "$a"
                    pip_shim "$@"
                    return ;;
                ensurepip) return 0 ;;
                venv)
                    dir=${!#}
                    mkdir -p "$dir/bin"
                    for d in python python3 pip pip3; do ln -sf "$self" "$dir/bin/$d"; done
                    return 0 ;;
            esac
        fi
        prev=${!a}
    done
    local IFS=:
    for d in $PATH; do
        if [[ -x $d/$name && $(readlink -f "$d/$name") != "$self" ]]; then
            real=$d/$name
            break
        fi
    done
    [[ -n $real ]] || { echo "$name: no real interpreter on PATH behind the shim" >&2; return 127; }
    exec "$real" "$@"
}

case $name in
    pip | pip3) pip_shim "$@" ;;
    python | python3 | python3.*) python_shim "$@" ;;
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
        # -O FILE, -O- / -O - (stdout), -qO-; without -O: a file named after the URL
        out=""
        for a in "$@"; do
            case $a in
                -O- | -qO- | -qO | -O) [[ $a == *- ]] && out=- ;;
            esac
        done
        [[ -n $out ]] || out=$(opt -O "$@") || out=$(basename -- "${!#}")
        if [[ $out == - ]]; then
            printf 'downloaded by the wget shim\n'
        else
            printf 'downloaded by the wget shim\n' >"$out"
        fi ;;
    qemu-img) echo "file format: ${SHIM_QEMU_FORMAT:-qcow2}" ;;
    systemd-detect-virt) echo "${SHIM_CONTAINER:-none}"; [[ ${SHIM_CONTAINER:-none} != none ]] ;;
    *) exit "${SHIM_EXIT:-0}" ;;
esac
