#!/usr/bin/env bash
# Kubernetes' own Pod Security Standards fixtures (pod-security-admission's test/testdata) through
# `bulkhead scan`: policy v1.37 from the shared data, the older versions from tests/fixtures/pss/, each
# judged with --pss-version. A fail/ file must get at least one finding of its level about the control
# its name gives, a pass/ file none of its level; as the bare Pod and wrapped in Deployment,
# StatefulSet, DaemonSet, Job and CronJob, one document per file and all of a folder in one file.
set -uo pipefail
BUILD=${BUILD:-build}
BH="$(pwd)/$BUILD/bulkhead"
DATA=${BH_SHARED_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}
PSS="$DATA/k8s-pss-fixtures"
OLD="$(pwd)/tests/fixtures/pss"
skip() { echo "SKIP pss: $1"; echo "pss: 0 passed, 0 failed (skipped)"; exit 0; }

[ -x "$BH" ] || { echo "FAIL pss: $BH not built"; echo "pss: 0 passed, 1 failed"; exit 1; }
[ -d "$PSS/baseline/v1.37" ] && [ -d "$PSS/restricted/v1.37" ] || skip "no fixtures at $PSS (set BH_SHARED_DATA)"
command -v python3 >/dev/null || skip "python3 is not installed"
python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml is not installed"
T=$(mktemp -d /tmp/bh-pss-e2e.XXXXXX)
trap 'rm -rf "$T"' EXIT

python3 - "$BH" "$PSS" "$OLD" "$T" <<'EOF'
import json, os, re, subprocess, sys, yaml

bh, shared, old, tmp = sys.argv[1:5]
LATEST = 37
BASE = {"BH-K8S-%03d" % i for i in list(range(1, 12)) + [22]}
LEVEL = {"baseline": BASE, "restricted": BASE | {"BH-K8S-%03d" % i for i in list(range(12, 18)) + [23]}}
# the control a fixture's name gives -> the rules that report it (a restricted control that overrides a
# baseline one in the policy counts with either rule)
TOPIC = {
    "windowshostprocess": {"001"}, "hostnamespaces": {"002"}, "privileged": {"003"},
    "capabilities_baseline": {"004", "017"}, "capabilities_restricted": {"017", "004"},
    "hostpathvolumes": {"005", "012"}, "hostports": {"006"}, "apparmorprofile": {"007"},
    "selinuxoptions": {"008"}, "procmount": {"009", "023"}, "procmount_restricted": {"023", "009"},
    "seccompprofile_baseline": {"010", "016"}, "seccompprofile_restricted": {"016", "010"},
    "sysctls": {"011"}, "restrictedvolumes": {"012", "005"}, "allowprivilegeescalation": {"013"},
    "runasnonroot": {"014"}, "runasuser": {"015"}, "hostprobesandhostlifecycle": {"022"},
}
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
WRAPS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"]
fails = []

def topic(name):
    base = re.sub(r"\d+$", "", name)
    if base not in TOPIC:
        return None
    return {"BH-K8S-" + r for r in TOPIC[base]}

def wrap(pod, kind):
    if kind == "Pod":
        return pod
    name = pod["metadata"]["name"]
    tmpl = {"metadata": dict(pod["metadata"], labels={"app": name}), "spec": pod["spec"]}
    sel = {"matchLabels": {"app": name}}
    if kind in ("Deployment", "StatefulSet", "DaemonSet"):
        spec = {"selector": sel, "template": tmpl}
        if kind == "StatefulSet":
            spec["serviceName"] = name
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}
    if kind == "Job":
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": {"template": tmpl}}
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": tmpl}}}}

def scan(path, version):
    p = subprocess.run([bh, "scan", "-q", "-f", "json", "--pss-version", version, path], capture_output=True, text=True)
    if p.returncode != 0:
        fails.append("%s: exit %d %s" % (path, p.returncode, p.stderr.strip()[:200]))
        return None
    return json.loads(p.stdout).get("checks", [])

class Count:
    def __init__(self):
        self.det = self.miss = self.clean = self.alarm = 0

def judge(c, level, kind, name, checks, version, where):
    """One document's findings against what its folder says."""
    lv = LEVEL[level]
    for f in checks:
        if f["rule"] in LEVEL["restricted"] and not f.get("title", "").endswith(", policy %s)" % version):
            fails.append("%s: title does not name policy %s: %s" % (where, version, f.get("title")))
    mine = [f for f in checks if f["rule"] in lv]
    if kind == "fail":
        want = topic(name)
        if want is None:
            fails.append("%s: no control known for the name %s" % (where, name))
        elif any(f["rule"] in want for f in mine):
            c.det += 1
        else:
            c.miss += 1
            fails.append("%s: missed (%s findings: %s)" % (where, level, sorted({f["rule"] for f in mine}) or "none"))
    elif mine:
        c.alarm += 1
        fails.append("%s: false alarm %s" % (where, "; ".join(f["rule"] + " " + f["detail"] for f in mine[:3])))
    else:
        c.clean += 1

