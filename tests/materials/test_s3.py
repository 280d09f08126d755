"""The S3 store against a local S3-compatible server: moto's server, started on a free port of
this machine and spoken to over HTTP by boto3, as a real bucket would be. The same round trip
as the local store: upload, download, delete, a rollback, the purge."""

import socket
import uuid
from io import BytesIO

import pytest
from sqlalchemy import select

from eventapp.materials import services
from eventapp.materials.models import Material
from tests.conftest import get_csrf
from tests.materials import samples
from tests.materials.conftest import count, stored_files, upload


@pytest.fixture(scope="module")
def s3_endpoint():
    server_module = pytest.importorskip("moto.server", reason="moto[server] is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(app, s3_endpoint):
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-north-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    # A bucket of its own per test: moto keeps its buckets while the server runs.
    bucket = f"eventapp-materials-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={
        "LocationConstraint": "eu-north-1"})
    app.config.update(MATERIALS_STORAGE="s3", MATERIALS_S3_BUCKET=bucket,
                      MATERIALS_S3_ENDPOINT_URL=s3_endpoint, MATERIALS_S3_REGION="eu-north-1",
                      MATERIALS_S3_ACCESS_KEY_ID="test", MATERIALS_S3_SECRET_ACCESS_KEY="test")
    client.bucket = bucket
    return client


def objects(client) -> dict[str, bytes]:
    bucket = client.bucket
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: client.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def test_upload_download_and_delete_through_the_bucket(db, world, as_user, item, s3, store_dir):
    g = world["gathering"]
    host = as_user(world["host"])
    assert upload(host, g, samples.pdf(), "lysbilder.pdf", item=item).status_code == 302
    assert upload(host, g, samples.office("pptx"), "presentasjon.pptx",
                  item=item).status_code == 302
    slide, deck = db.session.scalars(select(Material).order_by(Material.id)).all()
    assert objects(s3) == {f"materials/{slide.storage_key}": samples.pdf(),
                           f"materials/{deck.storage_key}": samples.office("pptx")}
    head = s3.head_object(Bucket=s3.bucket, Key=f"materials/{slide.storage_key}")
    assert head["ContentType"] == "application/pdf"
    assert stored_files(store_dir) == []  # nothing in the local folder

    got = host.get(f"/gatherings/{g.id}/materials/{deck.id}")
    assert got.status_code == 200 and got.data == samples.office("pptx")
    assert got.headers["Content-Disposition"].startswith(
        'attachment; filename="presentasjon.pptx"')
    assert got.headers["X-Content-Type-Options"] == "nosniff"

    # Refused files never reach the bucket.
    refused = upload(host, g, samples.exe(), "virus.pdf", item=item)
    assert refused.status_code == 422 and len(objects(s3)) == 2

    url = f"/gatherings/{g.id}/materials/{slide.id}/delete"
    assert host.post(url, data={"csrf_token": get_csrf(host, url),
                                "confirmed": "1"}).status_code == 302
    assert list(objects(s3)) == [f"materials/{deck.storage_key}"]
    assert count(db) == 1


def test_a_rollback_removes_the_object_and_a_participant_downloads_from_the_bucket(
        db, world, item, s3):
    from flask import current_app

    from tests.materials.conftest import add_person

    g, host = world["gathering"], world["host"]
    services.add_slides(g, host, item.id, services.FileData(BytesIO(samples.pdf()), "a.pdf"))
    assert len(objects(s3)) == 1
    db.session.rollback()
    assert objects(s3) == {} and count(db) == 0

    kept = services.add_slides(g, host, item.id, services.FileData(BytesIO(samples.png()),
                                                                   "tavle.png"))
    db.session.commit()
    person = add_person(db, g)
    got = current_app.test_client().get(f"/registration/{person.manage_token}/materials/"
                                        f"{kept.id}")
    assert got.status_code == 200 and got.data == samples.png()


def test_the_purge_removes_personal_objects_only(db, world, item, s3):
    g, host = world["gathering"], world["host"]
    public = services.add_slides(g, host, item.id, services.FileData(
        BytesIO(samples.pdf()), "lysbilder.pdf"))
    services.add_note(g, host, "notes", services.FileData(
        BytesIO(samples.office("docx")), "deltakere.docx", personal_data=True))
    db.session.commit()
    assert len(objects(s3)) == 2
    assert services.purge_personal(g) == 1
    db.session.commit()
    assert list(objects(s3)) == [f"materials/{public.storage_key}"]
    assert [m.filename for m in db.session.scalars(select(Material))] == ["lysbilder.pdf"]
