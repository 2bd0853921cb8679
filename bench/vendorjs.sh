#!/usr/bin/env bash
# Vendored JavaScript libraries (issue #14) side by side with retire.js: a web-app folder holds the
# real dist files of the npm packages in bench/vendorjs_layout.txt (usual names, versioned names and
# plain renamed ones such as static/vendor.min.js) plus an installed node_modules/jquery; retire.js
# (--verbose: every library it identifies, vulnerable or not) and `bulkhead sbom` scan it as a
# directory and as a one-layer docker-archive. Prints library | version | retire.js | bulkhead and
# fails when retire.js identifies a library@version bulkhead does not, or when the image gives other
# components than the directory. A second pass runs both over every file of the same npm packages.
# Needs the npm registry once (cached under $BH_BENCH, default /var/tmp/bh-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
BH=${BH:-$PWD/${BUILD:-build}/bulkhead}
W=${BH_BENCH:-/var/tmp/bh-bench}
V=$W/vendorjs
LAYOUT=$PWD/bench/vendorjs_layout.txt
[ -x "$BH" ] || make -s -j1
mkdir -p "$V/tgz" "$V/pkgs" "$W/tools" bench/out
[ -x "$W/tools/node_modules/.bin/retire" ] ||
	npm install --no-audit --no-fund --prefix "$W/tools" retire @salesforce/code-analyzer-retirejs-engine >/dev/null
REPO=$W/tools/node_modules/@salesforce/code-analyzer-retirejs-engine/vulnerabilities/RetireJsVulns.json
RETIRE=$W/tools/node_modules/.bin/retire

# the npm packages, unpacked once: $V/pkgs/NAME@VERSION/
for spec in $(grep -v '^#' "$LAYOUT" | awk '{print $1}' | sort -u) jquery@3.3.1; do
	d=$V/pkgs/${spec/@/-}   # NAME-VERSION: retire.js also reads versions from URL-like paths (NAME@VERSION/)
	[ -f "$d/package.json" ] && continue
	t=$(cd "$V/tgz" && npm pack -q "$spec" 2>/dev/null | tail -1)
	mkdir -p "$d" && tar -xzf "$V/tgz/$t" -C "$d" --strip-components=1 2>/dev/null
done

# the web app: vendored copies + one package installed the npm way (reported by the npm analyzer only)
rm -rf "$V/app" && mkdir -p "$V/app/node_modules"
grep -v '^#' "$LAYOUT" | while read -r spec src dst; do
	mkdir -p "$V/app/$(dirname "$dst")" && cp "$V/pkgs/${spec/@/-}/$src" "$V/app/$dst"
done
cp -r "$V/pkgs/jquery-3.3.1" "$V/app/node_modules/jquery"

# the same tree as a one-layer docker-archive (docker save layout: manifest.json, config, layer.tar)
python3 - "$V/app" "$V/app-image.tar" <<'PY'
import hashlib, io, json, os, sys, tarfile
root, out = sys.argv[1], sys.argv[2]
lb = io.BytesIO()
with tarfile.open(fileobj=lb, mode="w", format=tarfile.PAX_FORMAT) as t:
    for dp, dns, fns in sorted(os.walk(root)):
        dns.sort()
        for n in sorted(dns) + sorted(fns):
            p = os.path.join(dp, n)
            t.add(p, arcname="srv/www/" + os.path.relpath(p, root), recursive=False)
