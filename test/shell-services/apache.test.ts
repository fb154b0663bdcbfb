// apache.sh: sites, modules and uwsgi configs (Debian layout: the host).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { LibHarness } from "../compat/harness.ts";

let h: LibHarness;
beforeEach(async () => {
  h = await LibHarness.create({ env: { API_WORKERS: "3", STACK_USER: "stack" } });
});
afterEach(() => h.dispose());

function iniLines(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.includes(" = "))
    .sort();
}

describe("write_uwsgi_config", () => {
  test("module path behind Apache: DevStack's uwsgi keys, socket and ProxyPass", () => {
    const conf = h.path("home/api-uwsgi.ini");
    h.ok(`write_uwsgi_config ${conf} "heat.wsgi.api:application" /heat-api "" heat-api`);
    expect(iniLines(h.read("home/api-uwsgi.ini"))).toEqual(
      [
        "module = heat.wsgi.api:application",
        "processes = 3",
        "master = true",
        "die-on-term = true",
        "exit-on-reload = false",
        "worker-reload-mercy = 80",
        "enable-threads = true",
        "plugins = http,python3",
        "thunder-lock = true",
        "hook-master-start = unix_signal:15 gracefully_kill_them_all",
        "buffer-size = 65535",
        "add-header = Connection: close",
        "lazy-apps = true",
        "start-time = %t",
        "socket = /var/run/uwsgi/heat-api.socket",
        "chmod-socket = 666",
      ].sort(),
    );
    expect(h.read("sysroot/etc/apache2/sites-available/heat-api.conf")).toBe(
      'ProxyPass "/heat-api" "unix:/var/run/uwsgi/heat-api.socket|uwsgi://uwsgi-uds-heat-api" retry=0 acquire=1 \n',
    );
    expect(h.read("sysroot/etc/tmpfiles.d/uwsgi.conf")).toBe("d /var/run/uwsgi 0755 stack root\n");
    expect(h.lines("a2ensite")).toEqual(["a2ensite heat-api"]);
    expect(h.lines("systemctl")).toEqual(["systemctl stop apache2", "systemctl start apache2"]);
  });

  test("wsgi script with its own http port: no Apache site, name from the script", () => {
    const conf = h.path("home/x.ini");
    h.ok(`write_uwsgi_config ${conf} /usr/local/bin/aodh-api /alarming 127.0.0.1:8042`);
    const text = h.read("home/x.ini");
    expect(text).toContain("wsgi-file = /usr/local/bin/aodh-api\n");
    expect(text).toContain("http = 127.0.0.1:8042\n");
    expect(text).not.toContain("socket");
    expect(h.calls("a2ensite")).toEqual([]);
  });

  test("rewrites the file from scratch", () => {
    const conf = h.path("home/y.ini");
    h.ok(`printf '[uwsgi]\\nstale = 1\\n' >${conf}; write_uwsgi_config ${conf} a.b:app /a 127.0.0.1:1`);
    const text = h.read("home/y.ini");
    expect(text).toMatch(/^\[uwsgi\]$/m);
    expect(text).toContain("module = a.b:app\n");
    expect(text).toContain("http = 127.0.0.1:1\n");
    expect(text).not.toContain("stale");
  });
});

test("remove_uwsgi_config deletes the ini and disables the site", () => {
  const conf = h.path("home/z.ini");
  h.ok(`touch ${conf}; remove_uwsgi_config ${conf} /usr/local/bin/nova-api-wsgi`);
  expect(existsSync(conf)).toBe(false);
  expect(h.lines("a2dissite")).toEqual(["a2dissite nova-api-wsgi"]);
});

describe("sites and modules", () => {
  test("apache_site_config_for names a .conf under APACHE_CONF_DIR", () => {
    expect(h.ok(`apache_site_config_for keystone`).trim()).toBe(h.path("sysroot/etc/apache2/sites-available/keystone.conf"));
  });

  test("enable_apache_mod enables once, restarting unless told not to", () => {
    h.ok(`enable_apache_mod proxy; enable_apache_mod proxy; enable_apache_mod ssl norestart; enable_apache_mod version`);
    expect(h.lines("a2enmod")).toEqual(["a2enmod proxy", "a2enmod ssl"]);
    expect(h.lines("systemctl")).toEqual(["systemctl stop apache2", "systemctl start apache2"]);
  });

  test("disable_apache_site tolerates a missing site", () => {
    h.ok(`disable_apache_site nothing-here`, { SHIM_EXIT: "1" });
  });

  test("restart_apache_server stops then starts the service", () => {
    h.ok(`restart_apache_server`);
    expect(h.lines("systemctl")).toEqual(["systemctl stop apache2", "systemctl start apache2"]);
  });

  test("without systemd the SysV service command is used", () => {
    h.ok(`restart_apache_server; reload_service apache2`, { PLUGSTACK_SYSTEMD: "False" });
    expect(h.lines("service")).toEqual(["service apache2 stop", "service apache2 start", "service apache2 reload"]);
  });
});

describe("installs", () => {
  test("install_apache_wsgi installs apache2 and mod_wsgi for python 3", () => {
    h.ok(`install_apache_wsgi`);
    const apt = h.lines("apt-get").join("\n");
    expect(apt).toContain("apache2");
    expect(apt).toContain("libapache2-mod-wsgi-py3");
    expect(h.lines("a2enmod")).toEqual(["a2enmod wsgi"]);
  });

  test("install_apache_uwsgi installs uwsgi and enables proxy_uwsgi", () => {
    h.ok(`install_apache_uwsgi`);
    expect(h.lines("apt-get").join("\n")).toContain("uwsgi-plugin-python3");
    expect(h.lines("a2enmod")).toEqual(["a2enmod proxy", "a2enmod proxy_uwsgi"]);
  });
});

test("enable_apache_mod without a2query looks at mods-enabled", async () => {
  const bare = await LibHarness.create({ without: ["a2query"], isolatePath: true });
  try {
    bare.ok(`mkdir -p $PLUGSTACK_SYSROOT/etc/apache2/mods-enabled; touch $PLUGSTACK_SYSROOT/etc/apache2/mods-enabled/ssl.load
enable_apache_mod ssl; enable_apache_mod headers norestart`);
    expect(bare.lines("a2enmod")).toEqual(["a2enmod headers"]);
  } finally {
    bare.dispose();
  }
});
