#!/usr/bin/env python3
# vendorjs_fixtures.py - cuts tests/fixtures/vendorjs/ from real dist files: for each file of
# bench/vendorjs_layout.txt, its first 400 bytes plus 120 bytes either side of up to 3 occurrences
# of its version and of the markers vendorjs_sigs.h needs, joined by "\n/* [...] */\n".
# Usage: python3 bench/vendorjs_fixtures.py PKGS_DIR (the $BH_BENCH/vendorjs/pkgs of bench/vendorjs.sh)
import os, re, sys
pkgs = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "tests", "fixtures", "vendorjs")
MARKERS = [b"errors.angularjs.org", b"momentjs.com", b"select2/core", b"errorClass", b"lodash.com",
           b"CKEDITOR", b"Backbone", b"tinymce", b"Ember", b"majorVersion", b"ember/version", b"timestamp:",
           b"underscorejs.org", b"bs-searchbox", b"Version of the jQuery Mobile Framework"]
for line in open(os.path.join(here, "vendorjs_layout.txt")):
    if not line.strip() or line.startswith("#"):
        continue
    spec, src, dst = line.split()
    name, ver = spec.rsplit("@", 1)
    data = open(os.path.join(pkgs, name + "-" + ver, src), "rb").read()
    spans = [(0, 400)]
    for needle in [ver.encode()] + MARKERS:
        for m in list(re.finditer(re.escape(needle), data))[:3]:
            spans.append((max(0, m.start() - 120), min(len(data), m.end() + 120)))
    spans.sort()
    merged = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    text = b"\n/* [...] */\n".join(data[a:b] for a, b in merged)
    fn = "%s-%s--%s" % (name, ver, os.path.basename(dst))
    open(os.path.join(out, fn), "wb").write(text)
