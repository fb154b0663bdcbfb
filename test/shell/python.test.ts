// python.sh with real python3 and pip, no network: a local project (its own
// tiny PEP 517 backend, so neither setuptools nor wheel is needed) stands in
// for an OpenStack project; pip runs with --no-index.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, q, runLib } from "./helpers.ts";

const sb = makeSandbox();
afterAll(() => sb.cleanup());

const BACKEND = `# A minimal PEP 517 backend for tests: writes wheels by hand.
import base64, hashlib, os, zipfile

NAME, DIST, VERSION = "demo_pkg", "demo-pkg", "0.1"
HERE = os.path.dirname(os.path.abspath(__file__))


def _line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def _wheel(directory, files):
    info = "%s-%s.dist-info" % (NAME, VERSION)
    files = dict(files)
    files[info + "/METADATA"] = ("Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (DIST, VERSION)).encode()
    files[info + "/WHEEL"] = b"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    files[info + "/entry_points.txt"] = b"[console_scripts]\\ndemo-cmd = demo_pkg:main\\n"
    record = [_line(p, d) for p, d in files.items()] + [info + "/RECORD,,"]
    files[info + "/RECORD"] = ("\\n".join(record) + "\\n").encode()
    name = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    with zipfile.ZipFile(os.path.join(directory, name), "w") as z:
        for p, d in files.items():
            z.writestr(p, d)
    return name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open(os.path.join(HERE, NAME, "__init__.py"), "rb") as f:
        return _wheel(wheel_directory, {NAME + "/__init__.py": f.read()})


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {"__editable__.%s.pth" % NAME: (HERE + "\\n").encode()})
`;

/** creating venvs and running pip takes seconds on a busy machine */
const SLOW = 120_000;
const project = join(sb.root, "src", "demo-pkg");
const wheels = join(sb.root, "wheels");
const pipEnv = (extra: Record<string, string> = {}) => ({
  PIP_CONFIG_FILE: "/dev/null",
  PIP_NO_INDEX: "1",
  PIP_DISABLE_PIP_VERSION_CHECK: "1",
  PIP_NO_CACHE_DIR: "1",
  STACK_USER: Bun.spawnSync(["id", "-un"]).stdout.toString().trim(),
  ...extra,
});

beforeAll(() => {
  mkdirSync(join(project, "demo_pkg"), { recursive: true });
  writeFileSync(join(project, "backend.py"), BACKEND);
  writeFileSync(
    join(project, "pyproject.toml"),
    '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n\n[project]\nname = "demo-pkg"\nversion = "0.1"\n',
  );
  writeFileSync(join(project, "demo_pkg", "__init__.py"), 'def main():\n    print("demo v1")\n');
  mkdirSync(wheels, { recursive: true });
  const r = Bun.spawnSync([
    "python3",
    "-c",
    `import sys; sys.path.insert(0, ${JSON.stringify(project)}); import backend; print(backend.build_wheel(${JSON.stringify(wheels)}))`,
  ]);
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
});

describe("get_python_exec_prefix", () => {
  test("global venv (DevStack's default), system python, project venv", () => {
    const scripts = Bun.spawnSync(["python3", "-c", "import sysconfig; print(sysconfig.get_path('scripts'))"]).stdout.toString().trim();
    const r = runLib(
      sb,
      [
        "DEST=/srv/stack",
        "get_python_exec_prefix",
        "DEVSTACK_VENV=/venvs/global get_python_exec_prefix",
        "GLOBAL_VENV=False get_python_exec_prefix",
        "USE_VENV=True; PROJECT_VENV[foo]=/opt/foo.venv",
        "get_python_exec_prefix foo",
        "GLOBAL_VENV=no get_python_exec_prefix bar",
      ].join("\n"),
    );
    expect(r.stdout).toBe(`/srv/stack/data/venv/bin\n/venvs/global/bin\n${scripts}\n/opt/foo.venv/bin\n${scripts}\n`);
  });
});

