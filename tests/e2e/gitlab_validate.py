#!/usr/bin/env python3
# gitlab_validate.py KIND FILE - checks bulkhead's GitLab reports offline.
#   container-scanning: JSON Schema validation against GitLab's container-scanning-report-format.json
#     15.2.4 (tests/fixtures/gitlab/, see SOURCE.md there), plus unique vulnerability ids.
#   codequality: GitLab publishes no JSON Schema for Code Quality; the fields its documentation
#     requires are checked by hand: a JSON array of objects with non-empty string description,
#     check_name and fingerprint (unique), severity info|minor|major|critical|blocker, location.path
#     (relative: no leading '/') and location.lines.begin an integer >= 1.
# Prints "N issues" / "N vulnerabilities" or the first errors; exit 1 on any error.
import json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "fixtures", "gitlab", "container-scanning-report-format.json")


def container_scanning(doc):
    try:
        import jsonschema
    except ImportError as e:  # setup.sh installs python3-jsonschema: missing is a failure, not a skip
        return ["python3-jsonschema is required (sh scripts/setup.sh installs it): %s" % e]
    with open(SCHEMA) as f:
        schema = json.load(f)
    v = jsonschema.Draft7Validator(schema)
    errs = ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message) for e in v.iter_errors(doc)]
    ids = [x.get("id") for x in doc.get("vulnerabilities", [])]
    if len(ids) != len(set(ids)):
        errs.append("vulnerability ids are not unique")
    if doc.get("version") != schema["self"]["version"]:
        errs.append("version %r is not the schema's %r" % (doc.get("version"), schema["self"]["version"]))
    return errs


def codequality(doc):
    errs, seen = [], set()
    if not isinstance(doc, list):
        return ["not a JSON array"]
    for i, x in enumerate(doc):
        where = "[%d]" % i
        if not isinstance(x, dict):
            errs.append(where + " not an object"); continue
        for k in ("description", "check_name", "fingerprint"):
            if not isinstance(x.get(k), str) or not x[k]:
                errs.append("%s.%s missing or empty" % (where, k))
        if x.get("fingerprint") in seen:
            errs.append("%s.fingerprint %s repeated" % (where, x.get("fingerprint")))
        seen.add(x.get("fingerprint"))
        if x.get("severity") not in ("info", "minor", "major", "critical", "blocker"):
            errs.append("%s.severity %r" % (where, x.get("severity")))
        loc = x.get("location") if isinstance(x.get("location"), dict) else {}
        p = loc.get("path")
        if not isinstance(p, str) or not p or p.startswith("/"):
            errs.append("%s.location.path %r" % (where, p))
        b = (loc.get("lines") or {}).get("begin") if isinstance(loc.get("lines"), dict) else None
        if not isinstance(b, int) or isinstance(b, bool) or b < 1:
            errs.append("%s.location.lines.begin %r" % (where, b))
    return errs


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("container-scanning", "codequality"):
        print("usage: gitlab_validate.py container-scanning|codequality FILE")
        return 2
    with open(sys.argv[2], encoding="utf-8") as f:
        doc = json.load(f)
    errs = container_scanning(doc) if sys.argv[1] == "container-scanning" else codequality(doc)
    if errs:
        print("%s: %d errors: %s" % (sys.argv[2], len(errs), "; ".join(errs[:5])))
        return 1
    n = len(doc["vulnerabilities"]) if sys.argv[1] == "container-scanning" else len(doc)
    print("%d %s" % (n, "vulnerabilities" if sys.argv[1] == "container-scanning" else "issues"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
