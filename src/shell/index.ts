// The embedded bash library: DevStack's public functions as real bash files,
// bundled into the binary as text. Pure: no file system access here (see
// export.ts for writing the library out).
import apache from "./apache.sh" with { type: "text" };
import async from "./async.sh" with { type: "text" };
import control from "./control.sh" with { type: "text" };
import database from "./database.sh" with { type: "text" };
import distro from "./distro.sh" with { type: "text" };
import git from "./git.sh" with { type: "text" };
import images from "./images.sh" with { type: "text" };
import iniConfig from "./ini-config.sh" with { type: "text" };
import keystone from "./keystone.sh" with { type: "text" };
import libraries from "./libraries.sh" with { type: "text" };
import logging from "./logging.sh" with { type: "text" };
import lvm from "./lvm.sh" with { type: "text" };
import metaConfig from "./meta-config.sh" with { type: "text" };
import neutron from "./neutron.sh" with { type: "text" };
import nova from "./nova.sh" with { type: "text" };
import openstack from "./openstack.sh" with { type: "text" };
import ovn from "./ovn.sh" with { type: "text" };
import packages from "./packages.sh" with { type: "text" };
import plugins from "./plugins.sh" with { type: "text" };
import processes from "./process.sh" with { type: "text" };
import python from "./python.sh" with { type: "text" };
import rootwrap from "./rootwrap.sh" with { type: "text" };
import rpc from "./rpc.sh" with { type: "text" };
import servicePaths from "./service-paths.sh" with { type: "text" };
import services from "./services.sh" with { type: "text" };
import stackHelpers from "./stack-helpers.sh" with { type: "text" };
import stackrc from "./stackrc.sh" with { type: "text" };
import stackrcServices from "./stackrc-services.sh" with { type: "text" };
import swift from "./swift.sh" with { type: "text" };
import system from "./system.sh" with { type: "text" };
import tls from "./tls.sh" with { type: "text" };
import untraced from "./untraced.sh" with { type: "text" };

export interface LibraryFile {
  /** file name under src/shell (and under the exported library directory) */
  name: string;
  text: string;
}

/**
 * Every library file, in the order the stack shell sources them. Files only
 * define functions and globals; the few that compute defaults at load time
 * (service helpers) need control, distro and system first.
 * To add a file: import it above and add one row here.
 */
export const libraryFiles: LibraryFile[] = [
  // core: control, distro, system helpers, then DevStack's functions-common groups
  { name: "control.sh", text: control },
  { name: "distro.sh", text: distro },
  { name: "system.sh", text: system },
  { name: "untraced.sh", text: untraced },
  { name: "services.sh", text: services },
  { name: "plugins.sh", text: plugins },
  { name: "ini-config.sh", text: iniConfig },
  { name: "meta-config.sh", text: metaConfig },
  { name: "packages.sh", text: packages },
  { name: "git.sh", text: git },
  { name: "process.sh", text: processes },
  { name: "python.sh", text: python },
  { name: "stackrc.sh", text: stackrc },
  { name: "stackrc-services.sh", text: stackrcServices },
  { name: "libraries.sh", text: libraries },
  // service helpers (DevStack's lib/*)
  { name: "openstack.sh", text: openstack },
  { name: "keystone.sh", text: keystone },
  { name: "database.sh", text: database },
  { name: "rpc.sh", text: rpc },
  { name: "apache.sh", text: apache },
  { name: "tls.sh", text: tls },
  { name: "neutron.sh", text: neutron },
  { name: "nova.sh", text: nova },
  { name: "swift.sh", text: swift },
  { name: "ovn.sh", text: ovn },
  { name: "lvm.sh", text: lvm },
  { name: "async.sh", text: async },
  { name: "logging.sh", text: logging },
  { name: "rootwrap.sh", text: rootwrap },
  { name: "images.sh", text: images },
  { name: "service-paths.sh", text: servicePaths },
  { name: "stack-helpers.sh", text: stackHelpers },
];

/**
 * The whole library as one script, for sourcing into a bash process. Each
 * file is marked as loaded, so a later `source $TOP_DIR/functions` (which
 * loads each file at most once per shell) does not redefine functions that
 * plugins have redefined since. Sourcing it prints nothing.
 */
export function renderLibrary(): string {
  const parts = ["{ _ps_lib_xt=$-; set +o xtrace; } 2>/dev/null", "declare -gA _PS_LIB_LOADED"];
  for (const file of libraryFiles) {
    parts.push(`# ---- plugstack library: ${file.name} ----`, file.text.trimEnd(), `_PS_LIB_LOADED[${file.name}]=1`);
  }
  parts.push("[[ $_ps_lib_xt != *x* ]] || set -o xtrace", "unset _ps_lib_xt");
  return `${parts.join("\n")}\n`;
}
