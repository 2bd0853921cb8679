#!/usr/bin/env python3
"""Validates docs/openapi.yaml against the OpenAPI 3.1 document schema (the OpenAPI Initiative's own,
tests/fixtures/schemas/openapi-3.1) and every Schema Object in it against the JSON Schema 2020-12
meta-schema; prints one line per problem and exits 1 when there is any, else prints the count of
operations and schema objects checked."""
import sys

import yaml
from jsonschema import Draft202012Validator


def schema_objects(node, path, out):
    """Every Schema Object: values of 'schema' keys and of components.schemas."""
    if isinstance(node, dict):
        for k, v in node.items():
            p = path + [str(k)]
            if k == 'schema' and isinstance(v, dict):
                out.append(('/'.join(p), v))
            elif k == 'schemas' and path == ['components'] and isinstance(v, dict):
                for name, s in v.items():
                    out.append(('/'.join(p + [name]), s))
                continue
            schema_objects(v, p, out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            schema_objects(v, path + [str(i)], out)


def main():
    doc_path, schema_path = sys.argv[1], sys.argv[2]
    doc = yaml.safe_load(open(doc_path))
    oas = yaml.safe_load(open(schema_path))
    problems = []
    for e in Draft202012Validator(oas).iter_errors(doc):
        problems.append('%s: %s: %s' % (doc_path, '/'.join(str(x) for x in e.absolute_path) or '(root)', e.message))
    found = []
    schema_objects(doc, [], found)
    for where, s in found:
        for e in Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(s):
            problems.append('%s: %s: not a JSON Schema 2020-12 schema: %s' % (doc_path, where, e.message))
    ops = sum(1 for p in doc.get('paths', {}).values() for m in p if m in ('get', 'post', 'put', 'delete', 'patch'))
    for p in problems:
        print(p)
    if problems:
        return 1
    print('%s: valid OpenAPI %s (%d operations, %d schema objects)' % (doc_path, doc.get('openapi'), ops, len(found)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
