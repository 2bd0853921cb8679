#!/usr/bin/env python3
"""README examples as tests (issue #14): extract every `bulkhead ...` line of README.md's ```sh blocks, map
its placeholder inputs onto the ones tests/e2e/readme.sh made in the working directory, run it and assert.

Run by tests/e2e/readme.sh from its scratch directory (bulkhead on PATH, XDG_CACHE_HOME scratch, the
inputs made); `readme_examples.py --list README.md` only prints the extracted examples."""
import json
import os
import re
import subprocess
import sys

# A line is an example when it runs bulkhead: `bulkhead ...`, `build/bulkhead ...`, `VAR=... bulkhead ...`
# or `printf ... | bulkhead ...`.
EXAMPLE = re.compile(r'^(?:[A-Z_][A-Z0-9_]*=\S+\s+)*(?:build/)?bulkhead\s|^printf\s.*\|\s*bulkhead\s')

# What cannot exist here, and why.
SKIPS = [
    (re.compile(r'registry\.example\.com'), 'needs registry.example.com (a placeholder host); registries are tested by tests/e2e/registry.sh on loopback'),
    (re.compile(r'docker://127\.0\.0\.1:5000/.*@sha256:…'), 'needs a registry on 127.0.0.1:5000, its ca.pem and a real digest for the `…` placeholder (tests/e2e/registry.sh)'),
    (re.compile(r'\bdb update\s*$'), 'downloads from osv.dev, the Debian tracker, CISA and EPSS: needs the internet'),
]
ENGINE = re.compile(r'\bengine:|\bcontainer:|\bcontainers\b|podman\.sock')


