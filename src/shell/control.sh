#!/bin/bash
# plugstack library: control functions.
#
# die, err, warn and friends, trueorfalse, is_set/isset, function_exists,
# echo_summary. Behaviour follows DevStack's documented control functions:
# a message may be preceded by a line number (`die $LINENO "msg"`), and
# also works without one (`die "msg"`), in which case the caller's line is
# used. Sourcing this file only defines functions.

# --- private helpers --------------------------------------------------------

# _ps_locate DEPTH ARGS...: where a public function was called from, and
# its message. DEPTH is how many frames the public function is above the
# caller of this helper (1 = the caller itself is the public function).
# Sets _ps_file, _ps_line and _ps_text in the calling function's scope
# (declare them local there). An all-digit first argument is the line
# number (DevStack's `$LINENO` convention) and the file is the direct
# caller's; without one, frames inside plugstack's library directory are
# skipped, so the location names the plugin line that called in.
_ps_locate() {
    local d=$1 top=$((${#BASH_SOURCE[@]} - 1))
    shift
    if [[ $# -ge 1 && $1 =~ ^[0-9]+$ ]]; then
        _ps_line=$1
        shift
    else
        while [[ -n ${_PS_LIB_DIR:-} && $((d + 2)) -le $top && ${BASH_SOURCE[d + 1]%/*} == "$_PS_LIB_DIR" ]]; do
            d=$((d + 1))
        done
        _ps_line=${BASH_LINENO[d]:-0}
    fi
    _ps_file=${BASH_SOURCE[d + 1]:-}
    [[ -n $_ps_file ]] || _ps_file=${0##*/}
    _ps_text="$*"
}

# _ps_time start|stop NAME: DevStack's timers, when the library has them.
_ps_time() {
    if declare -F "time_$1" >/dev/null; then
        "time_$1" "$2"
    fi
    return 0
}

# _ps_root CMD...: runs CMD as root: directly when already root, else
# through sudo.
_ps_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    else
        _ps_require_tool sudo "run as root, or install sudo"
        sudo "$@"
    fi
}

# _ps_notify KIND ARGS...: an event for plugstack, when the driver is loaded
# (it sets _PS_EVENTS; without it, a _ps_event defined some other way is
# looked up).
_ps_notify() {
    if [[ -n ${_PS_EVENTS:-} ]] || declare -F _ps_event >/dev/null; then
        _ps_event "$@"
    fi
    return 0
}

# --- public functions ---------------------------------------------------------

# trueorfalse DEFAULT VARNAME
# Prints "True" or "False" for the value of the variable named VARNAME:
# 1/yes/Yes/YES/true/True/TRUE/on/On/ON are true, 0/no/No/NO/false/False/
# FALSE/off/Off/OFF are false; an unset, empty or unknown value prints
# DEFAULT. A missing VARNAME (the `$FOO` instead of `FOO` mistake) dies.
function trueorfalse {
    [[ $- != *x* ]] || { _ps_untraced trueorfalse "$@"; return; }
    local default=${1:-} varname=${2:-} value=""
    if [[ -z $varname ]]; then
        die "variable to normalize required"
    fi
    # a plain name without the call (hot path), else _ps_is_name
    if [[ $varname == [A-Za-z_]* && ${varname:1} != *[!A-Za-z0-9_]* ]] || _ps_is_name "$varname"; then
        value=${!varname:-}
    fi
    case $value in
        1 | [yY]es | YES | [tT]rue | TRUE | [oO]n | ON) echo "True" ;;
        0 | [nN]o | NO | [fF]alse | FALSE | [oO]ff | OFF) echo "False" ;;
        *) echo "$default" ;;
    esac
}

# _ps_bool DEFAULT NAME: NAME=$(trueorfalse DEFAULT NAME), without the
# subshell where the answer is plain (_ps_bool_plain).
_ps_bool() {
    _ps_bool_plain "$1" "$2" || printf -v "$2" '%s' "$(trueorfalse "$1" "$2")"
}

# _ps_bool_plain DEFAULT NAME: what trueorfalse would make of NAME where that
# is plain: a NAME already True or False stays, an empty or unset one gets
# DEFAULT. Fails, changing nothing, for any other value (yes, 1, on, ...).
_ps_bool_plain() {
    case ${!2:-} in
        True | False) ;;
        "") printf -v "$2" '%s' "$1" ;;
        *) return 1 ;;
    esac
}

# isset VARNAME: true when the variable exists, even if empty.
function isset {
    [[ -v ${1:-} ]]
}

# _ps_is_name NAME: true when NAME is a variable name, or an array element
# NAME[SUBSCRIPT]. Plain names are checked without the regex (hot path).
_ps_is_name() {
    [[ $1 == [A-Za-z_]* && ${1:1} != *[!A-Za-z0-9_]* ]] ||
        [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*(\[.+\])?$ ]]
}

# is_set VARNAME: true when the variable is set and not empty.
function is_set {
    local name=${1:-}
    _ps_is_name "$name" || return 1
    [[ -n ${!name:-} ]]
}

# function_exists NAME: true when NAME is a defined shell function.
function function_exists {
    declare -F "${1:-}" >/dev/null
}

