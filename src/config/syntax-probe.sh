# plugstack: prints the length, in lines, of the longest prefix of FILE that
# bash parses as a whole. Each prefix is parsed as the body of a function
# that is never called, in a subshell, so nothing in FILE runs.
#
# usage: bash syntax-probe.sh FILE

# shellcheck shell=bash
shopt -s extglob
mapfile -t __ps_lines <"$1"
__ps_ok=0
__ps_text=''
for ((__ps_n = 1; __ps_n <= ${#__ps_lines[@]}; __ps_n++)); do
    __ps_text+="${__ps_lines[__ps_n - 1]}"$'\n'
    # shellcheck disable=SC2016 # the body is parsed, not expanded
    if (eval "__ps_probe() {"$'\n'"${__ps_text}"$'\n'":"$'\n'"}") 2>/dev/null; then
        __ps_ok=$__ps_n
    fi
done
echo "$__ps_ok"
