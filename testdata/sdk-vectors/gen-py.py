"""Prints signed URLs made by botocore's CloudFrontSigner (Python), as JSON
lines, for keys/sdkvectors_test.go. Run by regen.sh; see README.md."""
import datetime
import json
import sys

import botocore
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

keys = sys.argv[1]


def load(name):
    with open(f"{keys}/{name}", "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


rsa_key, ec_key = load("rsa-a.pem"), load("ec-a.pem")
signers = [
    ("rsa-sha1", "KTESTRSAA", lambda m: rsa_key.sign(m, padding.PKCS1v15(), hashes.SHA1())),
    ("ecdsa-sha1", "KTESTECA", lambda m: ec_key.sign(m, ec.ECDSA(hashes.SHA1()))),
]
expires = datetime.datetime.fromtimestamp(2000000000, tz=datetime.timezone.utc)
start = datetime.datetime.fromtimestamp(1800000000, tz=datetime.timezone.utc)
sdk = f"botocore@{botocore.__version__}"
for name, kid, fn in signers:
    s = CloudFrontSigner(kid, fn)
    for url in ["http://d.test/private/a.mp4", "http://d.test/private/a.txt?x=1&y=%20"]:
        signed = s.generate_presigned_url(url, date_less_than=expires)
        print(json.dumps({"sdk": sdk, "name": f"{name} canned url {url}", "kind": "url", "url": signed}))
    policy = s.build_policy("http://d.test/private/*", expires, date_greater_than=start, ip_address="127.0.0.1/32")
    signed = s.generate_presigned_url("http://d.test/private/a.mp4", policy=policy)
    print(json.dumps({"sdk": sdk, "name": f"{name} custom url", "kind": "url", "url": signed}))
