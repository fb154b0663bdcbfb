// tls.sh: a real CA and certificates made with openssl in a temp dir, and
// the Apache TLS proxy site.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { LibHarness } from "../compat/harness.ts";

let h: LibHarness;
beforeAll(async () => {
  h = await LibHarness.create({ env: { DEVSTACK_HOSTNAME: "stack.example.org", SERVICE_HOST: "10.0.0.5" } });
  // one CA for the whole file: key generation is the slow part
  h.ok(`init_CA; init_cert`);
});
afterAll(() => h.dispose());

describe("init_CA / init_cert", () => {
  test("the intermediate CA is signed by the root and trusted through the chain", () => {
    const out = h.ok(`openssl verify -CAfile "$ROOT_CA_DIR/cacert.pem" "$INT_CA_DIR/cacert.pem"
openssl verify -CAfile "$INT_CA_DIR/ca-chain.pem" "$INT_CA_DIR/$DEVSTACK_CERT_NAME.crt"`);
    expect(out).toContain(`${h.path("dest/data/CA/int-ca/cacert.pem")}: OK`);
    expect(out).toContain(`${h.path("dest/data/CA/int-ca/devstack-cert.crt")}: OK`);
  });

  test("the bundle, the system trust store and DEVSTACK_CERT are written", () => {
    expect(h.read("dest/data/ca-bundle.pem")).toBe(h.read("dest/data/CA/int-ca/ca-chain.pem"));
    expect(h.read("sysroot/usr/local/share/ca-certificates/devstack-int.crt")).toBe(h.read("dest/data/CA/int-ca/ca-chain.pem"));
    expect(h.lines("update-ca-certificates")).toEqual(["update-ca-certificates"]);
    const cert = h.read("dest/data/devstack-cert.pem");
    expect(cert).toContain("PRIVATE KEY");
    expect(cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  test("the server certificate names the host and the service IP", () => {
    const text = h.ok(`openssl x509 -noout -subject -ext subjectAltName -in "$INT_CA_DIR/devstack-cert.crt"`);
    expect(text).toContain("CN = stack.example.org");
    expect(text).toContain("DNS:stack.example.org");
    expect(text).toContain("IP Address:10.0.0.5");
  });
});

describe("make_cert and deploy", () => {
  test("make_cert signs a certificate for another name once", () => {
    const out = h.ok(`make_cert "$INT_CA_DIR" api-cert api.example.org "DNS:api"
first=$(openssl x509 -noout -fingerprint -in "$INT_CA_DIR/api-cert.crt")
make_cert "$INT_CA_DIR" api-cert api.example.org
second=$(openssl x509 -noout -fingerprint -in "$INT_CA_DIR/api-cert.crt")
[[ $first == "$second" ]] && echo same
openssl x509 -noout -ext subjectAltName -in "$INT_CA_DIR/api-cert.crt"`);
    expect(out).toContain("same");
    expect(out).toContain("DNS:api.example.org, DNS:api, IP Address:10.0.0.5");
  });

  test("deploy_int_CA and deploy_int_cert copy the chain, cert and key", () => {
    h.ok(`deploy_int_CA "$HOME/ca.pem"; deploy_int_cert "$HOME/c.crt" "$HOME/c.key"`);
    expect(h.read("home/ca.pem")).toBe(h.read("dest/data/CA/int-ca/ca-chain.pem"));
    expect(h.read("home/c.key")).toContain("PRIVATE KEY");
  });
});

describe("ensure_certificates / is_ssl_enabled_service", () => {
  test("no certificates given: the DevStack ones", () => {
    const out = h.ok(`ensure_certificates GLANCE; echo "$GLANCE_SSL_CERT $GLANCE_SSL_KEY $GLANCE_SSL_CA"`);
    const ca = h.path("dest/data/CA/int-ca");
    expect(out.trim()).toBe(`${ca}/devstack-cert.crt ${ca}/private/devstack-cert.key ${ca}/ca-chain.pem`);
  });

  test("all three given: their CA joins the bundle", () => {
    h.ok(`printf 'MY CA\\n' >"$HOME/my-ca.pem"
NOVA_SSL_CERT=/c NOVA_SSL_KEY=/k NOVA_SSL_CA="$HOME/my-ca.pem" ensure_certificates NOVA`);
    expect(h.read("dest/data/ca-bundle.pem")).toEndWith("MY CA\n");
  });

  test("a partial set dies naming the variables", () => {
    const r = h.run(`NOVA_SSL_CERT=/c ensure_certificates NOVA`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("NOVA_SSL_CERT, NOVA_SSL_KEY and NOVA_SSL_CA");
  });

  const rows: [string, string, boolean][] = [
    ["USE_SSL=False", "USE_SSL=False SSL_ENABLED_SERVICES=key", false],
    ["listed", "USE_SSL=True SSL_ENABLED_SERVICES=key,nova", true],
    ["not listed", "USE_SSL=True SSL_ENABLED_SERVICES=keystone", false],
  ];
  for (const [name, vars, want] of rows) {
    test(`is_ssl_enabled_service key: ${name}`, () => {
      expect(h.ok(`${vars}; is_ssl_enabled_service glance key && echo yes || echo no`).trim()).toBe(want ? "yes" : "no");
    });
  }
});

test("start_tls_proxy writes the proxy site, enables modules and the site", () => {
  h.clearCalls();
  h.ok(`start_tls_proxy glance '*' 9292 10.0.0.5 19292`);
  const site = h.read("sysroot/etc/apache2/sites-available/glance-tls-proxy.conf");
  expect(site).toContain("Listen 9292\n");
  expect(site).toContain("<VirtualHost *:9292>");
  expect(site).toContain(`SSLCertificateFile ${h.path("dest/data/devstack-cert.pem")}`);
  expect(site).toContain("ProxyPass http://10.0.0.5:19292/ retry=0 nocanon acquire=1");
  expect(h.lines("a2enmod")).toEqual(["a2enmod headers", "a2enmod ssl", "a2enmod proxy", "a2enmod proxy_http"]);
  expect(h.lines("a2ensite")).toEqual(["a2ensite glance-tls-proxy"]);
});
