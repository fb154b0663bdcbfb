#!/bin/bash
# plugstack library: local.conf meta-config functions (DevStack's
# inc/meta-config, and the local.conf editing part of inc/ini-config).
#
# A meta-config file holds blocks headed by "[[GROUP|FILE]]" at column 0;
# a block ends at the next such header. FILE may name variables ($NOVA_CONF)
# that are expanded when merging. Sourcing this file only defines functions.

# _PS_AWK_META: the awk function meta(LINE) of the programs below: 1 for a
# "[[GROUP|FILE]]" header, with its parts in mg and mf.
_PS_AWK_META='
        function meta(l,   inner) {
            if (l !~ /^\[\[.*\|.*\]\]/) return 0
            inner = substr(l, 3)
            sub(/\]\][^\]]*$/, "", inner)
            mg = substr(inner, 1, index(inner, "|") - 1)
            mf = substr(inner, index(inner, "|") + 1)
            gsub(/^[ \t]+|[ \t]+$/, "", mg); gsub(/^[ \t]+|[ \t]+$/, "", mf)
            return 1
        }'

# _ps_meta_awk MODE FILE: the awk program behind the local.conf functions.
# Inputs in the environment: _PS_G group, _PS_C conf file name, _PS_S
# section, _PS_O option, _PS_V value.
_ps_meta_awk() {
    LC_ALL=C awk -v mode="$1" "$_PS_AWK_META"'
        function is_opt(l) {
            sub(/^[ \t]+/, "", l)
            return index(l, opt) == 1 && substr(l, length(opt) + 1) ~ /^[ \t]*=/
        }
        BEGIN {
            g = ENVIRON["_PS_G"]; c = ENVIRON["_PS_C"]; sec = ENVIRON["_PS_S"]
            opt = ENVIRON["_PS_O"]; val = ENVIRON["_PS_V"]
            rewrite = mode ~ /^(update|add|addsec)$/
            inblock = 0; insec = 0; done = 0; found = 0
        }
        {
            line = $0
            if (meta(line)) {
                inblock = (mg == g && mf == c); insec = 0
                if (mode == "section" && inblock) found = 1
                if (mode == "files" && mg == g) print mf
                if (rewrite) print line
                if (inblock && !done && mode == "add" && sec == "") { print opt "=" val; done = 1 }
                if (inblock && !done && mode == "addsec") { print "[" sec "]"; print opt " = " val; done = 1 }
                next
            }
            if (mode == "section") { if (inblock) print line; next }
            if (substr(line, 1, 1) == "[") {
                insec = inblock && index(line, "[" sec "]") == 1
                if (mode == "hassection" && insec && sec != "") found = 1
                if (rewrite) print line
                if (insec && !done && mode == "add" && sec != "") { print opt " = " val; done = 1 }
                next
            }
            target = inblock && (sec == "" || insec) && opt != "" && is_opt(line)
            if (mode == "hasoption" && target) found = 1
            if (mode == "update" && target) {
                match(line, /^[ \t]*/); lead = substr(line, 1, RLENGTH)
                rest = substr(line, RLENGTH + length(opt) + 1)
                match(rest, /^[ \t]*=[ \t]*/)
                line = lead opt substr(rest, 1, RLENGTH) val
            }
            if (rewrite) print line
        }
        END { if (mode ~ /^(has|section$)/) exit(found ? 0 : 1) }
    ' "$2"
}