# backtrace LEVEL: prints the call stack, outermost first, down to LEVEL,
# one "file:line:function" per line after a "[Call Trace]" header.
function backtrace {
    local level=${1:-0}
    local deep=$((${#BASH_SOURCE[@]} - 1))
    echo "[Call Trace]"
    while [[ $level -le $deep ]]; do
        echo "${BASH_SOURCE[deep]}:${BASH_LINENO[deep - 1]}:${FUNCNAME[deep - 1]}"
        deep=$((deep - 1))
    done
}

# _ps_error_log LINE: appends LINE to $LOGDIR/error.log when LOGDIR exists.
_ps_error_log() {
    if [[ -n ${LOGDIR:-} && -d $LOGDIR && -w $LOGDIR ]]; then
        echo "$1" >>"$LOGDIR/error.log"
    fi
    return 0
}

# _ps_error FILE LINE TEXT: "[ERROR] FILE:LINE TEXT" on stderr and in the
# error log (err, err_if_not_set, die).
_ps_error() {
    echo "[ERROR] $1:$2 $3" >&2
    _ps_error_log "[ERROR] $1:$2 $3"
}

# _ps_unset_or_failed STATUS LINENO VARNAME MESSAGE...: true when VARNAME
# is unset or empty or STATUS is not 0; then it also sets _ps_file,
# _ps_line and _ps_text (locals of the caller) for die_if_not_set and
# err_if_not_set, which must be its direct caller.
_ps_unset_or_failed() {
    local status=$1
    shift
    local line=$1 evar=$2
    shift 2
    if is_set "$evar" && [[ $status -eq 0 ]]; then
        return 1
    fi
    _ps_locate 2 "$line" "$*"
}

# err [LINENO] MESSAGE: prints "[ERROR] FILE:LINE MESSAGE" on stderr (and
# appends it to $LOGDIR/error.log); returns the status of the command
# before it, so `cmd || err "..."` keeps the failure.
function err {
    local status=$?
    local _ps_xt=$- _ps_file _ps_line _ps_text
    set +o xtrace
    _ps_locate 1 "$@"
    _ps_error "$_ps_file" "$_ps_line" "$_ps_text"
    [[ $_ps_xt != *x* ]] || set -o xtrace
    return $status
}

# warn [LINENO] MESSAGE: prints "[WARNING] FILE:LINE MESSAGE" on stdout;
# returns the status of the command before it.
function warn {
    local status=$?
    local _ps_xt=$- _ps_file _ps_line _ps_text
    set +o xtrace
    _ps_locate 1 "$@"
    echo "[WARNING] $_ps_file:$_ps_line $_ps_text"
    _ps_notify warn "$_ps_file:$_ps_line $_ps_text"
    [[ $_ps_xt != *x* ]] || set -o xtrace
    return $status
}

# _ps_die STATUS FILE LINE TEXT: the end of die and die_if_not_set.
_ps_die() {
    set +o xtrace
    backtrace 3
    _ps_error "$2" "$3" "$4"
    _ps_notify die "$1" "$2" "$3" "$4"
    exit "$1"
}

# die [LINENO] MESSAGE: prints a backtrace (stdout) and
# "[ERROR] FILE:LINE MESSAGE" (stderr), then exits with the status of the
# command before it (1 if that was 0). Under plugstack it also reports a
# "die" event with status, file, line and message.
function die {
    local status=$?
    set +o xtrace
    [[ $status -ne 0 ]] || status=1
    local _ps_file _ps_line _ps_text
    _ps_locate 1 "$@"
    _ps_die "$status" "$_ps_file" "$_ps_line" "$_ps_text"
}

# die_if_not_set LINENO VARNAME MESSAGE: dies when VARNAME is unset or
# empty, or when the command before it failed.
function die_if_not_set {
    local status=$?
    # the common case, a plain variable name that is set after a command
    # that succeeded: no location look-up, no xtrace to save
    if [[ $status == 0 && ${2:-} == [A-Za-z_]* && ${2:1} != *[!A-Za-z0-9_]* && -n ${!2:-} ]]; then
        return 0
    fi
    local _ps_xt=$- _ps_file _ps_line _ps_text
    set +o xtrace
    if _ps_unset_or_failed "$status" "$@"; then
        [[ $status -ne 0 ]] || status=1
        _ps_die "$status" "$_ps_file" "$_ps_line" "$_ps_text"
    fi
    [[ $_ps_xt != *x* ]] || set -o xtrace
    return 0
}

# err_if_not_set LINENO VARNAME MESSAGE: like die_if_not_set, but only
# reports; returns the status of the command before it.
function err_if_not_set {
    local status=$?
    local _ps_xt=$- _ps_file _ps_line _ps_text
    set +o xtrace
    if _ps_unset_or_failed "$status" "$@"; then
        _ps_error "$_ps_file" "$_ps_line" "$_ps_text"
    fi
    [[ $_ps_xt != *x* ]] || set -o xtrace
    return $status
}

# deprecated TEXT: warns once on stderr and collects TEXT in DEPRECATED_TEXT.
function deprecated {
    local text=$1
    DEPRECATED_TEXT+="\n$text"
    echo "WARNING: $text" >&2
}

# exit_distro_not_supported [WHAT]: dies naming this distro.
function exit_distro_not_supported {
    if [[ -z ${DISTRO:-} ]]; then
        GetDistro
    fi
    if [[ $# -gt 0 ]]; then
        die "Support for $DISTRO is incomplete: no support for $*"
    fi
    die "Support for $DISTRO is incomplete."
}

# echo_summary MESSAGE...: a progress line for humans (stdout), also
# reported to plugstack as a "summary" event when running under it.
function echo_summary {
    echo -e "$@"
    # _ps_notify, without its calls when the driver is loaded and xtrace is
    # off (hot path): the event line made here, as _ps_emit makes it, and
    # written by the driver's _ps_send
    if [[ -n ${_PS_EVENTS-} && $- != *x* ]]; then
        local _ps_line="summary"$'\t'"$*"
        _ps_send "${_ps_line//$'\n'/ }"$'\n'
    else
        _ps_notify summary "$*"
    fi
}

# echo_nolog MESSAGE...: DevStack prints this on the console only.
function echo_nolog {
    echo "$@"
}