def examples(readme):
    """(line number, logical line) for each example: `bulkhead` lines of ```sh blocks, continuation lines
    (`\\`) joined, and the `build/bulkhead ...` commands of the CI snippets (```yaml, ```groovy)."""
    out, fence, pending, start = [], None, '', 0
    with open(readme, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            s = line.rstrip('\n')
            if fence is None:
                if s.strip().startswith('```'):
                    fence = s.strip()[3:]
                continue
            if s.strip().startswith('```'):
                fence = None
                continue
            if fence in ('yaml', 'groovy'):
                m = re.search(r"build/bulkhead\s[^'\n]*", s)   # `- run: ...`, `- ...`, `sh '...'`
                if m:
                    out.append((n, m.group(0).strip()))
                continue
            if fence != 'sh':
                continue
            if pending:
                pending += ' ' + s.strip()
            else:
                pending, start = s.strip(), n
            if pending.endswith('\\'):
                pending = pending[:-1].rstrip()
                continue
            cmd = re.sub(r'\s+#(\s.*)?$', '', pending).strip()   # trailing comment (none of the examples quote a ` #`)
            pending = ''
            if cmd and EXAMPLE.search(cmd):
                out.append((start, cmd))
    return out


def expected_codes(cmd):
    """Exit codes the README promises for this line: 0, or the --exit-code / the policy's exit-code."""
    codes = {0}
    m = re.search(r'--exit-code\s+(\d+)', cmd)
    if m:
        codes.add(int(m.group(1)))
    m = re.search(r'--policy\s+(\S+)', cmd)
    if m and os.path.exists(m.group(1)):
        with open(m.group(1), encoding='utf-8') as f:
            pm = re.search(r'^exit-code:\s*(\d+)', f.read(), re.M)
        codes.add(int(pm.group(1)) if pm else 1)
    return codes


def map_inputs(cmd, seen_root):
    """The README's placeholders onto this run's inputs; returns (command, notes)."""
    notes = []
    sock = os.environ.get('BH_README_SOCK', '')
    if sock:
        cmd = cmd.replace('unix:///run/podman/podman.sock', 'unix://' + sock)
        cmd = cmd.replace('engine:localhost/app:1', 'engine:' + os.environ['BH_README_APP'])
        cmd = re.sub(r'\bcontainer:web\b', 'container:' + os.environ['BH_README_WEB'], cmd)
    mirror = os.environ.get('BH_README_MIRROR', '')
    if mirror and 'https://mirror.internal/bulkhead' in cmd:
        cmd = cmd.replace('https://mirror.internal/bulkhead', mirror)
        notes.append('a mirror of ../shared/data on loopback')
    if re.search(r'\s*\|\|\s*true$', cmd):   # CI keeps going; the exit code is what is checked here
        cmd = re.sub(r'\s*\|\|\s*true$', '', cmd)
        notes.append('without `|| true`')
    if re.search(r'\bdir:/(\s|$)', cmd):
        if seen_root[0]:   # dir:/ once (the whole host, a few seconds); then the cached test rootfs
            cmd = re.sub(r'\bdir:/(?=\s|$)', 'dir:' + os.environ['BH_README_ROOTFS'], cmd)
            notes.append('dir:/ -> the test image rootfs')
        seen_root[0] = True
    return cmd, notes


def check_output(cmd, stdout):
    """Content checks where the line says what it writes; returns an error or None."""
    m = re.search(r'(?:-o|--output)\s+(\S+)', cmd)
    fmt = re.search(r'(?:-f|--format)\s+(\S+)', cmd)
    fmt = fmt.group(1) if fmt else 'table'
    if m:
        path = m.group(1)
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            return 'no output in ' + path
        with open(path, 'rb') as f:
            data = f.read()
        if fmt in ('json', 'cyclonedx', 'cyclonedx-1.5', 'spdx', 'sarif'):
            try:
                doc = json.loads(data)
            except ValueError as e:
                return '%s is not JSON: %s' % (path, e)
            want = {'cyclonedx': ('specVersion', '1.6'), 'cyclonedx-1.5': ('specVersion', '1.5'), 'spdx': ('spdxVersion', 'SPDX-2.3'),
                    'sarif': ('version', '2.1.0')}.get(fmt)
            if want and doc.get(want[0]) != want[1]:
                return '%s: %s is %r, not %s' % (path, want[0], doc.get(want[0]), want[1])
        if fmt == 'html' and b'<html' not in data[:4096]:
            return path + ' is no HTML page'
        if fmt == 'junit' and b'<testsuites' not in data[:4096]:
            return path + ' is no JUnit XML'
        os.unlink(path)   # a later line writing the same name must write it itself
    elif re.search(r'>>?\s*"?\$(\w+)"?$', cmd):   # appended to a file named by the environment
        path = os.environ.get(re.search(r'>>?\s*"?\$(\w+)"?$', cmd).group(1), '')
        if not path or not os.path.isfile(path) or os.path.getsize(path) == 0:
            return 'nothing written to ' + (path or 'an unset variable')
        os.unlink(path)
    elif '|' not in cmd.split('bulkhead', 1)[1]:
        if not stdout.strip():
            return 'no output on stdout'
        if fmt in ('json', 'cyclonedx', 'cyclonedx-1.5', 'spdx', 'sarif'):
            try:
                json.loads(stdout)
            except ValueError as e:
                return 'stdout is not JSON: %s' % e
    return None


def check_exit_code(cmd, rc):
    """`--exit-code N`: N exactly when findings or failed checks remain after filtering (the same line
    again with `-f json`); returns an error or None."""
    m = re.search(r'--exit-code\s+(\d+)', cmd)
    if not m or re.search(r'\s(-f|--format|-o|--output|--policy)\s', cmd):
        return None
    again = re.sub(r'\bbulkhead (scan|image|fs|rootfs) ', r'bulkhead \1 -q -f json -o exit-code-check.json ', cmd, count=1)
    subprocess.run(['bash', '-c', again], capture_output=True, timeout=90)
    try:
        with open('exit-code-check.json', encoding='utf-8') as f:
            summary = json.load(f)['summary']
        os.unlink('exit-code-check.json')
    except (OSError, ValueError, KeyError) as e:
        return 'no JSON summary from `%s`: %s' % (again, e)
    remain = summary['findings'] + summary['checks']
    if (remain > 0) != (rc == int(m.group(1))):
        return 'exit %d with %d findings and %d failed checks remaining' % (rc, summary['findings'], summary['checks'])
    return None


def main():
    args = sys.argv[1:]
    if args and args[0] == '--list':
        for n, cmd in examples(args[1]):
            print('%d: %s' % (n, cmd))
        return 0
    readme = args[0]
    npass = nfail = nskip = 0
    seen_root = [False]
    no_engine = os.environ.get('BH_README_NO_ENGINE', '')
    for n, line in examples(readme):
        where = '%s:%d: %s' % (os.path.basename(readme), n, line)
        reason = next((why for rx, why in SKIPS if rx.search(line)), None)
        if reason is None and ENGINE.search(line) and not os.environ.get('BH_README_SOCK'):
            reason = 'no podman Engine API service: ' + no_engine
        if reason is None and 'mirror.internal' in line and not os.environ.get('BH_README_MIRROR'):
            reason = 'needs the mirror host mirror.internal, and no loopback mirror could be served here'
        if reason:
            nskip += 1
            print('SKIP %s\n     (%s)' % (where, reason))
            continue
        cmd, notes = map_inputs(line, seen_root)
        try:
            r = subprocess.run(['bash', '-c', 'set -o pipefail; ' + cmd], capture_output=True, timeout=90)
            rc, out, err = r.returncode, r.stdout.decode('utf-8', 'replace'), r.stderr.decode('utf-8', 'replace')
        except subprocess.TimeoutExpired:
            rc, out, err = None, '', ''
        problem = None
        if rc is None:
            problem = 'timed out after 90 s'
        elif rc == 2 or rc >= 128 or rc < 0:
            problem = 'exit %d (%s)' % (rc, 'usage error' if rc == 2 else 'crash or signal')
        elif 'unknown option' in err:
            problem = 'stderr says: ' + err.strip().splitlines()[0]
        elif rc not in expected_codes(line):
            problem = 'exit %d, the README promises %s' % (rc, sorted(expected_codes(line)))
        else:
            problem = check_output(cmd, out) or check_exit_code(cmd, rc)
        mapped = '' if cmd == line else '\n     (ran: %s%s)' % (cmd, '; ' + ', '.join(notes) if notes else '')
        if problem:
            nfail += 1
            tail = '\n     '.join(err.strip().splitlines()[-3:])
            print('FAIL %s%s\n     %s%s' % (where, mapped, problem, '\n     stderr: ' + tail if tail else ''))
        else:
            npass += 1
            print('PASS %s (exit %d)%s' % (where, rc, mapped))
    print('readme: %d passed, %d failed, %d skipped' % (npass, nfail, nskip))
    return 1 if nfail or npass == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