describe("setup_develop into the global venv", () => {
  test(
    "creates the venv, installs editable, scripts land in get_python_exec_prefix",
    () => {
      const venv = join(sb.root, "venv-global");
      const r = runLib(
        sb,
        [
          `DEVSTACK_VENV=${q(venv)}`,
          "LIBS_FROM_GIT=demo-pkg",
          `setup_develop ${q(project)}`,
          '"$(get_python_exec_prefix)/demo-cmd"',
          `sed -i s/v1/v2/ ${q(join(project, "demo_pkg/__init__.py"))}`,
          "demo-cmd",
          'echo "PYTHON=$PYTHON"',
          `sed -i s/v2/v1/ ${q(join(project, "demo_pkg/__init__.py"))}`,
        ].join("\n"),
        { env: pipEnv() },
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("demo v1\ndemo v2\n");
      expect(r.stdout).toContain(`PYTHON=${venv}/bin/python3`);
      expect(existsSync(join(venv, "bin/demo-cmd"))).toBe(true);
    },
    SLOW,
  );

  test(
    "setup_dev_lib by GITDIR name counts as installed from git; a wheel install does not",
    () => {
      const venv = join(sb.root, "venv-devlib");
      const ok = runLib(
        sb,
        [
          `DEVSTACK_VENV=${q(venv)}`,
          `GITDIR[demo-pkg]=${q(project)}`,
          "LIBS_FROM_GIT=ALL",
          "setup_dev_lib demo-pkg",
          "lib_installed_from_git demo-pkg && echo from-git",
        ].join("\n"),
        {
          env: pipEnv(),
        },
      );
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain("from-git\n");
      // a regular install from a wheel is not "from git"
      const bad = runLib(
        sb,
        [
          `DEVSTACK_VENV=${q(join(sb.root, "venv-wheel"))}`,
          `pip_install --find-links ${q(wheels)} demo-pkg`,
          "lib_installed_from_git demo-pkg || echo not-from-git",
        ].join("\n"),
        {
          env: pipEnv(),
        },
      );
      expect(bad.stdout).toContain("not-from-git\n");
    },
    SLOW,
  );

  test(
    "the project is dropped from the upper constraints before installing",
    () => {
      const req = join(sb.root, "requirements");
      mkdirSync(req, { recursive: true });
      writeFileSync(join(req, "upper-constraints.txt"), "demo-pkg===0.0.1\ndemo_pkg===0.0.1;python_version>='3'\nother===1.0\n");
      const r = runLib(sb, [`DEVSTACK_VENV=${q(join(sb.root, "venv-uc"))}`, `REQUIREMENTS_DIR=${q(req)}`, `setup_develop ${q(project)}`].join("\n"), {
        env: pipEnv(),
      });
      expect(r.code).toBe(0);
      expect(readFileSync(join(req, "upper-constraints.txt"), "utf8")).toBe("other===1.0\n");
    },
    SLOW,
  );
});

describe("pip_install", () => {
  test(
    "into PIP_VIRTUAL_ENV; PIP_FIND_LINKS and global-requirements via pip_install_gr",
    () => {
      const venv = join(sb.root, "venv-project");
      Bun.spawnSync(["python3", "-m", "venv", venv]);
      const req = join(sb.root, "req-gr");
      mkdirSync(req, { recursive: true });
      writeFileSync(join(req, "global-requirements.txt"), "other-thing>=1\ndemo-pkg>=0.1  # the demo\n");
      const r = runLib(
        sb,
        [
          `PIP_VIRTUAL_ENV=${q(venv)}`,
          `REQUIREMENTS_DIR=${q(req)}`,
          `PIP_FIND_LINKS=${q(wheels)}`,
          "pip_install_gr demo-pkg",
          `${q(join(venv, "bin/demo-cmd"))}`,
        ].join("\n"),
        {
          env: pipEnv(),
        },
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("demo v1\n");
    },
    SLOW,
  );

  test("OFFLINE=True does nothing (no venv is even created)", () => {
    const venv = join(sb.root, "venv-offline");
    const r = runLib(sb, [`DEVSTACK_VENV=${q(venv)}`, "OFFLINE=True", "pip_install anything && echo skipped"].join("\n"), { env: pipEnv() });
    expect(r.stdout).toBe("skipped\n");
    expect(existsSync(venv)).toBe(false);
  });

  test("system-wide with $PIP: constraints, --upgrade, extras and flags in order", () => {
    const pip = join(sb.root, "pip-recorder");
    const calls = join(sb.root, "pip.calls");
    writeFileSync(pip, `#!/bin/bash\necho "$* | proxy=$http_proxy" >>${q(calls)}\n`);
    chmodSync(pip, 0o755);
    const req = join(sb.root, "req-sys");
    mkdirSync(req, { recursive: true });
    writeFileSync(join(req, "upper-constraints.txt"), "x===1\n");
    const r = runLib(
      sb,
      [
        "GLOBAL_VENV=False",
        `PIP=${q(pip)}`,
        `REQUIREMENTS_DIR=${q(req)}`,
        "http_proxy=http://proxy:3128",
        "PIP_UPGRADE=yes",
        "pip_install foo 'bar>=1'",
        "PIP_UPGRADE=False",
        `setup_package ${q(project)} -e 'ldap,memcache'`,
        `setup_package ${q(project)} ldap`,
      ].join("\n"),
      { env: pipEnv() },
    );
    expect(r.code).toBe(0);
    expect(readFileSync(calls, "utf8")).toBe(
      [
        `install -c ${req}/upper-constraints.txt --upgrade foo bar>=1 | proxy=http://proxy:3128`,
        `install -c ${req}/upper-constraints.txt -e ${project}[ldap,memcache] | proxy=http://proxy:3128`,
        `install -c ${req}/upper-constraints.txt ${project}[ldap] | proxy=http://proxy:3128`,
        "",
      ].join("\n"),
    );
  });
});

describe("-bindep", () => {
  // DevStack's setup_* functions take a leading -bindep[=PROFILE,...]: the
  // project's bindep.txt packages (for those profiles) are installed first.
  test(
    "reaches install_bindep with its profiles from setup_package, setup_install, setup_develop and setup_dev_lib",
    () => {
      const pip = join(sb.root, "pip-bindep");
      const calls = join(sb.root, "bindep.calls");
      writeFileSync(pip, `#!/bin/bash\necho "pip $*" >>${q(calls)}\n`);
      chmodSync(pip, 0o755);
      const r = runLib(
        sb,
        [
          "GLOBAL_VENV=False",
          `PIP=${q(pip)}`,
          // a plugin's own install_bindep (plugins redefine library functions): record the call
          `function install_bindep { echo "install_bindep $1 profiles=\${2:-}" >>${q(calls)}; }`,
          `setup_package -bindep=test,doc ${q(project)}`,
          `setup_install -bindep ${q(project)}`,
          `setup_develop -bindep=doc ${q(project)}`,
          `setup_develop ${q(project)}`,
          `GITDIR[demo]=${q(project)}`,
          "setup_dev_lib -bindep=test demo",
        ].join("\n"),
        { env: pipEnv() },
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const bindep = `install_bindep ${project}/bindep.txt`;
      expect(readFileSync(calls, "utf8").split("\n")).toEqual([
        `${bindep} profiles=test,doc`,
        `pip install ${project}`,
        `${bindep} profiles=`,
        `pip install ${project}`,
        `${bindep} profiles=doc`,
        `pip install -e ${project}`,
        `pip install -e ${project}`,
        `${bindep} profiles=test`,
        `pip install -e ${project}`,
        "",
      ]);
    },
    SLOW,
  );
});

describe("library helpers", () => {
  test("use_library_from_git", () => {
    const r = runLib(
      sb,
      [
        "LIBS_FROM_GIT=oslo.config,oslo.log",
        'for l in oslo.config oslo.log oslo oslo.db; do use_library_from_git $l && echo "$l yes" || echo "$l no"; done',
        "LIBS_FROM_GIT=ALL; use_library_from_git anything && echo all",
        "LIBS_FROM_GIT=; use_library_from_git anything || echo none",
      ].join("\n"),
    );
    expect(r.stdout).toBe("oslo.config yes\noslo.log yes\noslo no\noslo.db no\nall\nnone\n");
  });

  test("python_version and join_extras", () => {
    const want = Bun.spawnSync(["python3", "-c", "import sys; print('python%d.%d' % sys.version_info[:2])"]).stdout.toString();
    const r = runLib(sb, "python_version\njoin_extras a b c");
    expect(r.stdout).toBe(`${want}a,b,c\n`);
  });
});
