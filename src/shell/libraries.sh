#!/bin/bash
# plugstack library: the python libraries DevStack can install from git.
#
# DevStack knows a repository, a branch and a checkout directory for the
# OpenStack client libraries, the oslo libraries and a few others, so that
# LIBS_FROM_GIT, use_library_from_git, git_clone_by_name NAME and
# setup_dev_lib NAME work for them without a plugin saying where they live.
# The table below lists them; for each NAME the defaults group fills
#   GITREPO[NAME]    ${PREFIX_REPO:-$GIT_BASE/openstack/NAME.git}
#   GITBRANCH[NAME]  ${PREFIX_BRANCH:-$TARGET_BRANCH}
#                    (${PREFIX_BRANCH:-$BRANCHLESS_TARGET_BRANCH}, i.e.
#                    master, for the projects that have no stable branches)
#   GITDIR[NAME]     $DEST/NAME
# PREFIX is the row's second column (OSLOCFG for oslo.config, so localrc may
# set OSLOCFG_REPO or OSLOCFG_BRANCH, as with DevStack).
#
# The entries are _ps_default defaults: the group runs after localrc
# (stackrc's _ps_stackrc_defaults; when this file is sourced outside a run,
# also at load), so an entry we filled follows the final GIT_BASE,
# TARGET_BRANCH and DEST, while an entry a plugin or localrc assigned itself
# is never replaced.
# Sourcing this file defines the table, the arrays and the defaults group.

declare -gA GITREPO GITDIR GITBRANCH

# NAME  PREFIX  [branchless]   ("#" starts a comment line)
_PS_LIBRARY_TABLE='
# clients of the OpenStack APIs
python-barbicanclient           BARBICANCLIENT
python-brick-cinderclient-ext   BRICK_CINDERCLIENT
python-cinderclient             CINDERCLIENT
python-glanceclient             GLANCECLIENT
python-ironicclient             IRONICCLIENT
python-keystoneclient           KEYSTONECLIENT
python-neutronclient            NEUTRONCLIENT
python-novaclient               NOVACLIENT
python-openstackclient          OPENSTACKCLIENT
python-swiftclient              SWIFTCLIENT
keystoneauth                    KEYSTONEAUTH
osc-placement                   OSC_PLACEMENT
# oslo and the common libraries the oslo team keeps
automaton                       AUTOMATON
castellan                       CASTELLAN
cliff                           CLIFF
debtcollector                   DEBTCOLLECTOR
futurist                        FUTURIST
oslo.cache                      OSLOCACHE
oslo.concurrency                OSLOCON
oslo.config                     OSLOCFG
oslo.context                    OSLOCTX
oslo.db                         OSLODB
oslo.i18n                       OSLOI18N
oslo.limit                      OSLOLIMIT
oslo.log                        OSLOLOG
oslo.messaging                  OSLOMSG
oslo.middleware                 OSLOMID
oslo.policy                     OSLOPOLICY
oslo.privsep                    OSLOPRIVSEP
oslo.reports                    OSLOREPORTS
oslo.rootwrap                   OSLORWRAP
oslo.serialization              OSLOSERIALIZATION
oslo.service                    OSLOSERVICE
oslo.utils                      OSLOUTILS
oslo.versionedobjects           OSLOVERSIONEDOBJECTS
oslo.vmware                     OSLOVMWARE
osprofiler                      OSPROFILER
pbr                             PBR                     branchless
pycadf                          PYCADF
stevedore                       STEVEDORE
taskflow                        TASKFLOW
tooz                            TOOZ
# libraries of the service projects
ceilometermiddleware            CEILOMETERMIDDLEWARE
cursive                         CURSIVE
diskimage-builder               DIB                     branchless
etcd3gw                         ETCD3GW                 branchless
glance_store                    GLANCE_STORE
ironic-lib                      IRONIC_LIB
keystonemiddleware              KEYSTONEMIDDLEWARE
neutron-lib                     NEUTRON_LIB
openstacksdk                    OPENSTACKSDK
os-brick                        OS_BRICK
os-client-config                OS_CLIENT_CONFIG
os-ken                          OS_KEN
os-resource-classes             OS_RESOURCE_CLASSES
os-traits                       OS_TRAITS
os-vif                          OS_VIF
osc-lib                         OSC_LIB
ovsdbapp                        OVSDBAPP
'

# _ps_library_defaults: fills GITREPO, GITBRANCH and GITDIR for each row.
_ps_library_defaults() {
    local base=${GIT_BASE:-https://opendev.org} dest=${DEST:-/opt/stack}
    local name prefix kind repo_var branch_var branch row IFS=$' \t\n'
    local -a _ps_rows f
    _ps_table_rows "$_PS_LIBRARY_TABLE"
    for row in "${_ps_rows[@]}"; do
        # shellcheck disable=SC2206 # the fields, split at blanks
        f=($row)
        name=${f[0]} prefix=${f[1]:-} kind=${f[2]:-}
        repo_var=${prefix}_REPO branch_var=${prefix}_BRANCH
        branch=${TARGET_BRANCH:-master}
        [[ $kind != branchless ]] || branch=${BRANCHLESS_TARGET_BRANCH:-master}
        _ps_default "GITREPO[$name]" "${!repo_var:-$base/openstack/$name.git}"
        _ps_default "GITBRANCH[$name]" "${!branch_var:-$branch}"
        _ps_default "GITDIR[$name]" "$dest/$name"
    done
}
_ps_register_defaults _ps_library_defaults
