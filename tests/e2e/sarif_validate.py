# sarif_validate.py SCHEMA FILE... - kept for the callers that pass a schema path: validates SARIF
# with schema_validate.py (the schema's own draft, RFC 3986 URI checks) against that file.
import os, sys
here = os.path.dirname(os.path.abspath(__file__))
os.environ["BH_SCHEMA_FILE"] = sys.argv[1]
sys.argv = [sys.argv[0], "sarif"] + sys.argv[2:]
sys.path.insert(0, here)
import schema_validate  # noqa: E402
sys.exit(schema_validate.main())