def load(folder):
    docs = []
    for fn in sorted(os.listdir(folder)):
        if fn.endswith(".yaml"):
            with open(os.path.join(folder, fn)) as fh:
                docs.append((fn[:-5], yaml.load(fh, Loader=LOADER)))
    return docs

def run(folder, version, single_wraps, multi_wraps, rows):
    for level in ("baseline", "restricted"):
        for wrapping in WRAPS:
            for mode, wraps in (("single", single_wraps), ("multi", multi_wraps)):
                if wrapping not in wraps:
                    continue
                c = Count()
                for kind in ("fail", "pass"):
                    docs = load(folder(level, kind))
                    d = os.path.join(tmp, version, level, kind, wrapping)
                    os.makedirs(d, exist_ok=True)
                    if mode == "single":
                        for name, pod in docs:
                            path = os.path.join(d, name + ".yaml")
                            with open(path, "w") as fh:
                                yaml.dump(wrap(pod, wrapping), fh, Dumper=DUMPER, sort_keys=False)
                            checks = scan(path, version)
                            if checks is not None:
                                judge(c, level, kind, name, checks, version, "%s %s/%s %s %s" % (version, level, kind, wrapping, name))
                        continue
                    # one file: documents separated by '---', findings given to a document by their line
                    path = os.path.join(d, "all.yaml")
                    starts, text = [], ""
                    for name, pod in docs:
                        starts.append(text.count("\n") + 2)  # the line after the '---'
                        text += "---\n" + yaml.dump(wrap(pod, wrapping), Dumper=DUMPER, sort_keys=False)
                    with open(path, "w") as fh:
                        fh.write(text)
                    checks = scan(path, version)
                    if checks is None:
                        continue
                    per = [[] for _ in docs]
                    for f in checks:
                        i = max((k for k, s in enumerate(starts) if s <= f["line"]), default=-1)
                        if i < 0:
                            fails.append("%s: finding outside every document: %s" % (path, f))
                        else:
                            per[i].append(f)
                    for (name, _), fs in zip(docs, per):
                        # the line and the object the detail names agree
                        for f in fs:
                            if not f["detail"].split(":")[0].split(" container ")[0].endswith("/" + name):
                                fails.append("%s: finding at line %d given to %s: %s" % (path, f["line"], name, f["detail"]))
                        judge(c, level, kind, name, fs, version, "%s %s/%s %s multi %s" % (version, level, kind, wrapping, name))
                rows.append((version, level, wrapping, mode, c))

rows = []
# v1.37 (the latest): every wrapping, one document per file and all in one file; "latest" names it too
run(lambda level, kind: os.path.join(shared, level, "v1.37", kind), "v1.37", WRAPS, WRAPS, rows)
# older policy versions: each copied set stands for its versions up to the next set
sets = sorted((int(v[3:]) for v in os.listdir(old) if re.match(r"v1\.\d+$", v))) if os.path.isdir(old) else []
for k, first in enumerate(sets):
    last = (sets[k + 1] if k + 1 < len(sets) else LATEST) - 1
    root = os.path.join(old, "v1.%d" % first)
    folder = lambda level, kind, root=root: os.path.join(root, level, kind)
    for minor in range(first, last + 1):
        # the set's first version in full, the others all in one file per wrapping
        run(folder, "v1.%d" % minor, ["Pod"] if minor == first else [], WRAPS, rows)

print("%-6s %-10s %-11s %-6s | %8s %6s | %5s %12s" % ("policy", "level", "wrapping", "docs", "detected", "missed", "clean", "false alarms"))
tot, per = Count(), {}
for version, level, wrapping, mode, c in rows:
    if version == "v1.37":
        print("%-6s %-10s %-11s %-6s | %8d %6d | %5d %12d" % (version, level, wrapping, mode, c.det, c.miss, c.clean, c.alarm))
    else:  # older versions: one line per version and level, every wrapping and both forms added up
        per.setdefault((version, level), Count())
    for a in ("det", "miss", "clean", "alarm"):
        setattr(tot, a, getattr(tot, a) + getattr(c, a))
        if version != "v1.37":
            setattr(per[version, level], a, getattr(per[version, level], a) + getattr(c, a))
