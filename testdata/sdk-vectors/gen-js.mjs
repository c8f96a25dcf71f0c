// Prints signed URLs and cookies made by AWS's JavaScript CloudFront signer
// (@aws-sdk/cloudfront-signer), as JSON lines, for keys/sdkvectors_test.go.
// Run by regen.sh; see README.md.
import { readFileSync } from "node:fs";
import { getSignedUrl, getSignedCookies } from "@aws-sdk/cloudfront-signer";

const keys = process.argv[2];
const rsa = readFileSync(`${keys}/rsa-a.pem`, "utf8");
const ec = readFileSync(`${keys}/ec-a.pem`, "utf8");
const expires = new Date(2000000000 * 1000);
const start = new Date(1800000000 * 1000);
const out = (v) => console.log(JSON.stringify({ sdk: "@aws-sdk/cloudfront-signer@3.1166.0", ...v }));

const signers = [
  { key: "KTESTRSAA", pem: rsa, alg: undefined, name: "rsa-sha1" },
  { key: "KTESTRSAA", pem: rsa, alg: "SHA256", name: "rsa-sha256" },
  { key: "KTESTECA", pem: ec, alg: "SHA256", name: "ecdsa-sha256" },
];
const urls = [
  "http://d.test/private/a.mp4",
  "http://d.test/private/a b+c;d@e:f.txt?x=1&flag",
];
for (const s of signers) {
  const cred = { keyPairId: s.key, privateKey: s.pem, ...(s.alg ? { algorithm: s.alg } : {}) };
  for (const url of urls) {
    out({ name: `${s.name} canned url ${url}`, kind: "url", url: getSignedUrl({ ...cred, url, dateLessThan: expires }) });
  }
  out({
    name: `${s.name} custom url`, kind: "url",
    url: getSignedUrl({ ...cred, url: urls[0], dateLessThan: expires, dateGreaterThan: start, ipAddress: "127.0.0.0/8" }),
  });
  const policy = JSON.stringify({ Statement: [{ Resource: "http://d.test/private/*", Condition: { DateLessThan: { "AWS:EpochTime": 2000000000 } } }] });
  out({ name: `${s.name} policy url`, kind: "url", url: getSignedUrl({ ...cred, url: urls[0], policy }) });
  const canned = getSignedCookies({ ...cred, url: urls[0], dateLessThan: expires });
  out({ name: `${s.name} canned cookies`, kind: "cookie", url: urls[0], cookies: canned });
  const custom = getSignedCookies({ ...cred, policy });
  out({ name: `${s.name} custom cookies`, kind: "cookie", url: urls[0], cookies: custom });
}
