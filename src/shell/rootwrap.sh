# shellcheck shell=bash
# rootwrap.sh - DevStack's inc/rootwrap and get_rootwrap_location: install a
# project's oslo.rootwrap filters and config under /etc/PROJECT and let the
# stack user run PROJECT-rootwrap through sudo.

# get_rootwrap_location PROJECT: the PROJECT-rootwrap command to use.
function get_rootwrap_location {
    echo "$(get_python_exec_prefix)/$1-rootwrap"
}

# add_sudo_secure_path DIR: add DIR to sudo's secure_path (sudoers.d/zz-secure-path).
function add_sudo_secure_path {
    local dir=$1
    local file
    file="$(_ps_sysroot)/etc/sudoers.d/zz-secure-path"
    local line="Defaults:${STACK_USER:-$(id -un)} secure_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    if [[ -f $file ]]; then
        line=$(cat "$file")
    fi
    [[ :${line#*secure_path=}: == *:"$dir":* ]] && return 0
    line+=":$dir"
    local tmp
    tmp=$(mktemp)
    echo "$line" >"$tmp"
    chmod 0440 "$tmp"
    _ps_sudo mkdir -p "$(dirname -- "$file")"
    _ps_sudo chown root:root "$tmp"
    _ps_sudo mv "$tmp" "$file"
}

# configure_rootwrap PROJECT
# Reads ${PROJECT}_DIR (source tree with etc/PROJECT/rootwrap.conf and
# rootwrap.d/*.filters) and ${PROJECT}_BIN_DIR (where PROJECT-rootwrap is),
# upper-cased. Installs the filters and rootwrap.conf in /etc/PROJECT,
# and a sudoers rule for the rootwrap command (and its daemon, if present).
function configure_rootwrap {
    local project=$1
    local upper=${project^^}
    upper=${upper//-/_}
    local dir_var="${upper}_DIR" bin_var="${upper}_BIN_DIR"
    local src=${!dir_var:-} bin=${!bin_var:-}
    [[ -n $src ]] || die "configure_rootwrap $project: set ${dir_var} to the $project source tree"
    [[ -n $bin ]] || bin=$(get_python_exec_prefix)
    local conf_src="$src/etc/$project"
    local etc
    etc="$(_ps_sysroot)/etc/$project"
    local rootwrap="$bin/$project-rootwrap"

    _ps_sudo rm -rf "$etc/rootwrap.d"
    _ps_sudo install -d -o root -g root -m 755 "$etc/rootwrap.d"
    _ps_sudo install -o root -g root -m 644 "$conf_src"/rootwrap.d/*.filters "$etc/rootwrap.d"
    _ps_sudo install -o root -g root -m 644 "$conf_src/rootwrap.conf" "$etc/rootwrap.conf"
    _ps_sudo sed -e "s:^filters_path=.*$:filters_path=/etc/$project/rootwrap.d:" -i "$etc/rootwrap.conf"
    # commands are found through PATH, not a fixed list of directories
    _ps_sudo sed -e 's/^exec_dirs=.*/#&/' -i "$etc/rootwrap.conf"

    local tmp user=${STACK_USER:-$(id -un)}
    tmp=$(mktemp)
    echo "$user ALL=(root) NOPASSWD: $rootwrap /etc/$project/rootwrap.conf *" >"$tmp"
    if [[ -f $bin/$project-rootwrap-daemon ]]; then
        echo "$user ALL=(root) NOPASSWD: $rootwrap-daemon /etc/$project/rootwrap.conf" >>"$tmp"
    fi
    chmod 0440 "$tmp"
    _ps_sudo chown root:root "$tmp"
    _ps_sudo mkdir -p "$(_ps_sysroot)/etc/sudoers.d"
    _ps_sudo mv "$tmp" "$(_ps_sysroot)/etc/sudoers.d/$project-rootwrap"
    add_sudo_secure_path "$(dirname -- "$rootwrap")"
}