for (version, level), c in per.items():
    print("%-6s %-10s %-11s %-6s | %8d %6d | %5d %12d" % (version, level, "all 6", "both", c.det, c.miss, c.clean, c.alarm))
print("all %d runs (v1.0..v1.37, every wrapping): %d detected, %d missed, %d clean, %d false alarms"
      % (len(rows), tot.det, tot.miss, tot.clean, tot.alarm))
for f in fails[:40]:
    print("FAIL " + f)
if len(fails) > 40:
    print("... %d more" % (len(fails) - 40))
ok = not fails and tot.miss == 0 and tot.alarm == 0 and tot.det > 0 and tot.clean > 0
print("PASS pss: fixtures of every policy version, no miss, no false alarm" if ok else "FAIL pss: %d problems" % len(fails))
sys.exit(0 if ok else 1)
EOF
rc=$?
pass=0; fail=0
[ $rc -eq 0 ] && pass=$((pass + 1)) || fail=$((fail + 1))

# the option itself: latest is v1.37, bad versions are usage errors, compliance rows name the version
f="$PSS/baseline/v1.37/fail/hostprobesandhostlifecycle0.yaml"
ok() { pass=$((pass + 1)); echo "PASS $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
a=$("$BH" scan -q -f json --pss-version latest "$f" | jq -c '[.checks[] | .title]')
b=$("$BH" scan -q -f json "$f" | jq -c '[.checks[] | .title]')
[ "$a" = "$b" ] && echo "$a" | grep -q 'baseline, policy v1.37)' && ok "--pss-version latest = the default = v1.37" || ko "latest" "$a"
"$BH" scan -q -f json --pss-version v1.33 "$f" | jq -e '[.checks[] | select(.rule == "BH-K8S-022")] | length == 0' >/dev/null \
	&& ok "v1.33: no Host Probes control yet (added in v1.34)" || ko "v1.33 probes" "reported"
for bad in v1.38 v2.0 1.x v1.07 ""; do
	"$BH" scan -q --pss-version "$bad" "$f" >/dev/null 2>"$T/e"; rc=$?
	[ $rc -eq 2 ] && grep -q -- "--pss-version" "$T/e" && ok "--pss-version '$bad': usage error" || ko "bad version '$bad'" "rc=$rc $(head -1 "$T/e")"
done
# what changed between versions: the v1.37 sysctls are forbidden at v1.36, Unmasked /proc with hostUsers: false at v1.34
s="$PSS/baseline/v1.37/pass/sysctls1.yaml"
"$BH" scan -q -f json --pss-version v1.36 "$s" | jq -e '[.checks[] | select(.rule == "BH-K8S-011") | .detail] | length == 2 and (join(" ") | test("tcp_slow_start_after_idle")) and (join(" ") | test("tcp_notsent_lowat"))' >/dev/null \
	&& ok "v1.36: tcp_slow_start_after_idle and tcp_notsent_lowat not yet safe" || ko "v1.36 sysctls" "not reported"
p="$PSS/baseline/v1.37/pass/procmount1.yaml"
"$BH" scan -q -f json --pss-version v1.34 "$p" | jq -e '[.checks[] | select(.rule == "BH-K8S-009")] | length > 0' >/dev/null \
	&& "$BH" scan -q -f json --pss-version v1.35 "$p" | jq -e '[.checks[] | select(.rule == "BH-K8S-009")] | length == 0' >/dev/null \
	&& ok "Unmasked /proc with hostUsers: false: baseline fails at v1.34, passes from v1.35" || ko "procMount userns" "$(grep -n hostUsers "$p")"
"$BH" scan -q --compliance k8s-pss --pss-version v1.33 -f json "$f" >"$T/c.json"
jq -e '(.data | test("policy v1.33")) and ([.controls[] | select(.id == "BH-K8S-022")] | all(.status == "pass"))' "$T/c.json" >/dev/null \
	&& ok "--compliance k8s-pss --pss-version v1.33: data names the version, 022 passes" || ko "compliance v1.33" "$(jq -c '.data' "$T/c.json")"
"$BH" scan -q --compliance k8s-pss -f json "$f" | jq -e '(.data | test("policy v1.37")) and ([.controls[] | select(.id == "BH-K8S-022" and .profile == "baseline")] | all(.status == "fail"))' >/dev/null \
	&& ok "--compliance k8s-pss (latest): 022 fails" || ko "compliance latest" "bad"
echo "pss: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
