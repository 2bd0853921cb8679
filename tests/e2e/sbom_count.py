#!/usr/bin/env python3
# sbom_count.py FILE... - counts the package components of CycloneDX JSON or XML documents without
# bulkhead's code: a walk of the document written from the CycloneDX spec, to compare with what
# bulkhead reads. Prints one line per file: "FILE FORMAT SPEC COUNT" (FORMAT json|xml).
# Counted: every component with a non-empty purl in bom.components, nested at any depth through
# component.components, plus metadata.component (and what it nests) when it is a package; not
# counted: type operating-system (bulkhead takes the OS from it), the metadata.component that names
# the scanned target (type container, or a pkg:oci / pkg:docker purl), components that are not in a
# components tree (pedigree ancestors, tools, services, formulation).
import json, sys
import xml.etree.ElementTree as ET

CDX_NS = "http://cyclonedx.org/schema/bom/1."


def counted(purl, ctype, meta):
    if not purl:
        return False
    if ctype == "operating-system":
        return False
    if meta and (ctype == "container" or purl.startswith(("pkg:oci/", "pkg:docker/"))):
        return False
    return True


def walk_json(comps, meta=False):
    n = 0
    for c in comps if isinstance(comps, list) else []:
        if not isinstance(c, dict):
            continue
        purl = c.get("purl") if isinstance(c.get("purl"), str) else ""
        n += counted(purl, c.get("type"), meta)
        n += walk_json(c.get("components"))
    return n


def count_json(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    n = walk_json(doc.get("components"))
    mc = (doc.get("metadata") or {}).get("component")
    if isinstance(mc, dict):
        n += walk_json([mc], meta=True)
    return "json", doc.get("specVersion", "?"), n


def count_xml(path):
    root = ET.parse(path).getroot()
    if not root.tag.startswith("{" + CDX_NS):
        raise SystemExit("%s: not a CycloneDX XML document (%s)" % (path, root.tag))
    ns = root.tag[1:root.tag.index("}")]
    q = lambda t: "{%s}%s" % (ns, t)

    def walk(parent, meta=False):
        n = 0
        for c in parent.findall(q("component")) if parent is not None else []:
            purl = (c.findtext(q("purl")) or "").strip()
            n += counted(purl, c.get("type"), meta)
            n += walk(c.find(q("components")))
        return n

    n = walk(root.find(q("components")))
    md = root.find(q("metadata"))
    if md is not None:
        n += walk(md, meta=True)
    return "xml", ns[len(CDX_NS) - 2:], n


def main():
    for p in sys.argv[1:]:
        with open(p, "rb") as f:
            head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        fmt, spec, n = count_xml(p) if head.startswith(b"<") else count_json(p)
        print(p, fmt, spec, n)


if __name__ == "__main__":
    main()
