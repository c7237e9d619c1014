"""`cloud-init schema -c FILE` for many files in one interpreter (cloud-init's start-up is most
of a call's ~0.7 s CPU): the same functions the CLI's handle_schema_args calls (get_schema once,
validate_cloudconfig_file per file) and the same messages. Prints one JSON line:
[[exit code, output], ...] in argument order."""
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout

from cloudinit.config.schema import SchemaValidationError, get_schema, validate_cloudconfig_file

schema = get_schema()
results = []
for path in sys.argv[1:]:
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(out):
        try:
            validate_cloudconfig_file(path, schema)
        except (SchemaValidationError, RuntimeError) as e:
            # The CLI's error(): the message on stderr, exit 1.
            print("Error:\n" + str(e), file=sys.stderr)
            code = 1
        else:
            print("Valid cloud-config:", path)
            code = 0
    results.append([code, out.getvalue()])
print(json.dumps(results))
