"""aws.Upload, the file the export job writes on S3 as it goes: a file larger than a part goes up in
parts and reads back whole, a small one is one PutObject, and an error leaves nothing behind."""

from __future__ import annotations

import hashlib
import os

import pytest

from chalicelib.aws import PART_BYTES, Upload, s3
from chalicelib.config import settings
from tests.support.counting import resources_touched


def read(key: str) -> bytes:
    return bytes(s3().get_object(Bucket=settings().exports_bucket, Key=key)["Body"].read())


def test_a_file_larger_than_a_part_goes_up_in_parts_and_reads_back_whole(aws: None) -> None:
    data = os.urandom(PART_BYTES * 2 + 12345)
    with resources_touched() as touched, Upload(settings().exports_bucket, "big") as upload:
        for start in range(0, len(data), 1_000_000):  # written in pieces, as pyarrow writes
            upload.write(data[start : start + 1_000_000])
    assert read("big") == data
    assert (upload.size, upload.sha256.hexdigest()) == (len(data), hashlib.sha256(data).hexdigest())
    operations = [call.split()[1] for call in touched["buckets"]]
    assert set(operations) == {"CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}


def test_a_small_file_is_one_put(aws: None) -> None:
    with resources_touched() as touched, Upload(settings().exports_bucket, "small") as upload:
        upload.write(b"manifest")
    assert read("small") == b"manifest"
    assert {call.split()[1] for call in touched["buckets"]} == {"PutObject"}


def test_an_error_while_writing_leaves_no_file_and_no_parts(aws: None) -> None:
    bucket = settings().exports_bucket
    with pytest.raises(RuntimeError), Upload(bucket, "broken") as upload:
        upload.write(os.urandom(PART_BYTES + 1))  # one part went up
        raise RuntimeError("the job failed halfway")
    assert "Contents" not in s3().list_objects_v2(Bucket=bucket, Prefix="broken")
    assert not s3().list_multipart_uploads(Bucket=bucket).get("Uploads")
