#!/bin/bash
# plugstack library: INI file functions (DevStack's inc/ini-config).
#
# A section starts at a line "[NAME]" (column 0) and ends at the next line
# that starts with "["; a section may appear more than once. An option line
# starts at column 0 with the option name, optional blanks, then "=".
# Section and option names are matched literally (spaces allowed), values
# are written literally (any of = : / | & \ allowed). A new option goes
# right after its section header as "option = value"; changing an option
# keeps the text up to its value. A missing section is appended after a
# blank line; a missing file is created. `-sudo` as the first argument
# reads and writes through sudo when not root. Sourcing this file only defines
# functions.

# _ps_ini_awk MODE [FILE...]: the one awk program behind these functions
# (it reads stdin without FILE).
# Inputs come from the environment (_PS_S section, _PS_O option, _PS_V
# value, _PS_N number of values in _PS_V1.._PS_Vn), so no escape of any
# value is interpreted.
_ps_ini_awk() {
    local mode=$1
    shift
    LC_ALL=C awk -v mode="$mode" '
        function is_header(l) { return substr(l, 1, 1) == "[" }
        function is_section(l) { return index(l, "[" sec "]") == 1 }
        function is_option(l,    rest) {
            if (opt == "" || index(l, opt) != 1) return 0
            rest = substr(l, length(opt) + 1)
            return rest ~ /^[ \t]*=/
        }
        function value_of(l,    rest) {
            rest = substr(l, length(opt) + 1)
            sub(/^[ \t]*=[ \t]*/, "", rest)
            sub(/[ \t]+$/, "", rest)
            return rest
        }
        function print_values(   i) {
            for (i = 1; i <= n; i++) print opt " = " ENVIRON["_PS_V" i]
        }
        BEGIN {
            sec = ENVIRON["_PS_S"]; opt = ENVIRON["_PS_O"]; val = ENVIRON["_PS_V"]
            n = ENVIRON["_PS_N"] + 0
            insec = 0; first = 1; found = 0; out = ""; sep = ""
            rewrite = mode ~ /^(set|multi|literal|delete|comment|uncomment)$/
        }
        is_header($0) {
            insec = is_section($0)
            if (mode == "sections") {
                name = substr($0, 2)
                sub(/\][^\]]*$/, "", name)
                gsub(/[ \t]+/, " ", name); sub(/^ /, "", name); sub(/ $/, "", name)
                if (name != "") { out = out sep name; sep = " " }
            }
            if (rewrite) print
            if (insec && first) {
                first = 0
                if (mode == "set" && !ENVIRON["_PS_HAS"]) print opt " = " val
                if (mode == "multi") print_values()
                if (mode == "literal") print opt " = " val
            }
            next
        }
        mode == "get" || mode == "getall" || mode == "has" {
            if (insec && is_option($0)) {
                found = 1
                v = value_of($0)
                if (mode == "get") out = v
                else if (v != "") { out = out sep v; sep = " " }
            }
            next
        }
        mode == "set" {
            if (insec && is_option($0)) {
                rest = substr($0, length(opt) + 1)
                match(rest, /^[ \t]*=[ \t]*/)
                print opt substr(rest, 1, RLENGTH) val
            } else print
            next
        }
        mode == "multi" || mode == "delete" {
            if (!(insec && is_option($0))) print
            next
        }
        mode == "comment" {
            if (insec && is_option($0)) print "#" $0
            else print
            next
        }
        mode == "uncomment" {
            if (insec && match($0, /^[ \t]*[^ \t#]*#+[ \t]*/)) {
                rest = substr($0, RLENGTH + 1)
                if (is_option(rest)) { print rest; next }
            }
            print
            next
        }
        rewrite { print }
        END {
            if (mode == "get" || mode == "getall" || mode == "sections") print out
            if (mode == "has") exit(found ? 0 : 1)
        }
    ' "$@"
}

# _ps_sudo_arg ARG: the leading `-sudo` of the ini and local.conf editors.
# Sets _PS_SUDO to "sudo" when ARG is -sudo and we are not root, else to "";
# returns 0 when ARG is -sudo, for the caller to shift it off:
#   _ps_sudo_arg "${1:-}" && shift
#   local sudo=$_PS_SUDO
_ps_sudo_arg() {
    _PS_SUDO=""
    [[ $1 == "-sudo" ]] || return 1
    [[ $EUID -eq 0 ]] || _PS_SUDO=sudo
}

# _ps_rewrite_file SUDO FILE CMD...: replaces FILE's text with what CMD
# prints, writing into the same file (same inode, owner and mode), through
# SUDO when it is set; FILE is left alone when CMD fails (status 1).
# Shared by the ini and local.conf editors.
_ps_rewrite_file() {
    local sudo=$1 file=$2 tmp rc=0
    shift 2
    tmp=$(mktemp) || return 1
    if "$@" >"$tmp"; then
        if [[ -n $sudo ]]; then
            $sudo tee "$file" <"$tmp" >/dev/null || rc=$?
        else
            cat "$tmp" >"$file" || rc=$?
        fi
    else
        rc=1
    fi
    rm -f "$tmp"
    return $rc
}

# _ps_ini_filter SUDO FILE MODE: FILE's text run through MODE.
_ps_ini_filter() {
    _ps_ini_cat "$1" "$2" | _ps_ini_awk "$3"
}

# _ps_ini_rewrite SUDO FILE MODE: runs MODE over FILE and writes the result
# back into the same file (same inode, owner and mode).
_ps_ini_rewrite() {
    local sudo=$1 file=$2 mode=$3
    if [[ ! -f $file ]]; then
        echo "${FUNCNAME[1]}: $file: no such file" >&2
        return 1
    fi
    _ps_rewrite_file "$sudo" "$file" _ps_ini_filter "$sudo" "$file" "$mode"
}

# _ps_ini_append SUDO FILE TEXT: appends TEXT to FILE, creating it (and its
# directory: plugins write e.g. $TEMPEST_CONFIG of a service plugstack does
# not install).
_ps_ini_append() {
    if [[ $2 == */* && ! -d ${2%/*} ]]; then
        $1 mkdir -p -- "${2%/*}" 2>/dev/null || true
    fi
    if [[ -n $1 ]]; then
        printf '%s' "$3" | $1 tee --append "$2" >/dev/null
    else
        printf '%s' "$3" >>"$2"
    fi
}

# _ps_ini_cat SUDO FILE: the file's text (read through sudo for -sudo, so
# files only root can read work too).
_ps_ini_cat() {
    if [[ -n $1 ]]; then
        $1 cat -- "$2"
    else
        cat -- "$2"
    fi
}

# _ps_ini_has_section FILE SECTION [SUDO]
_ps_ini_has_section() {
    [[ -f $1 ]] || return 1
    _ps_ini_cat "${3:-}" "$1" |
        LC_ALL=C awk -v s="[$2]" 'index($0, s) == 1 { f = 1 } END { exit(f ? 0 : 1) }'
}

# _ps_ini_opt_split LINE OPTION: true when LINE sets OPTION (OPTION, blanks,
# "="); then _ps_eq is the text from after OPTION up to the value ("  =  ")
# and _ps_val the value without surrounding blanks. Pure bash, the same
# reading as the awk program's is_option/value_of.
_ps_ini_opt_split() {
    [[ -n $2 && $1 == "$2"* ]] || return 1
    local rest=${1#"$2"} lead
    lead=${rest%%[!$' \t']*}
    rest=${rest#"$lead"}
    [[ $rest == =* ]] || return 1
    rest=${rest#=}
    _ps_eq=$lead=${rest%%[!$' \t']*}
    rest=${rest#"${rest%%[!$' \t']*}"}
    _ps_val=${rest%"${rest##*[!$' \t']}"}
}

# _ps_ini_set_pure FILE SECTION OPTION VALUE: iniset on a readable and
# writable FILE, in pure bash (no awk, cat or temp file): the file is read
# into an array and written back into the same file. Returns 2, writing
# nothing, when FILE has no SECTION (the caller appends it, as iniset does).
_ps_ini_set_pure() {
    local hdr="[$2]" line insec=0 at=-1 has=0 _ps_eq _ps_val
    local -a lines out=()
    mapfile -t lines <"$1" || return 1
    for line in "${lines[@]}"; do
        if [[ $line == "["* ]]; then
            out+=("$line")
            if [[ $line == "$hdr"* ]]; then
                insec=1
                [[ $at -ge 0 ]] || at=${#out[@]}
            else
                insec=0
            fi
        elif [[ $insec == 1 ]] && _ps_ini_opt_split "$line" "$3"; then
            out+=("$3$_ps_eq$4")
            has=1
        else
            out+=("$line")
        fi
    done
    [[ $at -ge 0 ]] || return 2
    [[ $has == 1 ]] || out=("${out[@]:0:at}" "$3 = $4" "${out[@]:at}")
    printf '%s\n' "${out[@]}" >"$1"
}

# _ps_ini_get_pure FILE SECTION OPTION: _ps_out=the option's value (the last
# one), "" when missing; pure bash, for a readable FILE.
_ps_ini_get_pure() {
    local hdr="[$2]" line insec=0 _ps_eq _ps_val
    local -a lines
    _ps_out=""
    mapfile -t lines <"$1" || return 1
    for line in "${lines[@]}"; do
        if [[ $line == "["* ]]; then
            if [[ $line == "$hdr"* ]]; then insec=1; else insec=0; fi
        elif [[ $insec == 1 ]] && _ps_ini_opt_split "$line" "$3"; then
            _ps_out=$_ps_val
        fi
    done
}

# iniset [-sudo] FILE SECTION OPTION VALUE
function iniset {
    [[ $- != *x* ]] || { _ps_untraced iniset "$@"; return; }
    _ps_sudo_arg "${1:-}" && shift
    local sudo=$_PS_SUDO
    local file=${1:-} section=${2:-} option=${3:-} value=${4:-} rc=0
    if [[ -n $section && -n $option && -z $sudo && -f $file && -r $file && -w $file ]]; then
        # the common case, in pure bash: a file we can read and write
        _ps_ini_set_pure "$file" "$section" "$option" "$value" || rc=$?
        if [[ $rc == 2 ]]; then
            rc=0
            _ps_ini_append "" "$file" $'\n'"[$section]"$'\n'"$option = $value"$'\n' || rc=$?
        fi
    elif [[ -n $section && -n $option ]]; then
        if ! _ps_ini_has_section "$file" "$section" "$sudo"; then
            _ps_ini_append "$sudo" "$file" $'\n'"[$section]"$'\n'"$option = $value"$'\n' || rc=$?
        else
            local has=""
            _ps_ini_cat "$sudo" "$file" | _PS_S=$section _PS_O=$option _ps_ini_awk has && has=1
            _PS_S=$section _PS_O=$option _PS_V=$value _PS_HAS=$has \
                _ps_ini_rewrite "$sudo" "$file" set || rc=$?
        fi
    fi
    return $rc
}

# _ps_ini_read MODE FILE SECTION OPTION: iniget/iniget_multiline, with
# xtrace off; an empty line when FILE is missing. Always returns 0.
_ps_ini_read() {
    [[ $- != *x* ]] || { _ps_untraced _ps_ini_read "$@"; return; }
    if [[ -f ${2:-} ]]; then
        _PS_S=${3:-} _PS_O=${4:-} _ps_ini_awk "$1" "$2"
    else
        echo ""
    fi
    return 0
}

# iniget FILE SECTION OPTION: prints the option's value (the last one when
# it is repeated), without surrounding blanks; empty when missing.
function iniget {
    [[ $- != *x* ]] || { _ps_untraced iniget "$@"; return; }
    if [[ -f ${1:-} && -r $1 ]]; then
        local _ps_out
        _ps_ini_get_pure "$1" "${2:-}" "${3:-}"
        echo "$_ps_out"
        return 0
    fi
    _ps_ini_read get "$@"
}

# iniget_multiline FILE SECTION OPTION: every value of a repeated option,
# joined with spaces.
function iniget_multiline {
    _ps_ini_read getall "$@"
}

# _ps_ini_values FILE SECTION OPTION: every value of the option, one a line.
_ps_ini_values() {
    [[ -f $1 ]] || return 0
    _PS_S=$2 _PS_O=$3 LC_ALL=C awk '
        BEGIN { sec = ENVIRON["_PS_S"]; opt = ENVIRON["_PS_O"] }
        substr($0, 1, 1) == "[" { insec = index($0, "[" sec "]") == 1; next }
        insec && index($0, opt) == 1 && substr($0, length(opt) + 1) ~ /^[ \t]*=/ {
            v = substr($0, length(opt) + 1)
            sub(/^[ \t]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
            print v
        }' "$1"
}

# ini_has_option [-sudo] FILE SECTION OPTION: true when the option is
# present (also with an empty value); -sudo reads through sudo when not root.
function ini_has_option {
    [[ $- != *x* ]] || { _ps_untraced ini_has_option "$@"; return; }
    local rc=1
    _ps_sudo_arg "${1:-}" && shift
    local sudo=$_PS_SUDO
    if [[ -f ${1:-} ]]; then
        _ps_ini_cat "$sudo" "$1" | _PS_S=${2:-} _PS_O=${3:-} _ps_ini_awk has && rc=0
    fi
    return $rc
}

# iniset_multiline [-sudo] FILE SECTION OPTION VALUE...: replaces the option
# with one line per VALUE, in order, right after the section header.
function iniset_multiline {
    [[ $- != *x* ]] || { _ps_untraced iniset_multiline "$@"; return; }
    _ps_sudo_arg "${1:-}" && shift
    local sudo=$_PS_SUDO
    local file=${1:-} section=${2:-} option=${3:-} rc=0 i=0 v
    shift 3 || shift $#
    if [[ -n $section && -n $option ]]; then
        if ! _ps_ini_has_section "$file" "$section" "$sudo"; then
            local text=$'\n'"[$section]"$'\n'
            for v in "$@"; do
                text+="$option = $v"$'\n'
            done
            _ps_ini_append "$sudo" "$file" "$text" || rc=$?
        else
            (
                export _PS_S=$section _PS_O=$option _PS_N=$#
                for v in "$@"; do
                    i=$((i + 1))
                    export "_PS_V$i=$v"
                done
                _ps_ini_rewrite "$sudo" "$file" multi
            ) || rc=$?
        fi
    fi
    return $rc
}

# iniadd [-sudo] FILE SECTION OPTION VALUE...: adds values to a multi-line
# option, keeping the values it already has.
function iniadd {
    [[ $- != *x* ]] || { _ps_untraced iniadd "$@"; return; }
    local -a sudo_arg=()
    if _ps_sudo_arg "${1:-}"; then
        sudo_arg=(-sudo)
        shift
    fi
    local file=${1:-} section=${2:-} option=${3:-} rc=0
    shift 3 || shift $#
    local -a values
    mapfile -t values < <(_ps_ini_values "$file" "$section" "$option")
    iniset_multiline "${sudo_arg[@]}" "$file" "$section" "$option" "${values[@]}" "$@" || rc=$?
    return $rc
}

# iniadd_literal [-sudo] FILE SECTION OPTION VALUE: adds one more line for a
# multi-line option right after the section header (the section must
# exist; nothing else is checked).
function iniadd_literal {
    [[ $- != *x* ]] || { _ps_untraced iniadd_literal "$@"; return; }
    _ps_sudo_arg "${1:-}" && shift
    local sudo=$_PS_SUDO
    local rc=0
    if [[ -n ${2:-} && -n ${3:-} ]]; then
        _PS_S=$2 _PS_O=$3 _PS_V=${4:-} _ps_ini_rewrite "$sudo" "$1" literal || rc=$?
    fi
    return $rc
}

# _ps_ini_edit MODE [-sudo] FILE SECTION OPTION: inidelete/inicomment/
# iniuncomment, with xtrace off; nothing to do without SECTION and OPTION.
_ps_ini_edit() {
    [[ $- != *x* ]] || { _ps_untraced _ps_ini_edit "$@"; return; }
    local mode=$1 rc=0
    shift
    _ps_sudo_arg "${1:-}" && shift
    local sudo=$_PS_SUDO
    if [[ -n ${2:-} && -n ${3:-} ]]; then
        _PS_S=$2 _PS_O=$3 _ps_ini_rewrite "$sudo" "$1" "$mode" || rc=$?
    fi
    return $rc
}

# inidelete [-sudo] FILE SECTION OPTION: removes every line of the option.
function inidelete {
    _ps_ini_edit delete "$@"
}

# inicomment [-sudo] FILE SECTION OPTION: comments the option out ("#").
function inicomment {
    _ps_ini_edit comment "$@"
}

# iniuncomment [-sudo] FILE SECTION OPTION: removes the "#" (and blanks)
# before a commented-out option.
function iniuncomment {
    _ps_ini_edit uncomment "$@"
}

# iniget_sections FILE: the section names, separated by spaces.
function iniget_sections {
    [[ $- != *x* ]] || { _ps_untraced iniget_sections "$@"; return; }
    if [[ -f ${1:-} ]]; then
        _ps_ini_awk sections "$1"
    else
        echo ""
    fi
    return 0
}
