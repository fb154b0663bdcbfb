# plugstack: evaluates the localrc text in a throwaway bash, the way DevStack
# sources it, and reports the enable_plugin calls and a few variables.
#
# usage: bash evaluate-driver.sh PRELUDE LOCALRC OUT [VAR...]
# (OUT: a file, or the number of an open file descriptor)
#
# Everything reported goes to OUT as NUL-terminated fields, so no
# value can be mistaken for a separator:
#   prelude-ok
#   prelude-failed STATUS
#   plugin NAME URL REF REF_GIVEN(0|1) LINE ARGC
#   var NAME VALUE
#   changed NAME                (a name of $PLUGSTACK_EVAL_WATCH the prelude changed)
#   notfound COMMAND LINE       (a command not found while localrc ran)
#   function NAME               (after a notfound: every function defined)
#   done
# stdout and stderr of the prelude and of localrc are not parsed.

# shellcheck shell=bash
# shellcheck disable=SC2317 # the functions below are called from localrc

# one output stream for everything the prelude and localrc print
exec 2>&1

__plugstack_prelude=$1
__plugstack_localrc=$2
__plugstack_vars=("${@:4}")
if [[ $3 =~ ^[0-9]+$ ]]; then
    __plugstack_out=$3 # a pipe plugstack reads
else
    exec {__plugstack_out}>"$3" || exit 90
fi
readonly __plugstack_localrc __plugstack_out

# Die with plugstack: this bash leads its own process group; a watcher
# kills the group when plugstack is gone (even after SIGKILL), and ends
# quietly when this bash ends first.
if [[ -n ${PLUGSTACK_PARENT_PID:-} ]]; then
    (
        while kill -0 "$PLUGSTACK_PARENT_PID" 2>/dev/null && kill -0 "$$" 2>/dev/null; do sleep 1; done
        kill -0 "$$" 2>/dev/null && kill -KILL -- "-$$"
    ) </dev/null >/dev/null 2>&1 {__plugstack_out}>&- &
    disown $!
fi
# localrc is sourced without arguments, as stackrc sources it
set --

# the environment's values of the names localrc expands (PLUGSTACK_EVAL_WATCH,
# set only for a declarative localrc): reported when the prelude changes one
declare -A __plugstack_watch=()
for __plugstack_v in ${PLUGSTACK_EVAL_WATCH-}; do
    [[ $__plugstack_v =~ ^[A-Za-z_][A-Za-z0-9_]*$ && -v $__plugstack_v ]] && __plugstack_watch[$__plugstack_v]=${!__plugstack_v}
done
unset PLUGSTACK_EVAL_WATCH

# shellcheck disable=SC1090
source "$__plugstack_prelude"
__plugstack_status=$?
if ((__plugstack_status != 0)); then
    printf 'prelude-failed\0%s\0' "$__plugstack_status" >&"$__plugstack_out"
    exit 0
fi
printf 'prelude-ok\0' >&"$__plugstack_out"
for __plugstack_v in "${!__plugstack_watch[@]}"; do
    if [[ ! -v $__plugstack_v || ${!__plugstack_v} != "${__plugstack_watch[$__plugstack_v]}" ]]; then
        printf 'changed\0%s\0' "$__plugstack_v" >&"$__plugstack_out"
    fi
done

declare -p GITREPO >/dev/null 2>&1 || declare -gA GITREPO
declare -p GITDIR >/dev/null 2>&1 || declare -gA GITDIR
declare -p GITBRANCH >/dev/null 2>&1 || declare -gA GITBRANCH
DEVSTACK_PLUGINS=${DEVSTACK_PLUGINS:-}

if ! declare -F is_plugin_enabled >/dev/null; then
    function is_plugin_enabled {
        [[ ",${DEVSTACK_PLUGINS}," == *",$1,"* ]]
    }
fi

# The recorder: defined after the prelude so it replaces any enable_plugin
# the library has. It records every call (duplicates are judged later) and
# keeps DEVSTACK_PLUGINS and GITREPO/GITDIR/GITBRANCH as DevStack does, so
# localrc conditionals such as `is_plugin_enabled x` still work.
function enable_plugin {
    local name=${1-} url=${2-} ref=${3:-master} given=0 line=0 i
    [[ -n ${3-} ]] && given=1
    # the innermost caller frame that is the localrc text itself
    for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
        if [[ ${BASH_SOURCE[i]} == "$__plugstack_localrc" ]]; then
            line=${BASH_LINENO[i - 1]}
            break
        fi
    done
    printf 'plugin\0%s\0%s\0%s\0%s\0%s\0%s\0' "$name" "$url" "$ref" "$given" "$line" "$#" >&"$__plugstack_out"
    if [[ -n $name ]] && ! is_plugin_enabled "$name"; then
        DEVSTACK_PLUGINS+=",$name"
        GITREPO[$name]=$url
        GITDIR[$name]=${DEST:-/opt/stack}/$name
        GITBRANCH[$name]=$ref
    fi
    return 0
}

# A mistyped function name (enable_plugn) is recorded with its localrc line;
# bash runs this handler in a copy of the shell, so it can list the functions.
function command_not_found_handle {
    local line=0 i
    for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
        if [[ ${BASH_SOURCE[i]} == "$__plugstack_localrc" ]]; then
            line=${BASH_LINENO[i - 1]}
            break
        fi
    done
    printf 'notfound\0%s\0%s\0' "$1" "$line" >&"$__plugstack_out"
    compgen -A function | while read -r i; do printf 'function\0%s\0' "$i"; done >&"$__plugstack_out"
    printf '%s: command not found\n' "$1" >&2
    return 127
}

# DevStack sources localrc without errexit; an ERR or EXIT trap the prelude
# installed must not turn a failing command in localrc into an early exit
trap - ERR EXIT
set +o errexit +o nounset +o errtrace
# shellcheck disable=SC1090
source "$__plugstack_localrc"

for __plugstack_v in "${__plugstack_vars[@]}"; do
    if [[ -v $__plugstack_v ]]; then
        printf 'var\0%s\0%s\0' "$__plugstack_v" "${!__plugstack_v}" >&"$__plugstack_out"
    fi
done
printf 'done\0' >&"$__plugstack_out"
exit 0
