# shellcheck shell=bash
# lvm.sh - loop-device backed storage for test stacks: DevStack's lib/lvm
# volume groups and the create_disk/destroy_disk helpers from functions.

_ps_lvm_defaults() {
    _ps_default VOLUME_GROUP_NAME "${VOLUME_GROUP:-stack-volumes}"
    _ps_default DEFAULT_VOLUME_GROUP_NAME "$VOLUME_GROUP_NAME-default"
    _ps_default BACKING_FILE_SUFFIX -backing-file
    _ps_default VOLUME_BACKING_FILE_SIZE 30G
    _ps_default CINDER_TARGET_HELPER "${CINDER_ISCSI_HELPER:-lioadm}"
    _DEFAULT_LVM_INIT=${_DEFAULT_LVM_INIT:-0}
}
_ps_register_defaults _ps_lvm_defaults

# _ps_lvm_tools: the LVM and loop-device commands this file needs.
_ps_lvm_tools() {
    local tool
    for tool in vgs vgcreate lvremove lvs losetup; do
        _ps_require_tool "$tool" "install lvm2"
    done
}

# init_lvm_volume_group VG SIZE
# Creates volume group VG on a loop device over
# $DATA_DIR/VG$BACKING_FILE_SUFFIX (SIZE bytes, made when missing), drops
# stale iSCSI targets, and empties the group of logical volumes.
function init_lvm_volume_group {
    local vg=$1 size=$2
    _ps_lvm_tools
    local backing="${DATA_DIR:-${DEST:-/opt/stack}/data}/$vg$BACKING_FILE_SUFFIX"
    if ! _ps_sudo vgs "$vg" >/dev/null 2>&1; then
        mkdir -p "$(dirname -- "$backing")"
        [[ -f $backing ]] || truncate -s "$size" "$backing"
        local dev
        dev=$(_ps_sudo losetup -f --show "$backing")
        if ! _ps_sudo vgs "$vg" >/dev/null 2>&1; then
            _ps_sudo vgcreate "$vg" "$dev"
        fi
    fi
    if [[ $CINDER_TARGET_HELPER == lioadm ]]; then
        if command -v cinder-rtstool >/dev/null 2>&1; then
            _ps_sudo cinder-rtstool get-targets | _ps_sudo xargs -rn 1 cinder-rtstool delete
        fi
    elif command -v tgtadm >/dev/null 2>&1; then
        _ps_sudo tgtadm --op show --mode target | awk '/^Target/ { print $3 }' |
            _ps_sudo xargs -rn 1 tgt-admin --delete || true
    fi
    _ps_sudo lvremove -f "$vg"
}

# clean_lvm_volume_group VG: remove its volumes, and its loop device and
# backing file once no volume is left.
function clean_lvm_volume_group {
    local vg=$1
    _ps_lvm_tools
    _ps_sudo lvremove -f "$vg"
    if [[ -z $(_ps_sudo lvs --noheadings -o lv_name "$vg" 2>/dev/null) ]]; then
        local backing="${DATA_DIR:-${DEST:-/opt/stack}/data}/$vg$BACKING_FILE_SUFFIX"
        if [[ -e $backing ]]; then
            local dev
            dev=$(_ps_sudo losetup -j "$backing" | awk -F: '{ print $1 }')
            [[ -n $dev ]] && _ps_sudo losetup -d "$dev"
            rm -f "$backing"
        fi
    fi
}

# init_default_lvm_volume_group: the group shared by cinder and nova, once.
function init_default_lvm_volume_group {
    if [[ $_DEFAULT_LVM_INIT == 0 ]]; then
        init_lvm_volume_group "$DEFAULT_VOLUME_GROUP_NAME" "$VOLUME_BACKING_FILE_SIZE"
        _DEFAULT_LVM_INIT=1
    fi
}

# create_disk IMAGE MOUNT_DIR SIZE
# An XFS filesystem in a sparse IMAGE file, mounted on MOUNT_DIR through an
# /etc/fstab loop entry (replacing an earlier disk at IMAGE).
function create_disk {
    local image=$1 dir=$2 size=$3
    _ps_require_tool mkfs.xfs "install xfsprogs"
    local key
    # shellcheck disable=SC2001 # "/" and the next character become "d"
    key=$(echo "$image" | sed 's#/.#d#g')
    if [[ -e $image ]]; then
        destroy_disk "$image" "$dir"
    fi
    _ps_sudo mkdir -p "$(dirname -- "$image")"
    _ps_sudo truncate -s "$size" "$image"
    _ps_sudo mkfs.xfs -f -i size=1024 "$image"
    echo "$image $dir xfs loop,noatime,nodiratime,logbufs=8,comment=$key 0 0" |
        _ps_sudo tee -a "$(_ps_sysroot)/etc/fstab" >/dev/null
    _ps_sudo mkdir -p "$dir"
    _ps_sudo mount -v "$dir"
}

# destroy_disk IMAGE MOUNT_DIR: unmount, drop the fstab entry and the image.
function destroy_disk {
    local image=$1 dir=$2
    local key
    # shellcheck disable=SC2001 # "/" and the next character become "d"
    key=$(echo "$image" | sed 's#/.#d#g')
    if mountpoint -q "$dir" 2>/dev/null; then
        _ps_sudo umount "$dir"
    fi
    _ps_sudo sed -i "/.*comment=${key//\//\\/}.*/d" "$(_ps_sysroot)/etc/fstab"
    _ps_sudo rm -f "$image"
}
