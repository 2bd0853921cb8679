"""versions.py - version orders for the reference evaluators, each written from its own specification
(not from bulkhead's src/version/): SemVer 2.0.0 section 11, apk-tools' src/version.c tokeniser rules,
PEP 440 through python3-packaging (PyPA's reference implementation) and dpkg through libapt-pkg,
cross-checked against `dpkg --compare-versions` itself."""
import functools
import re
import subprocess

# ---------------------------------------------------------------- SemVer 2.0.0 (https://semver.org)
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                     r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
                     r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$")


class SemVer:
    """A parsed SemVer 2.0.0 version; ordering is the precedence of section 11 (build metadata ignored)."""
    __slots__ = ("major", "minor", "patch", "pre", "build", "text")

    def __init__(self, text):
        m = _SEMVER.match(text)
        if not m:
            raise ValueError("not SemVer 2.0.0: %r" % text)
        self.major, self.minor, self.patch = int(m.group(1)), int(m.group(2)), int(m.group(3))
        self.pre = tuple(m.group(4).split(".")) if m.group(4) else ()
        self.build = m.group(5) or ""
        self.text = text

    def key(self):
        # A version without pre-release identifiers ranks above every pre-release of the same triple;
        # numeric identifiers rank below alphanumeric ones and compare numerically, alphanumeric ones
        # compare in ASCII order; a shorter identifier list ranks lower when all preceding are equal.
        pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.pre)
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre)

    def __lt__(self, o): return self.key() < o.key()
    def __le__(self, o): return self.key() <= o.key()
    def __gt__(self, o): return self.key() > o.key()
    def __ge__(self, o): return self.key() >= o.key()
    def __eq__(self, o): return isinstance(o, SemVer) and self.key() == o.key()
    def __hash__(self): return hash(self.key())
    def __repr__(self): return "SemVer(%s)" % self.text

    def core(self):
        return "%d.%d.%d" % (self.major, self.minor, self.patch)


def semver_ok(text):
    return bool(_SEMVER.match(text))


# ---------------------------------------------------------------- apk (apk-tools src/version.c rules)
# Grammar: digit{.digit}...{letter}{_suf{#}}...{~hash}{-r#}. Token kinds in the order apk ranks them when
# one version ends early: a version that stops where the other continues ranks lower, except that a
# continuing pre-release suffix (_alpha _beta _pre _rc) ranks lower than the end.
T_INITIAL, T_DIGIT, T_LETTER, T_SUFFIX, T_SUFFIX_NO, T_HASH, T_REV, T_END, T_INVALID = range(9)
# suffix ranks: pre-release suffixes below "no suffix", post-release ones above
_SUFFIX_RANK = {"alpha": 0, "beta": 1, "pre": 2, "rc": 3, "cvs": 5, "svn": 6, "git": 7, "hg": 8, "p": 9}
_SUFFIX_NONE = 4


def _apk_tokens(v):
    """Yields (kind, number, text) tokens of an apk version; ends with T_END or T_INVALID."""
    i, n = 0, len(v)
    m = re.match(r"\d+", v)
    if not m:
        yield (T_INVALID, 0, "")
        return
    yield (T_INITIAL, int(m.group()), m.group())
    prev = T_INITIAL
    i = m.end()
    while True:
        if i >= n:
            yield (T_END, 0, "")
            return
        c = v[i]
        if "a" <= c <= "z":
            if prev > T_DIGIT:
                break
            yield (T_LETTER, ord(c), c)
            prev = T_LETTER
            i += 1
        elif c == "." or c.isdigit():
            if c == ".":
                if prev > T_DIGIT:
                    break
                i += 1
            if prev in (T_INITIAL, T_DIGIT):
                kind = T_DIGIT
            elif prev == T_SUFFIX:
                kind = T_SUFFIX_NO
            else:
                break
            m = re.compile(r"\d+").match(v, i)
            if not m:
                break
            yield (kind, int(m.group()), m.group())
            prev = kind
            i = m.end()
        elif c == "_":
            if prev > T_SUFFIX_NO:
                break
            m = re.compile(r"[a-z]*").match(v, i + 1)
            suf = m.group()
            if suf not in _SUFFIX_RANK:
                break
            yield (T_SUFFIX, _SUFFIX_RANK[suf], suf)
            prev = T_SUFFIX
            i = m.end()
        elif c == "~":
            if prev >= T_HASH:
                break
            m = re.compile(r"[0-9a-f]*").match(v, i + 1)
            if not m.group():
                break
            yield (T_HASH, 0, m.group())
            prev = T_HASH
            i = m.end()
        elif c == "-":
            if prev >= T_REV or not v.startswith("-r", i):
                break
            m = re.compile(r"\d+").match(v, i + 2)
            if not m:
                break
            yield (T_REV, int(m.group()), m.group())
            prev = T_REV
            i = m.end()
        else:
            break
    yield (T_INVALID, 0, "")


