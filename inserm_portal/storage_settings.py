"""Where attachments and generated files live (issue 20): the settings of an S3-compatible bucket,
read from STORAGE_URL or from the usual AWS_* variables; none of them set, the local disk.

STORAGE_URL reads `s3://BUCKET?endpoint_url=http://127.0.0.1:9000&region=eu-west-3`; an access key
may ride in it (`s3://KEY:SECRET@BUCKET?...`), otherwise boto3 finds AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY as usual. The bucket is never public: objects are private and every link is
signed, for STORAGE_URL_EXPIRY_SECONDS."""

from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"

#: Seconds before a dependency counts as down: an upload fails fast rather than hanging a worker.
CONNECT_TIMEOUT = 2
READ_TIMEOUT = 10


def s3_options(environ, expiry_seconds, storage_url=None):
    """The OPTIONS of S3Storage, or None when no bucket is named (the local disk is used then)."""
    storage_url = storage_url if storage_url is not None else environ.get("STORAGE_URL", "")
    if storage_url:
        parts = urlsplit(storage_url)
        credentials, _, bucket = parts.netloc.rpartition("@")
        if parts.scheme != "s3" or not bucket:
            raise ImproperlyConfigured("STORAGE_URL reads s3://BUCKET?endpoint_url=...&region=...")
        query = dict(parse_qsl(parts.query))
        key, _, secret = credentials.partition(":")
        options = {
            "bucket_name": bucket,
            "endpoint_url": query.get("endpoint_url") or None,
            "region_name": query.get("region") or query.get("region_name") or None,
        }
        if key:
            options.update(access_key=unquote(key), secret_key=unquote(secret))
    elif environ.get("AWS_STORAGE_BUCKET_NAME"):
        options = {
            "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
        }
    else:
        return None
    from botocore.config import Config

    return {
        **options,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": expiry_seconds,
        "file_overwrite": False,
        # Path-style addressing: a local S3-compatible server (MinIO, moto) has no per-bucket host names.
        "client_config": Config(
            s3={"addressing_style": "path" if options["endpoint_url"] else "auto"},
            signature_version="s3v4",
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    }


def default_storage(environ, expiry_seconds):
    """STORAGES["default"]: the bucket when one is named, else the disk under MEDIA_ROOT."""
    options = s3_options(environ, expiry_seconds)
    if options is None:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
