#!/usr/bin/env python3
"""spdx_count.py - an independent count of packages, and of packages with a purl, in SPDX documents.

Written apart from the C converters (src/sbom/spdxtv.c, spdxyaml.c, spdx3.c) so that the unit test
tests/sbom/test_spdxfixtures.c can hold them to it: tag-value is parsed by hand here, YAML with
PyYAML, SPDX 2 JSON and SPDX 3 JSON-LD with json.

    python3 tests/e2e/spdx_count.py [DIR]          one line per document: FILE FORMAT VERSION PACKAGES PURLS
                                                   (-1 -1: the document is not valid, a converter must refuse it)
    python3 tests/e2e/spdx_count.py --write [DIR]  also (re)writes DIR/counts.tsv, the copy used without PyYAML

A package "has a purl" when one of its references is a purl: SPDX 2 externalRefs with
referenceType "purl"; SPDX 3 software_packageUrl or an externalIdentifier of type packageUrl.
"""
import json
import os
import sys


def count_tagvalue(text):
    version, packages, purls = "?", 0, 0
    in_package = has_purl = False
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line or line.startswith("#") or ":" not in line:
            continue
        tag, value = line.split(":", 1)
        value = value.strip()
        if value.startswith("<text>"):
            # the value runs to the first </text>, maybe lines further on; nothing inside is a tag
            rest = value[len("<text>"):]
            while "</text>" not in rest and i < len(lines):
                rest += "\n" + lines[i]
                i += 1
            continue
        if tag == "SPDXVersion":
            version = value
        elif tag == "PackageName":
            if in_package and has_purl:
                purls += 1
            packages += 1
            in_package, has_purl = True, False
        elif tag in ("FileName", "SnippetSPDXID", "LicenseID"):
            if in_package and has_purl:
                purls += 1
            in_package = has_purl = False
        elif tag == "ExternalRef" and in_package:
            fields = value.split()
            if len(fields) >= 3 and fields[1] == "purl":
                has_purl = True
    if in_package and has_purl:
        purls += 1
    return "tag-value", version, packages, purls


def count_spdx2(doc, fmt):
    packages = doc.get("packages") or []
    purls = sum(1 for p in packages
                if any(r.get("referenceType") == "purl" for r in (p.get("externalRefs") or [])))
    return fmt, doc.get("spdxVersion", "?"), len(packages), purls


def count_spdx3(doc):
    graph = doc.get("@graph", [doc])
    version = "?"
    packages = purls = 0
    for e in graph:
        t = e.get("type", e.get("@type"))
        if t == "CreationInfo" and version == "?":
            version = "SPDX-" + e.get("specVersion", "3")
        if t != "software_Package":
            continue
        packages += 1
        ids = [x for x in (e.get("externalIdentifier") or []) if x.get("externalIdentifierType") == "packageUrl"]
        if e.get("software_packageUrl") or ids:
            purls += 1
    return "spdx3-jsonld", version, packages, purls


def count(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith((".yaml", ".yml")):
        import yaml  # python3-yaml
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError:
            return "yaml", "invalid", -1, -1  # the converter must refuse it too
        return count_spdx2(doc, "yaml")
    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        if "@context" in doc or "@graph" in doc:
            return count_spdx3(doc)
        return count_spdx2(doc, "json")
    return count_tagvalue(text)


def main(argv):
    write = "--write" in argv
    args = [a for a in argv if a != "--write"]
    top = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "fixtures", "spdx")
    rows = []
    for name in sorted(os.listdir(top)):
        if name in ("SOURCE.md", "counts.tsv"):
            continue
        fmt, version, packages, purls = count(os.path.join(top, name))
        rows.append(f"{name}\t{fmt}\t{version}\t{packages}\t{purls}")
    out = "\n".join(rows) + "\n"
    sys.stdout.write(out)
    if write:
        with open(os.path.join(top, "counts.tsv"), "w", encoding="utf-8") as f:
            f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
