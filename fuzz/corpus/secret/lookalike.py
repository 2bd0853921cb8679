# strings that look like secrets and are not
import hashlib

COUNTRIES = ["Slovakia", "Asia Pacific", "Malaysia"]
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
BASE64_BLOB = "TWFueSBoYW5kcyBtYWtlIGxpZ2h0IHdvcmsuIE1hbnkgaGFuZHMgbWFrZSBsaWdodCB3b3JrLg=="
SHORT = "ghp_short"
NPM_ENV = "npm_config_cache"
PEM_MARKER = "-----BEGIN RSA PRIVATE KEY-----"
STRIPE_TEST = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
UNSIGNED_JWT = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
JWT_IO_SAMPLE = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
AKIA_PLACEHOLDER = "AKIAXXXXXXXXXXXXXXXX"
password = get_password()
token = hashlib.sha1(b"x").hexdigest()
URL = "https://user:${PASSWORD}@api.orders.invalid/v1"


def check(pem):
    return pem.startswith(PEM_MARKER)
