# sarif_validate.py SCHEMA FILE... - validates SARIF logs against the OASIS SARIF 2.1.0 JSON schema (draft 2020-12).
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(s)
bad = 0
for f in sys.argv[2:]:
    errs = list(v.iter_errors(json.load(open(f))))
    bad += len(errs)
    print(f, len(errs), [e.message[:120] for e in errs[:3]])
sys.exit(1 if bad else 0)
