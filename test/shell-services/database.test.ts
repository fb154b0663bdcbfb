// database.sh: recreate_database and database_connection_url over the real
// mysql/psql command lines (recorded by shims).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { LibHarness } from "../compat/harness.ts";

let h: LibHarness;
beforeEach(async () => {
  h = await LibHarness.create();
});
afterEach(() => h.dispose());

describe("mysql (the default backend)", () => {
  test("recreate_database drops and creates with utf8", () => {
    h.ok(`recreate_database nova utf8`);
    expect(h.lines("mysql")).toEqual([
      "mysql -uroot -psecretdb -h127.0.0.1 -e DROP DATABASE IF EXISTS nova;",
      "mysql -uroot -psecretdb -h127.0.0.1 -e CREATE DATABASE nova CHARACTER SET utf8;",
    ]);
  });

  const urls: [string, Record<string, string>, string][] = [
    ["PyMySQL driver", {}, "mysql+pymysql://root:secretdb@127.0.0.1/heat?charset=utf8"],
    ["MySQLdb driver", { MYSQL_DRIVER: "MySQLdb" }, "mysql://root:secretdb@127.0.0.1/heat?charset=utf8"],
    ["remote host and user", { MYSQL_HOST: "db.example.org", DATABASE_USER: "stack" }, "mysql+pymysql://stack:secretdb@db.example.org/heat?charset=utf8"],
    ["IPv6 service address", { SERVICE_IP_VERSION: "6", MYSQL_HOST: "::1" }, "mysql+pymysql://root:secretdb@[::1]/heat?charset=utf8"],
  ];
  for (const [name, env, want] of urls) {
    test(`database_connection_url: ${name}`, () => {
      expect(h.ok(`database_connection_url heat`, env).trim()).toBe(want);
    });
  }

  test("MYSQL_PASSWORD stands in for DATABASE_PASSWORD", () => {
    expect(h.ok(`database_connection_url x`, { DATABASE_PASSWORD: "", MYSQL_PASSWORD: "m" }).trim()).toBe("mysql+pymysql://root:m@127.0.0.1/x?charset=utf8");
  });

  test("without any password one is chosen once and reused from .localrc.password", () => {
    const out = h.ok(`a=$(database_connection_url one); b=$(database_connection_url two); echo "$a"; echo "$b"`, {
      DATABASE_PASSWORD: "",
    });
    const [a, b] = out.trim().split("\n");
    const pw = /root:([0-9a-f]+)@/.exec(a ?? "")?.[1];
    expect(pw).toMatch(/^[0-9a-f]{20}$/);
    expect(b).toContain(`root:${pw}@`);
    expect(h.read("top/.localrc.password")).toBe(`DATABASE_PASSWORD=${pw}\n`);
  });
});

describe("postgresql", () => {
  const env = { ENABLED_SERVICES: "postgresql,key" };
  test("is chosen when the postgresql service is enabled", () => {
    h.ok(`enable_service postgresql
_ps_apply_lib_defaults
recreate_database cinder
database_connection_url cinder`);
    expect(h.lines("psql")).toEqual(["psql -h127.0.0.1 -Uroot -dtemplate1 -c DROP DATABASE IF EXISTS cinder"]);
    expect(h.lines("createdb")).toEqual(["createdb -h 127.0.0.1 -Uroot -l C -T template0 -E utf8 cinder"]);
  });

  test("connection url uses client_encoding", () => {
    expect(h.ok(`DATABASE_TYPE=postgresql database_connection_url cinder`, env).trim()).toBe(
      "postgresql://root:secretdb@127.0.0.1/cinder?client_encoding=utf8",
    );
  });
});

describe("errors", () => {
  test("a database name that is not an identifier is refused", () => {
    const r = h.run(`recreate_database 'x; DROP TABLE y'`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("is not a plain identifier");
    expect(h.calls("mysql")).toEqual([]);
  });

  test("a missing mysql client names the tool and the plugin", async () => {
    const bare = await LibHarness.create({ without: ["mysql"], isolatePath: true });
    try {
      const r = bare.run(`PLUGSTACK_PLUGIN=trove recreate_database trove`);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("'mysql' is not installed");
      expect(r.stderr).toContain("plugin 'trove'");
    } finally {
      bare.dispose();
    }
  });
});