# _ps_dq_expand RAW: expands RAW the way bash expands a double-quoted string
# ("$HOST_IP", "${NAME:-default}", "$(hostname)") into _PS_VALUE. A double
# quote in RAW is kept as a literal character, and a backslash escapes only
# $ ` " and itself (as inside double quotes), so nothing in RAW can end the
# quoted string early: its words never run as a command of their own. Fails
# (status of eval) when RAW is not a valid double-quoted string, e.g. "${".
_ps_dq_expand() {
    local _ps_dq_raw=$1 _ps_dq_out="" _ps_dq_c _ps_dq_i _ps_dq_xt=$-
    if [[ $_ps_dq_raw == *[\\\"]* ]]; then
        set +o xtrace
        for ((_ps_dq_i = 0; _ps_dq_i < ${#_ps_dq_raw}; _ps_dq_i++)); do
            _ps_dq_c=${_ps_dq_raw:_ps_dq_i:1}
            if [[ $_ps_dq_c == '"' ]]; then
                _ps_dq_out+='\"'
            elif [[ $_ps_dq_c != "\\" ]]; then
                _ps_dq_out+=$_ps_dq_c
            elif [[ ${_ps_dq_raw:_ps_dq_i+1:1} == [\$\`\"\\] ]]; then
                _ps_dq_out+="\\${_ps_dq_raw:_ps_dq_i+1:1}"
                _ps_dq_i=$((_ps_dq_i + 1))
            else
                _ps_dq_out+="\\\\"
            fi
        done
        [[ $_ps_dq_xt != *x* ]] || set -o xtrace
    else
        _ps_dq_out=$_ps_dq_raw
    fi
    eval "_PS_VALUE=\"$_ps_dq_out\""
}

# get_meta_section FILE GROUP CONFFILE: the lines of every [[GROUP|CONFFILE]]
# block, in order.
function get_meta_section {
    [[ -r ${1:-} && -n ${3:-} ]] || return 0
    _PS_G=$2 _PS_C=$3 _ps_meta_awk section "$1" || true
}

# get_meta_section_files FILE GROUP: the CONFFILE of each [[GROUP|...]] block.
function get_meta_section_files {
    [[ -r ${1:-} ]] || return 0
    _PS_G=${2:-} _ps_meta_awk files "$1"
}

# _ps_merge_awk MODE ARGS...: the awk program behind merge_config_file and
# merge_config_group. It reads the [[GROUP|CONF]] blocks of a local.conf
# (comment lines skipped; an option written twice becomes a multi-line
# option) and turns each CONF's options into the ops of DevStack's merge:
# one iniset ("set"), inidelete ("delete") or iniadd_literal ("literal")
# call per option, in the order DevStack makes them (new options go right
# after the header, so each section's options backwards). Then, per MODE:
#   apply LOCALCONF GROUP CONF REAL NONL [CONF REAL NONL]...: applies each
#     CONF's ops to the readable and writable file REAL, exactly as the
#     calls would one after the other, and writes REAL once (same inode);
#     NONL=1 when REAL's last line has no newline (an appended section then
#     starts on that line's end, as with iniset). Stops at the first CONF
#     with a value to expand ($ ` \ or "), which bash does, or a REAL it
#     cannot read, and exits 10+N for it (N=0 for the first CONF),
#     leaving it and the rest alone.
#   ops LOCALCONF GROUP CONF: prints CONF's ops, one a line: op, section,
#     option and value separated by \037.
#   ops-apply REAL NONL: applies the ops on stdin (as "ops" prints them).
_ps_merge_awk() {
    LC_ALL=C awk -v mode="$1" "$_PS_AWK_META"'
        function is_section(l, sec) { return index(l, "[" sec "]") == 1 }
        function is_option(l, opt) {
            return opt != "" && index(l, opt) == 1 && substr(l, length(opt) + 1) ~ /^[ \t]*=/
        }
        # one line of a block of file f: a section header, or an option
        function parse(f, l,    eq, attr, value, s) {
            if (l ~ /^\[.+\]/) {
                s = substr(l, 2); sub(/\][^\]]*$/, "", s)
                SEC[f] = s
                return
            }
            if (l ~ /^[ \t]*#/ || l !~ /^[^ \t]/) return
            eq = index(l, "=")
            if (eq == 0) return
            attr = substr(l, 1, eq - 1); value = substr(l, eq + 1)
            sub(/[ \t]+$/, "", attr); sub(/^[ \t]+/, "", value); sub(/[ \t]+$/, "", value)
            s = SEC[f]
            if ((f, s, attr) in CNT) {
                VALS[f, s, attr, CNT[f, s, attr]++] = value
                return
            }
            if (LAST[f] != s) { SECS[f, NS[f]++] = s; LAST[f] = s }
            NAMES[f, NS[f] - 1, NATTR[f, NS[f] - 1]++] = attr
            VALS[f, s, attr, 0] = value; CNT[f, s, attr] = 1
        }
        function addop(op, sec, opt, val) { NOPS++; OP[NOPS] = op; OS[NOPS] = sec; OO[NOPS] = opt; OV[NOPS] = val }
        # the ops of file f into OP/OS/OO/OV[1..NOPS]
        function ops(f,    s, a, sec, attr, k, l) {
            NOPS = 0
            for (s = 0; s < NS[f]; s++) {
                sec = SECS[f, s]
                for (a = NATTR[f, s] - 1; a >= 0; a--) {
                    attr = NAMES[f, s, a]; k = CNT[f, sec, attr]
                    if (k == 1) { addop("set", sec, attr, VALS[f, sec, attr, 0]); continue }
                    addop("delete", sec, attr, "")
                    addop("set", sec, attr, VALS[f, sec, attr, k - 1])
                    for (l = k - 2; l >= 0; l--) addop("literal", sec, attr, VALS[f, sec, attr, l])
                }
            }
        }
        # The file is a linked list: line i holds L[i], the one after it
        # is NX[i] (0: none); NX[0] is the first line, TAIL the last, and
        # n counts the ids given out. An insert or a delete is one step, so
        # each op is one pass over the file.
        function add(after, text) {
            L[++n] = text; NX[n] = NX[after]; NX[after] = n
            if (TAIL == after) TAIL = n
        }
        # one op, exactly as iniset (set), inidelete (delete) or
        # iniadd_literal (literal) apply it
        function apply(op, sec, opt, val,    i, prev, insec, first, has, rest) {
            if (sec == "" || opt == "") return
            insec = 0; first = 0; has = 0; prev = 0
            for (i = NX[0]; i; i = NX[i]) {
                if (substr(L[i], 1, 1) == "[") {
                    insec = is_section(L[i], sec)
                    if (insec && !first) first = i
                } else if (insec && is_option(L[i], opt)) {
                    if (op == "delete") {
                        NX[prev] = NX[i]
                        if (TAIL == i) TAIL = prev
                        continue
                    }
                    if (op == "set") {
                        rest = substr(L[i], length(opt) + 1)
                        match(rest, /^[ \t]*=[ \t]*/)
                        L[i] = opt substr(rest, 1, RLENGTH) val
                        has = 1
                    }
                }
                prev = i
            }
            if (op == "set" && !first) {
                # no such section: iniset appends it
                if (!nonl) add(TAIL, "")
                add(TAIL, "[" sec "]"); add(TAIL, opt " = " val)
            } else if (first && ((op == "set" && !has) || op == "literal")) {
                # a new line goes right after the first header
                add(first, opt " = " val)
            }
            nonl = 0
        }
        function load(file,    r, line) {
            n = 0; NX[0] = 0; TAIL = 0
            while ((r = (getline line < file)) > 0) add(TAIL, line)
            close(file)
            return r == 0
        }
        function save(file,    i) {
            printf "" > file
            for (i = NX[0]; i; i = NX[i]) print L[i] > file
            close(file)
        }
        BEGIN {
            if (mode == "ops-apply") {
                file = ARGV[1]; nonl = ARGV[2] + 0; ARGV[1] = ARGV[2] = ""
                if (!load(file)) exit 1
                FS = "\037"
            } else {
                group = ARGV[2]
                for (i = 3; i < ARGC; i += (mode == "apply" ? 3 : 1)) {
                    nf++; FILE[ARGV[i]] = nf; LAST[nf] = "\001"
                    if (mode == "apply") { REAL[nf] = ARGV[i + 1]; NONL[nf] = ARGV[i + 2] + 0 }
                }
                ARGC = 2
            }
        }
        mode == "ops-apply" { apply($1, $2, $3, substr($0, length($1 $2 $3) + 4)); next }
        meta($0) { f = (mg == group && mf in FILE) ? FILE[mf] : 0; next }
        f { parse(f, $0) }
        END {
            if (mode == "ops-apply") { save(file); exit 0 }
            if (mode == "ops") {
                ops(1)
                for (k = 1; k <= NOPS; k++) print OP[k] "\037" OS[k] "\037" OO[k] "\037" OV[k]
                exit 0
            }
            for (f = 1; f <= nf; f++) {
                ops(f)
                for (k = 1; k <= NOPS; k++) if (OV[k] ~ /[$`\\"]/) exit 10 + f - 1
                if (!load(REAL[f])) exit 10 + f - 1
                nonl = NONL[f]
                for (k = 1; k <= NOPS; k++) apply(OP[k], OS[k], OO[k], OV[k])
                save(REAL[f])
            }
        }
    ' "${@:2}"
}

# merge_config_file FILE GROUP CONFFILE: merges the [[GROUP|CONFFILE]]
# blocks into CONFFILE (variables in its name and in values are expanded),
# creating it when missing. New options land after their section header in
# the order written; an option written twice becomes a multi-line option.
# The ops are those of DevStack's one iniset per option; they are applied
# in one awk process (_ps_merge_awk) when the file is readable and
# writable and no value needs expanding, else as _ps_merge_expanded does.
function merge_config_file {
    _ps_merge_files "$1" "$2" "$3"
}

# _ps_merge_files FILE GROUP CONFFILE...: merge_config_file for each
# CONFFILE, in order: one awk process for all of them, as long as none
# needs bash to expand a value.
_ps_merge_files() {
    local file=$1 group=$2 configfile real nonl content rc
    shift 2
    local -a pending=()
    for configfile in "$@"; do
        _ps_dq_expand "$configfile" || die "could not expand the config file name $configfile of [[$group|$configfile]] in $file"
        real=$_PS_VALUE
        if [[ ! -f $real ]]; then
            { : >>"$real"; } 2>/dev/null || die "could not create config file $real ($configfile)"
        fi
        if [[ -r $real && -w $real ]]; then
            nonl=0 content=""
            IFS= read -r -d '' content <"$real" || true
            [[ -z $content || $content == *$'\n' ]] || nonl=1
            pending+=("$configfile" "$real" "$nonl")
            continue
        fi
        # one iniset per op (through sudo where it may)
        _ps_merge_run "$file" "$group" pending
        _ps_merge_expanded "$file" "$group" "$configfile" "$real" 0
    done
    _ps_merge_run "$file" "$group" pending
}

# _ps_merge_run FILE GROUP ARRAY: runs _ps_merge_awk apply over the (conf,
# real, nonl) triples in the array named ARRAY; a file it hands back goes
# through _ps_merge_expanded, and the rest through the awk again. Empties
# the array.
_ps_merge_run() {
    local -n _ps_mr_batch=$3
    local rc=0 at
    while ((${#_ps_mr_batch[@]})); do
        rc=0
        _ps_merge_awk apply "$1" "$2" "${_ps_mr_batch[@]}" || rc=$?
        ((rc >= 10)) || break
        at=$((rc - 10)) rc=0
        _ps_merge_expanded "$1" "$2" "${_ps_mr_batch[at * 3]}" "${_ps_mr_batch[at * 3 + 1]}" 1 || rc=$?
        _ps_mr_batch=("${_ps_mr_batch[@]:at * 3 + 3}")
    done
    _ps_mr_batch=()
    return $rc
}

# _ps_merge_expanded FILE GROUP CONFFILE REAL BATCH: merge_config_file's
# ops with each value expanded as bash expands a double-quoted string;
# applied in one awk pass when BATCH is 1 and no value holds a newline,
# else one iniset, inidelete or iniadd_literal call each.
_ps_merge_expanded() {
    local file=$1 group=$2 configfile=$3 real=$4 batch=$5 all line op section attr value
    local -a ops=()
    # the ops, read at once (read would take a pipe one byte at a time)
    all=$(_ps_merge_awk ops "$file" "$group" "$configfile")
    while [[ -n $all ]]; do
        line=${all%%$'\n'*}
        if [[ $all == *$'\n'* ]]; then all=${all#*$'\n'}; else all=""; fi
        op=${line%%$'\x1f'*} line=${line#*$'\x1f'}
        section=${line%%$'\x1f'*} line=${line#*$'\x1f'}
        attr=${line%%$'\x1f'*} value=${line#*$'\x1f'}
        if ! _ps_dq_expand "$value"; then
            _ps_merge_ops "$real" "$batch"
            die "could not expand the value of $attr in [$section] of [[$group|$configfile]] in $file: $value"
        fi
        value=$_PS_VALUE
        [[ $value != *[$'\n\x1f']* ]] || batch=0
        ops+=("$op" "$section" "$attr" "$value")
    done
    _ps_merge_ops "$real" "$batch"
}

# _ps_merge_ops FILE BATCH: applies _ps_merge_expanded's local array ops
# (op, section, option, value, ...) to FILE; in one pass when BATCH is 1.
_ps_merge_ops() {
    local i text="" nonl=0 content=""
    [[ ${#ops[@]} -gt 0 ]] || return 0
    if [[ $2 == 1 ]]; then
        for ((i = 0; i < ${#ops[@]}; i += 4)); do
            text+="${ops[i]}"$'\x1f'"${ops[i + 1]}"$'\x1f'"${ops[i + 2]}"$'\x1f'"${ops[i + 3]}"$'\n'
        done
        IFS= read -r -d '' content <"$1" || true
        [[ -z $content || $content == *$'\n' ]] || nonl=1
        _ps_merge_awk ops-apply "$1" "$nonl" <<<"${text%$'\n'}"
        return
    fi
    for ((i = 0; i < ${#ops[@]}; i += 4)); do
        case ${ops[i]} in
            set) iniset "$1" "${ops[i + 1]}" "${ops[i + 2]}" "${ops[i + 3]}" ;;
            delete) inidelete "$1" "${ops[i + 1]}" "${ops[i + 2]}" ;;
            literal) iniadd_literal "$1" "${ops[i + 1]}" "${ops[i + 2]}" "${ops[i + 3]}" ;;
        esac
    done
}

# merge_config_group FILE GROUP...: merges every block of each GROUP into
# its file. A file name that expands to nothing is skipped with a warning;
# a missing directory is created (owned by STACK_USER); a path in the way
# that is not a directory dies.
function merge_config_group {
    local localfile=$1 group configfile real dir
    shift
    [[ -r $localfile ]] || return 0
    for group in "$@"; do
        local -A seen=()
        # the files to merge, all at once (_ps_merge_files) when nothing
        # stops the group before
        local -a merge=()
        while IFS= read -r configfile; do
            [[ -n $configfile && -z ${seen[$configfile]:-} ]] || continue
            seen[$configfile]=1
            real=""
            if _ps_dq_expand "$configfile"; then
                real=$_PS_VALUE
            fi
            if [[ -z $real ]]; then
                warn "bogus config file specification: $configfile is undefined"
                continue
            fi
            if [[ $real == ?*/* && $real != */ ]]; then
                dir=${real%/*} # dirname, without a process
            else
                dir=$(dirname "$real")
            fi
            if [[ -e $dir && ! -d $dir ]]; then
                _ps_merge_files "$localfile" "$group" "${merge[@]}"
                die "bogus config file specification $configfile ($configfile=$real, $dir is not a directory)"
            fi
            if [[ ! -e $dir ]] && ! _ps_meta_mkdir "$dir"; then
                _ps_merge_files "$localfile" "$group" "${merge[@]}"
                die "could not create the directory $dir of $real ($configfile); create it or fix its parent's permissions"
            fi
            merge+=("$configfile")
        done < <(get_meta_section_files "$localfile" "$group")
        _ps_merge_files "$localfile" "$group" "${merge[@]}"
        unset seen merge
    done
    return 0
}

# _ps_meta_mkdir DIR: creates DIR, through sudo when we may not, and gives
# it to STACK_USER (when set) as DevStack does.
_ps_meta_mkdir() {
    local sudo=""
    [[ $EUID -eq 0 ]] || sudo=sudo
    mkdir -p -- "$1" 2>/dev/null || $sudo mkdir -p -- "$1" || return 1
    if [[ -n ${STACK_USER:-} && $(stat -c %U -- "$1") != "$STACK_USER" ]]; then
        $sudo chown -- "$STACK_USER" "$1" || true
    fi
}

# extract_localrc_section LOCALCONF LOCALRC AUTOFILE: writes the
# [[local|localrc]] block to AUTOFILE unless a LOCALRC file exists.
function extract_localrc_section {
    local configfile=$1 localrcfile=$2 autofile=$3
    [[ -r $configfile ]] || return 0
    if get_meta_section_files "$configfile" local | grep -qx localrc; then
        if [[ -r $localrcfile ]]; then
            echo "localrc and local.conf:[[local]] both exist, using localrc"
        else
            echo "# Generated file, do not edit" >"$autofile"
            get_meta_section "$configfile" local localrc >>"$autofile"
        fi
    fi
    return 0
}

# localconf_has_section FILE GROUP CONF SECTION
function localconf_has_section {
    _PS_G=$2 _PS_C=$3 _PS_S=$4 _ps_meta_awk hassection "$1"
}

# localconf_has_option FILE GROUP CONF SECTION OPTION: SECTION may be empty
# (a localrc variable).
function localconf_has_option {
    _PS_G=$2 _PS_C=$3 _PS_S=$4 _PS_O=$5 _ps_meta_awk hasoption "$1"
}

# _ps_meta_rewrite SUDO FILE MODE: runs MODE over FILE and writes it back
# (_ps_rewrite_file is in ini-config.sh).
_ps_meta_rewrite() {
    _ps_rewrite_file "$1" "$2" _ps_meta_awk "$3" "$2"
}

# localconf_update_option SUDO FILE GROUP CONF SECTION OPTION VALUE
function localconf_update_option {
    _PS_G=$3 _PS_C=$4 _PS_S=$5 _PS_O=$6 _PS_V=$7 _ps_meta_rewrite "${1% }" "$2" update
}

# localconf_add_option SUDO FILE GROUP CONF SECTION OPTION VALUE: adds
# "OPTION = VALUE" after the section header (as DevStack's test_localconf.sh
# expects), or "OPTION=VALUE" after the block header when SECTION is empty:
# a localrc line must stay a bash assignment.
function localconf_add_option {
    _PS_G=$3 _PS_C=$4 _PS_S=$5 _PS_O=$6 _PS_V=$7 _ps_meta_rewrite "${1% }" "$2" add
}

# localconf_add_section_and_option SUDO FILE GROUP CONF SECTION OPTION VALUE
function localconf_add_section_and_option {
    _PS_G=$3 _PS_C=$4 _PS_S=$5 _PS_O=$6 _PS_V=$7 _ps_meta_rewrite "${1% }" "$2" addsec
}

# localconf_set [-sudo] FILE GROUP CONF SECTION OPTION VALUE: sets an option
# in local.conf, adding the block, section or option as needed.
function localconf_set {
    [[ $- != *x* ]] || { _ps_untraced localconf_set "$@"; return; }
    _ps_sudo_arg "${1:-}" && shift
    local sudo=$_PS_SUDO
    local file=$1 group=$2 conf=$3 section=$4 option=$5 value=$6 rc=0
    if [[ -n $group && -n $conf && -n $option && -n $value ]]; then
        if ! grep -qF -- "[[$group|$conf]]" "$file" 2>/dev/null; then
            local text=$'\n'"[[$group|$conf]]"$'\n'
            # an INI option reads "opt = value" (as DevStack's own
            # test_localconf.sh expects); a localrc line stays bash
            if [[ -n $section ]]; then
                text+="[$section]"$'\n'"$option = $value"$'\n'
            else
                text+="$option=$value"$'\n'
            fi
            _ps_ini_append "$sudo" "$file" "$text" || rc=$?
        elif [[ -z $section ]] || localconf_has_section "$file" "$group" "$conf" "$section"; then
            if localconf_has_option "$file" "$group" "$conf" "$section" "$option"; then
                localconf_update_option "$sudo" "$file" "$group" "$conf" "$section" "$option" "$value" || rc=$?
            else
                localconf_add_option "$sudo" "$file" "$group" "$conf" "$section" "$option" "$value" || rc=$?
            fi
        else
            localconf_add_section_and_option "$sudo" "$file" "$group" "$conf" "$section" "$option" "$value" || rc=$?
        fi
    fi
    return $rc
}

# localrc_set FILE OPTION VALUE: sets a variable in [[local|localrc]].
function localrc_set {
    localconf_set "$1" local localrc "" "$2" "$3"
}