layer = lb.getvalue()
diff = "sha256:" + hashlib.sha256(layer).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode()
cname = hashlib.sha256(cfg).hexdigest() + ".json"
man = json.dumps([{"Config": cname, "RepoTags": ["localhost/bh-vendorjs:1"], "Layers": ["layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for n, b in (("layer.tar", layer), (cname, cfg), ("manifest.json", man)):
        ti = tarfile.TarInfo(n); ti.size = len(b); t.addfile(ti, io.BytesIO(b))
PY

"$RETIRE" --path "$V/app" --verbose --jsrepo "$REPO" --outputformat json --outputpath "$V/retire-app.json" >/dev/null 2>&1 || true
"$RETIRE" --path "$V/pkgs" --verbose --jsrepo "$REPO" --outputformat json --outputpath "$V/retire-pkgs.json" >/dev/null 2>&1 || true
"$BH" sbom -q -f json "dir:$V/app" >"$V/bh-app.json"
"$BH" sbom -q -f json "docker-archive:$V/app-image.tar" >"$V/bh-image.json"
"$BH" sbom -q -f json "dir:$V/pkgs" >"$V/bh-pkgs.json"

python3 - "$V" "$LAYOUT" "$("$RETIRE" --version)" <<'PY' | tee bench/out/vendorjs.md
import json, sys
V, layout, rver = sys.argv[1], sys.argv[2], sys.argv[3]
# retire.js component names -> npm package names (its jquery-ui-* entries are jquery-ui modules)
NPM = {"angularjs": "angular", "tinyMCE": "tinymce", "ckeditor": "ckeditor4", "moment.js": "moment",
       "underscore.js": "underscore", "DOMPurify": "dompurify", "backbone.js": "backbone",
       "mustache.js": "mustache", "ember": "ember-source", "jquery-ui-autocomplete": "jquery-ui",
       "jquery-ui-dialog": "jquery-ui", "jquery-ui-tooltip": "jquery-ui", "jquery.datatables": "datatables.net",
       "pdf.js": "pdfjs-dist"}
def retire(path, root):
    out = set()
    for f in json.load(open(path)).get("data", []):
        for r in f.get("results", []):
            out.add((f["file"][len(root):], NPM.get(r["component"], r["component"]), r["version"]))
    return out
def bh(path, strip=""):
    return {(c["path"][len(strip):] if c["path"].startswith(strip) else c["path"], c["name"], c["version"])
            for c in json.load(open(path))["components"] if c.get("ecosystem") == "npm"}
ra = retire(V + "/retire-app.json", V + "/app")
ba, bi = bh(V + "/bh-app.json"), bh(V + "/bh-image.json", "/srv/www")
libs = lambda s: {(n, v) for _, n, v in s}
rows = sorted(libs(ra) | libs(ba))
ALIAS = {"jquery-ui-dist": "jquery-ui", "ckeditor": "ckeditor4"}  # npm packages shipping the same files
want = set()
for l in open(layout):
    if l.strip() and not l.startswith("#"):
        n, v = l.split()[0].rsplit("@", 1)
        want.add((ALIAS.get(n, n), v))
print("retire.js %s (--verbose) and bulkhead on a web-app folder: %d vendored dist files of %d libraries, "
      "%d library@version (bench/vendorjs_layout.txt) + node_modules/jquery 3.3.1 installed by npm" % (
      rver, sum(1 for l in open(layout) if l.strip() and not l.startswith("#")),
      len({n for n, _ in want}), len(want)))
print()
print("| library (npm) | version | retire.js | bulkhead dir | bulkhead image |")
print("|---|---|---|---|---|")
for n, v in rows:
    f = lambda s: ", ".join(sorted(p.lstrip("/") for p, a, b in s if (a, b) == (n, v))) or "-"
    print("| %s | %s | %s | %s | %s |" % (n, v, f(ra), f(ba), "same" if {x for x in ba if x[1:] == (n, v)} == {x for x in bi if x[1:] == (n, v)} else f(bi)))
miss = sorted(libs(ra) - libs(ba))
print()
print("retire.js: %d library@version, bulkhead: %d; layout wants %d, bulkhead misses %s" % (
    len(libs(ra)), len(libs(ba)), len(want), ", ".join("%s@%s" % x for x in sorted(want - libs(ba))) or "none"))
print("missed by bulkhead (retire.js found): %s" % (", ".join("%s@%s" % x for x in miss) or "none"))
print("bulkhead only: %s" % (", ".join("%s@%s" % x for x in sorted(libs(ba) - libs(ra))) or "none"))
img_diff = ba ^ bi
print("image (docker-archive, one layer under /srv/www) vs directory: %s" % ("same %d components" % len(bi) if not img_diff else "DIFFERENT: %s" % sorted(img_diff)))
# the wide pass: every file of the npm packages (tests, locales, external copies included)
rp = retire(V + "/retire-pkgs.json", V + "/pkgs")
bp = {x for x in bh(V + "/bh-pkgs.json") if x[0].endswith(".js")}  # not the lockfiles some packages ship
wmiss = sorted(libs(rp) - libs(bp))
fmiss = sorted(x for x in rp - bp)
print()
print("all files of the %d npm packages: retire.js %d library@version in %d files, bulkhead %d library@version; missed library@version: %s" % (
      len(want) + 1, len(libs(rp)), len({p for p, _, _ in rp}), len(libs(bp)), ", ".join("%s@%s" % x for x in wmiss) or "none"))
kinds = {}
for p, n, v in fmiss:
    k = "bower.json (not a .js file)" if p.endswith("bower.json") else "locale/i18n file of %s" % n if ("/i18n/" in p or "/localization/" in p) else "additional-methods of jquery-validation" if "additional-methods" in p else "other: " + p
    kinds[k] = kinds.get(k, 0) + 1
print("per file, retire.js only (on purpose: bulkhead reports the library, not its translations): %s" % (
      "; ".join("%s x%d" % (k, c) for k, c in sorted(kinds.items())) or "none"))
sys.exit(1 if miss or wmiss or img_diff or (want - libs(ba)) else 0)
PY
