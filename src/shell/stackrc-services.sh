#!/bin/bash
# plugstack library: the rest of DevStack's stackrc defaults, called by
# _ps_stackrc_defaults after localrc: the repositories of the OpenStack
# services and tools, and the service-wide settings plugins read
# (CACHE_BACKEND, CELLSV2_SETUP, the etcd download, name prefixes, ...).
# As in stackrc.sh, a value is only filled in where the variable is empty.
# Sourcing this file only defines functions and the table.

# NAME-PREFIX  URL (relative to $GIT_BASE unless it has a scheme)  BRANCH
# BRANCH is a variable name (its value is the default branch) or a literal.
_PS_STACKRC_REPOS='
CINDER                  openstack/cinder.git                TARGET_BRANCH
GLANCE                  openstack/glance.git                TARGET_BRANCH
HORIZON                 openstack/horizon.git               TARGET_BRANCH
KEYSTONE                openstack/keystone.git              TARGET_BRANCH
NEUTRON                 openstack/neutron.git               TARGET_BRANCH
NOVA                    openstack/nova.git                  TARGET_BRANCH
SWIFT                   openstack/swift.git                 TARGET_BRANCH
PLACEMENT               openstack/placement.git             TARGET_BRANCH
REQUIREMENTS            openstack/requirements.git          TARGET_BRANCH
TEMPEST                 openstack/tempest.git               BRANCHLESS_TARGET_BRANCH
OSTESTIMAGES            openstack/os-test-images.git        BRANCHLESS_TARGET_BRANCH
IRONIC_PYTHON_AGENT     openstack/ironic-python-agent.git   TARGET_BRANCH
NOVNC                   https://github.com/novnc/novnc.git  v1.3.0
SPICE                   http://anongit.freedesktop.org/git/spice/spice-html5.git BRANCHLESS_TARGET_BRANCH
'

# _ps_stackrc_repos: PREFIX_REPO and PREFIX_BRANCH for each row above.
_ps_stackrc_repos() {
    local prefix url branch repo_var branch_var row IFS=$' \t\n'
    local -a _ps_rows f
    _ps_table_rows "$_PS_STACKRC_REPOS"
    for row in "${_ps_rows[@]}"; do
        # shellcheck disable=SC2206 # the fields, split at blanks
        f=($row)
        prefix=${f[0]} url=${f[1]:-} branch=${f[2]:-}
        [[ $url == *://* ]] || url=${GIT_BASE:-https://opendev.org}/$url
        [[ $branch != *_BRANCH ]] || branch=${!branch:-master}
        repo_var=${prefix}_REPO branch_var=${prefix}_BRANCH
        printf -v "$repo_var" '%s' "${!repo_var:-$url}"
        printf -v "$branch_var" '%s' "${!branch_var:-$branch}"
    done
    TEMPEST_VENV_UPPER_CONSTRAINTS=${TEMPEST_VENV_UPPER_CONSTRAINTS:-master}
    OSTESTIMAGES_DIR=${OSTESTIMAGES_DIR:-$DEST/os-test-images}
    return 0
}

# _ps_etcd_arch: ETCD_ARCH, unless set: etcd's name for this machine's
# architecture (amd64, arm64, else uname -m's: ppc64le, s390x, ...).
_ps_etcd_arch() {
    [[ -z ${ETCD_ARCH:-} ]] || return 0
    _ps_fact_machine
    case $_PS_FACT_MACHINE in
        x86_64) ETCD_ARCH=amd64 ;;
        aarch64) ETCD_ARCH=arm64 ;;
        *) ETCD_ARCH=$_PS_FACT_MACHINE ;;
    esac
}

# _ps_stackrc_services: settings shared by the services.
_ps_stackrc_services() {
    DEVSTACK_SERIES=${DEVSTACK_SERIES:-2026.2}
    CELLSV2_SETUP=${CELLSV2_SETUP:-superconductor}
    HORIZON_APACHE_ROOT=${HORIZON_APACHE_ROOT:-/dashboard}
    CACHE_BACKEND=${CACHE_BACKEND:-dogpile.cache.memcached}
    MEMCACHE_SERVERS=${MEMCACHE_SERVERS:-localhost:11211}
    VOLUME_BACKING_FILE_SIZE=${VOLUME_BACKING_FILE_SIZE:-30G}
    VOLUME_NAME_PREFIX=${VOLUME_NAME_PREFIX:-volume-}
    INSTANCE_NAME_PREFIX=${INSTANCE_NAME_PREFIX:-instance-}
    S3_SERVICE_PORT=${S3_SERVICE_PORT:-3333}
    NOVA_READY_TIMEOUT=${NOVA_READY_TIMEOUT:-${SERVICE_TIMEOUT:-60}}
    ULIMIT_NOFILE=${ULIMIT_NOFILE:-2048}
    # etcd, downloaded by DevStack's lib/etcd3 (and pre-cached by CI images)
    ETCD_VERSION=${ETCD_VERSION:-v3.5.21}
    ETCD_SHA256_AMD64=${ETCD_SHA256_AMD64:-adddda4b06718e68671ffabff2f8cee48488ba61ad82900e639d108f2148501c}
    ETCD_SHA256_ARM64=${ETCD_SHA256_ARM64:-95bf6918623a097c0385b96f139d90248614485e781ec9bee4768dbb6c79c53f}
    ETCD_SHA256_PPC64=${ETCD_SHA256_PPC64:-6fb6ecb3d1b331eb177dc610a8efad3aceb1f836d6aeb439ba0bfac5d5c2a38c}
    ETCD_SHA256_S390X=${ETCD_SHA256_S390X:-a211a83961ba8a7e94f7d6343ad769e699db21a715ba4f3b68cf31ea28f9c951}
    _ps_etcd_arch
    if [[ -z ${ETCD_SHA256:-} ]]; then
        case $ETCD_ARCH in
            amd64) ETCD_SHA256=$ETCD_SHA256_AMD64 ;;
            arm64) ETCD_SHA256=$ETCD_SHA256_ARM64 ;;
            ppc64le) ETCD_SHA256=$ETCD_SHA256_PPC64 ;;
            s390x) ETCD_SHA256=$ETCD_SHA256_S390X ;;
        esac
    fi
    ETCD_PEER_PORT=${ETCD_PEER_PORT:-2380}
    ETCD_DOWNLOAD_URL=${ETCD_DOWNLOAD_URL:-https://github.com/etcd-io/etcd/releases/download}
    ETCD_NAME=etcd-$ETCD_VERSION-linux-$ETCD_ARCH
    ETCD_DOWNLOAD_FILE=$ETCD_NAME.tar.gz
    ETCD_DOWNLOAD_LOCATION=$ETCD_DOWNLOAD_URL/$ETCD_VERSION/$ETCD_DOWNLOAD_FILE
    # extra downloads CI images may pre-cache in $FILES (etcd is always one)
    EXTRA_CACHE_URLS=${EXTRA_CACHE_URLS:-}
    if [[ ,$EXTRA_CACHE_URLS, != *,"$ETCD_DOWNLOAD_LOCATION",* ]]; then
        EXTRA_CACHE_URLS+=",$ETCD_DOWNLOAD_LOCATION"
    fi
    return 0
}
