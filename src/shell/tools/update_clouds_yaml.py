#!/usr/bin/env python3
# plugstack's $TOP_DIR/tools/update_clouds_yaml.py: adds or replaces one
# cloud in a clouds.yaml. It takes the options of the DevStack tool of the
# same name, which plugins call after creating a service user. PyYAML is
# used when it is installed; without it the file is read and written as
# JSON, which is YAML that openstacksdk reads.
import argparse
import json
import os
import sys

try:
    import yaml
except ImportError:
    yaml = None


def read_clouds(path):
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return {}
    if not text.strip():
        return {}
    if yaml is not None:
        return yaml.safe_load(text) or {}
    try:
        return json.loads(text)
    except ValueError:
        sys.exit("update_clouds_yaml.py: %s is YAML, and PyYAML is not "
                 "installed to read it: install python3-yaml" % path)


def write_clouds(path, data):
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        if yaml is not None:
            yaml.safe_dump(data, f, default_flow_style=False)
        else:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
    os.replace(tmp, path)


def cloud_entry(args, username, project, scope):
    auth = {
        "auth_url": args.os_auth_url,
        "username": username,
        "user_domain_id": "default",
        "password": args.os_password,
    }
    if scope:
        if project:
            print("WARNING: --os-project-name and --os-system-scope both "
                  "given; the system scope is used")
        auth["system_scope"] = scope
    elif project:
        auth["project_name"] = project
        auth["project_domain_id"] = "default"
    entry = {"region_name": args.os_region_name, "auth": auth}
    if args.os_cacert:
        entry["cacert"] = args.os_cacert
    return entry


def main():
    parser = argparse.ArgumentParser(
        description="Add or replace a cloud in clouds.yaml.")
    parser.add_argument("--file")
    parser.add_argument("--os-cloud")
    parser.add_argument("--os-region-name", default="RegionOne")
    parser.add_argument("--os-cacert")
    parser.add_argument("--os-auth-url", required=True)
    parser.add_argument("--os-username")
    parser.add_argument("--os-password", required=True)
    parser.add_argument("--os-project-name")
    parser.add_argument("--os-system-scope")
    # plugstack's write_clouds_yaml: many clouds in one go, one per stdin
    # line "CLOUD USERNAME PROJECT|- SYSTEM-SCOPE|-"
    parser.add_argument("--clouds-from-stdin", action="store_true",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.clouds_from_stdin:
        rows = [line.split() for line in sys.stdin if line.strip()]
    elif args.os_cloud and args.os_username:
        rows = [[args.os_cloud, args.os_username,
                 args.os_project_name or "-", args.os_system_scope or "-"]]
    else:
        parser.error("--os-cloud and --os-username are required")
    path = args.file or os.path.expanduser("~/.config/openstack/clouds.yaml")
    data = read_clouds(path)
    clouds = data.setdefault("clouds", {})
    for cloud, username, project, scope in rows:
        clouds[cloud] = cloud_entry(args, username,
                                    None if project == "-" else project,
                                    None if scope == "-" else scope)
    write_clouds(path, data)


if __name__ == "__main__":
    main()