@functools.lru_cache(maxsize=None)
def _apk_toklist(v):
    return tuple(_apk_tokens(v))


def apk_valid(v):
    return _apk_toklist(v)[-1][0] == T_END


def apk_cmp(a, b):
    """-1, 0, 1 like apk_version_compare."""
    return apk_cmp_invalid(a, b)[0]


def apk_cmp_invalid(a, b):
    """(apk_cmp(a, b), whether the result rests on an invalid token of either side)."""
    r = _apk_cmp(a, b)
    ta, tb = _apk_toklist(a), _apk_toklist(b)
    i = 0
    while i < len(ta) - 1 and i < len(tb) - 1 and ta[i] == tb[i]:
        i += 1
    return r, ta[min(i, len(ta) - 1)][0] == T_INVALID or tb[min(i, len(tb) - 1)][0] == T_INVALID


def _apk_cmp(a, b):
    ta, tb = _apk_toklist(a), _apk_toklist(b)
    i = 0
    while True:
        ka, kb = ta[i], tb[i]
        if ka[0] != kb[0] or ka[0] >= T_END:
            break
        kind = ka[0]
        if kind == T_DIGIT and (ka[2].startswith("0") or kb[2].startswith("0")):
            # a leading zero makes the digit group compare as a string (Gentoo rule)
            x, y = ka[2], kb[2]
            if x != y:
                return -1 if x < y else 1
        elif kind in (T_INITIAL, T_DIGIT, T_SUFFIX_NO, T_REV, T_LETTER, T_SUFFIX):
            if ka[1] != kb[1]:
                return -1 if ka[1] < kb[1] else 1
        else:  # commit hash: byte order
            if ka[2] != kb[2]:
                return -1 if ka[2] < kb[2] else 1
        i += 1
    ka, kb = ta[i], tb[i]
    if ka[0] == kb[0]:
        return 0
    if ka[0] == T_SUFFIX and ka[1] < _SUFFIX_NONE:
        return -1
    if kb[0] == T_SUFFIX and kb[1] < _SUFFIX_NONE:
        return 1
    return -1 if ka[0] > kb[0] else 1


apk_key = functools.cmp_to_key(apk_cmp)


# ---------------------------------------------------------------- PEP 440 (python3-packaging)
@functools.lru_cache(maxsize=None)
def pep440(v):
    """packaging.version.Version or None when the string is not a PEP 440 version."""
    from packaging.version import Version, InvalidVersion
    try:
        return Version(v)
    except InvalidVersion:
        return None


# ---------------------------------------------------------------- dpkg
class Dpkg:
    """dpkg order through python3-apt's apt_pkg.version_compare, with a sample of the comparisons
    re-done by `dpkg --compare-versions` (the authority) to check that the two agree."""

    def __init__(self):
        import apt_pkg
        apt_pkg.init_system()
        self._cmp = apt_pkg.version_compare
        self.done = []

    def cmp(self, a, b):
        r = self._cmp(a, b)
        r = (r > 0) - (r < 0)
        if len(self.done) < 20000:
            self.done.append((a, b, r))
        return r

    def crosscheck(self, n=300):
        """Re-checks up to n recorded comparisons (spread over the list) with dpkg; returns disagreements."""
        if not self.done:
            return []
        step = max(1, len(self.done) // n)
        bad = []
        for a, b, r in self.done[::step][:n]:
            lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0
            eq = subprocess.run(["dpkg", "--compare-versions", a, "eq", b]).returncode == 0
            d = -1 if lt else 0 if eq else 1
            if d != r:
                bad.append((a, b, r, d))
        return bad


def selftest():
    """Checks the hand-written orders on the examples of their own specifications; returns failures."""
    bad = []
    # SemVer 2.0.0 section 11's precedence example
    chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
             "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"]
    for a, b in zip(chain, chain[1:]):
        if not SemVer(a) < SemVer(b):
            bad.append("semver %s < %s" % (a, b))
    if SemVer("1.0.0+build.1") != SemVer("1.0.0"):
        bad.append("semver build metadata is ignored")
    # apk: pre-release suffixes below the release, post-release ones and letters above, -rN last
    for a, b in [("1.0_alpha1", "1.0_beta"), ("1.0_rc1", "1.0"), ("1.0", "1.0_p1"), ("1.0", "1.0a"),
                 ("1.0a", "1.0.1"), ("1.0-r1", "1.0-r2"), ("1.0_rc1-r9", "1.0-r0"), ("1.3.0_rc1-r0", "1.3.0"),
                 ("1.01", "1.1"), ("1.2", "1.2.3"), ("2.9", "2.10")]:
        if apk_cmp(a, b) >= 0 or apk_cmp(b, a) <= 0:
            bad.append("apk %s < %s" % (a, b))
    return bad
