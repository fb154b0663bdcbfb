# shellcheck shell=bash
# nova.sh - the parts of DevStack's lib/nova and functions-libvirt that
# hypervisor and compute plugins call: NOVA_* globals, per-cell conductor
# configs, the placement client section, the compute service and libvirt.

_ps_nova_defaults() {
    _ps_default NOVA_DIR "${DEST:-/opt/stack}/nova"
    _ps_default_bin_dir NOVA_BIN_DIR
    _ps_default NOVA_STATE_PATH "${DATA_DIR:-${DEST:-/opt/stack}/data}/nova"
    _ps_default NOVA_CONF_DIR /etc/nova
    _ps_default NOVA_CONF "$NOVA_CONF_DIR/nova.conf"
    _ps_default NOVA_CPU_CONF "$NOVA_CONF_DIR/nova-cpu.conf"
    _ps_default NOVA_FAKE_CONF "$NOVA_CONF_DIR/nova-fake.conf"
    _ps_default NOVA_CPU_CELL 1
    _ps_default NUMBER_FAKE_NOVA_COMPUTE 1
    _ps_default LIBVIRT_TYPE kvm
    _ps_default LIBVIRT_GROUP libvirt
}
_ps_register_defaults _ps_nova_defaults

# conductor_conf CELL: the config file of the conductor of cell CELL.
function conductor_conf {
    echo "${NOVA_CONF_DIR}/nova_cell${1}.conf"
}

# configure_placement_nova_compute [CONF=NOVA_CONF]: the [placement] section.
function configure_placement_nova_compute {
    local conf=${1:-$NOVA_CONF}
    iniset "$conf" placement auth_type password
    iniset "$conf" placement auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$conf" placement username placement
    iniset "$conf" placement password "$SERVICE_PASSWORD"
    iniset "$conf" placement user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" placement project_name "$SERVICE_TENANT_NAME"
    iniset "$conf" placement project_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" placement region_name "${REGION_NAME:-RegionOne}"
}

# start_nova_compute: derive NOVA_CPU_CONF from NOVA_CONF (without database
# access) and run nova-compute as service n-cpu (n-cpu-N for the fake driver).
function start_nova_compute {
    if [[ -f $NOVA_CONF ]]; then
        cp "$NOVA_CONF" "$NOVA_CPU_CONF"
    fi
    if [[ ${CELLSV2_SETUP:-} == superconductor ]]; then
        iniset_rpc_backend nova "$NOVA_CPU_CONF" DEFAULT "nova_cell${NOVA_CPU_CELL}"
    fi
    if [[ -f $NOVA_CPU_CONF ]]; then
        inidelete "$NOVA_CPU_CONF" database connection
        inidelete "$NOVA_CPU_CONF" api_database connection
    fi
    local cmd="$NOVA_BIN_DIR/nova-compute --config-file $NOVA_CPU_CONF"
    case ${VIRT_DRIVER:-libvirt} in
        libvirt)
            if [[ $LIBVIRT_TYPE == qemu ]]; then
                iniset "$NOVA_CPU_CONF" workarounds libvirt_disable_apic True
            fi
            run_process n-cpu "$cmd" "$LIBVIRT_GROUP"
            ;;
        fake)
            local i
            for ((i = 1; i <= NUMBER_FAKE_NOVA_COMPUTE; i++)); do
                iniset "${NOVA_FAKE_CONF}-${i}" DEFAULT host "$(hostname)${i}"
                run_process "n-cpu-${i}" "$cmd --config-file ${NOVA_FAKE_CONF}-${i}"
            done
            ;;
        *)
            if declare -F start_nova_hypervisor >/dev/null; then
                start_nova_hypervisor
            fi
            run_process n-cpu "$cmd"
            ;;
    esac
}

# stop_nova_compute
function stop_nova_compute {
    if [[ ${VIRT_DRIVER:-libvirt} == fake ]]; then
        local i
        for ((i = 1; i <= NUMBER_FAKE_NOVA_COMPUTE; i++)); do
            stop_process "n-cpu-${i}"
        done
    else
        stop_process n-cpu
    fi
    if [[ ${VIRT_DRIVER:-libvirt} != libvirt && ${VIRT_DRIVER:-libvirt} != fake ]] &&
        declare -F stop_nova_hypervisor >/dev/null; then
        stop_nova_hypervisor
    fi
}

# install_libvirt: qemu and libvirt from the distribution, and the libvirt
# python bindings.
function install_libvirt {
    if is_ubuntu; then
        install_package qemu-system libvirt-clients libvirt-daemon-system libvirt-dev python3-libvirt
        if is_arch aarch64; then
            install_package qemu-efi
        fi
    elif is_fedora; then
        install_package qemu-kvm libvirt libvirt-devel python3-libvirt
        if is_arch aarch64; then
            install_package edk2-aarch64
        fi
    else
        exit_distro_not_supported "libvirt installation"
    fi
}
