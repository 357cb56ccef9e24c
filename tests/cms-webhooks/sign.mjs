// Signs a webhook request with the vendor's own npm package, for the Rust tests:
//   node sign.mjs '{"kind": "sanity", "secret": "…", "body": "…", "timestamp": 1700000000000}'
//   node sign.mjs '{"kind": "contentful", "secret": "<64 chars>", "method": "POST",
//                   "path": "/api/webhooks/contentful", "headers": {…}, "body": "…",
//                   "timestamp": 1700000000000}'
// prints the headers to add, as JSON.
import { encodeSignatureHeader, SIGNATURE_HEADER_NAME } from "@sanity/webhook";
import { signRequest } from "@contentful/node-apps-toolkit";

const input = JSON.parse(process.argv[2]);
let headers;
if (input.kind === "sanity") {
  headers = {
    [SIGNATURE_HEADER_NAME]: await encodeSignatureHeader(input.body, input.timestamp, input.secret),
  };
} else if (input.kind === "contentful") {
  headers = signRequest(
    input.secret,
    { method: input.method, path: input.path, headers: input.headers, body: input.body },
    input.timestamp,
  );
} else {
  throw new Error(`unknown kind ${input.kind}`);
}
process.stdout.write(JSON.stringify(headers));
