#!/usr/bin/env python3
# schema_validate.py KIND FILE... - validates bulkhead reports against the official schemas in
# $BH_SHARED_DATA/schemas (default ../shared/data/schemas next to the repository), offline.
#   KIND: sarif | cyclonedx | cyclonedx-1.5 | cyclonedx-1.6 | spdx | openvex (JSON Schema, the draft each schema
#   declares) | junit (JUnit.xsd, xmllint). cyclonedx picks 1.5 or 1.6 by each document's specVersion; the 1.6
#   schema (with the spdx and jsf schemas it references) is the repository's tests/fixtures/schemas.
# Beyond the schema: every JSON string must be encodable UTF-8; SARIF artifact URIs must be RFC 3986
# URI references; SPDX licence fields must be SPDX expressions over the licence list or declared
# LicenseRef-s. Prints one line per file ("FILE: N errors" and the first errors); exit 1 on any error.
import json, os, re, subprocess, sys

try:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7
except ImportError as e:  # setup.sh installs python3-jsonschema; a missing module is a failure, not a skip
    print("schema_validate: python3-jsonschema is required (sh scripts/setup.sh installs it): %s" % e)
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("BH_SHARED_DATA") or os.path.join(HERE, "..", "..", "..", "shared", "data")
SCHEMAS = os.path.join(DATA, "schemas")
FILES = {"sarif": "sarif-schema-2.1.0.json", "cyclonedx": "bom-1.5.schema.json", "cyclonedx-1.5": "bom-1.5.schema.json",
         "cyclonedx-1.6": "bom-1.6.schema.json", "spdx": "spdx-schema-2.3.json", "openvex": "openvex_json_schema.json",
         "junit": "JUnit.xsd"}
LOCAL_SCHEMAS = os.path.join(HERE, "..", "fixtures", "schemas")

# RFC 3986 URI-reference, character level: pct-encoded or unreserved / reserved characters only.
URI_CHARS = re.compile(r"^(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=])*$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
IDSTRING = re.compile(r"^[A-Za-z0-9.\-]+$")


def registry(folder=SCHEMAS):
    """Every schema of the folder under its $id (and its file name), so $refs resolve without network."""
    resources = []
    for name in os.listdir(folder):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(folder, name)) as f:
            doc = json.load(f)
        res = Resource.from_contents(doc, default_specification=DRAFT7)
        if "$id" in doc:
            resources.append((doc["$id"], res))
        resources.append(("http://cyclonedx.org/schema/" + name, res))
    return Registry().with_resources(resources)


def strings(v, path="$"):
    if isinstance(v, str):
        yield path, v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield path + "." + k, k
            yield from strings(x, path + "." + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from strings(x, "%s[%d]" % (path, i))


def walk(v, key):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == key:
                yield x
            yield from walk(x, key)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x, key)


def licence_ids():
    p = os.path.join(DATA, "spdx-licenses", "spdx.json")
    with open(p) as f:
        return {k.lower() for k in json.load(f)}


def expr_errors(expr, known, refs):
    if expr in ("NOASSERTION", "NONE"):
        return []
    toks = re.findall(r"\(|\)|[^\s()]+", expr)
    errs, want_id, depth, after_with = [], True, 0, False
    for t in toks:
        if t == "(":
            depth += 1
            if not want_id:
                errs.append("'(' after an operand")
        elif t == ")":
            depth -= 1
            if want_id or depth < 0:
                errs.append("misplaced ')'")
        elif t in ("AND", "OR", "WITH"):
            if want_id:
                errs.append("operator %s without operand" % t)
            want_id, after_with = True, t == "WITH"
        else:
            if not want_id:
                errs.append("two operands in a row: %s" % t)
            want_id = False
            base = t[:-1] if t.endswith("+") else t
            if after_with:
                # an exception id: the exceptions list is not in the shared data, so only its form is checked
                after_with = False
                if base.startswith("AdditionRef-") or not IDSTRING.match(base):
                    errs.append("bad exception id %r (SPDX 2.3 has no AdditionRef-)" % base)
            elif base.startswith("LicenseRef-"):
                if not IDSTRING.match(base[11:]):
                    errs.append("bad LicenseRef id %r" % base)
                elif base not in refs:
                    errs.append("%s has no hasExtractedLicensingInfos entry" % base)
            elif base.lower() not in known:  # SPDX Annex D: ids match case-insensitively
                errs.append("unknown licence id %r" % base)
    if want_id or depth:
        errs.append("incomplete expression")
    return ["%r: %s" % (expr, e) for e in errs]


def extra(kind, doc):
    errs = []
    for path, s in strings(doc):
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            errs.append("%s: not valid UTF-8 (lone surrogate)" % path)
    if kind == "sarif":
        for al in walk(doc, "artifactLocation"):
            u = al.get("uri", "") if isinstance(al, dict) else ""
            if not URI_CHARS.match(u) or (SCHEME.match(u) and not re.match(r"^(file|https?):", u)):
                errs.append("artifactLocation.uri %r is not an RFC 3986 URI reference" % u)
    if kind == "spdx":
        known = licence_ids()
        refs = {e.get("licenseId") for e in doc.get("hasExtractedLicensingInfos", [])}
        for p in doc.get("packages", []):
            for k in ("licenseDeclared", "licenseConcluded"):
                if k in p:
                    errs += expr_errors(p[k], known, refs)
    return errs


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in FILES:
        print(__doc__ or "usage: schema_validate.py KIND FILE...")
        return 2
    kind, files = sys.argv[1], sys.argv[2:]
    schema_path = os.environ.get("BH_SCHEMA_FILE") or (os.path.join(LOCAL_SCHEMAS, FILES[kind]) if kind == "cyclonedx-1.6"
                                                       else os.path.join(SCHEMAS, FILES[kind]))
    if not os.path.isfile(schema_path):
        print("schema_validate: no schema at %s (BH_SHARED_DATA)" % schema_path)
        return 2
    bad = 0
    if kind == "junit":
        for f in files:
            r = subprocess.run(["xmllint", "--noout", "--schema", schema_path, f], capture_output=True, text=True)
            n = 0 if r.returncode == 0 else max(1, r.stderr.count("\n") - 1)
            bad += n
            print("%s: %d errors %s" % (f, n, r.stderr.strip().splitlines()[:3] if n else ""))
        return 1 if bad else 0
    validators = {}

    def validator(k):
        """The validator of kind k, made once; a 1.6 schema with its own spdx/jsf schemas beside it."""
        if k not in validators:
            path = os.environ.get("BH_SCHEMA_FILE") or (os.path.join(LOCAL_SCHEMAS, FILES[k]) if k == "cyclonedx-1.6"
                                                         else os.path.join(SCHEMAS, FILES[k]))
            with open(path) as fh:
                schema = json.load(fh)
            cls = jsonschema.validators.validator_for(schema)
            validators[k] = cls(schema, registry=registry(os.path.dirname(path)))
        return validators[k]

    for f in files:
        with open(f, encoding="utf-8") as fh:
            doc = json.load(fh)
        k = kind
        if kind == "cyclonedx":
            k = "cyclonedx-1.6" if isinstance(doc, dict) and doc.get("specVersion") == "1.6" else "cyclonedx-1.5"
        errs = ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:160]) for e in validator(k).iter_errors(doc)]
        errs += extra(k, doc)
        bad += len(errs)
        print("%s: %d errors (%s) %s" % (f, len(errs), FILES[k], errs[:3] if errs else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
