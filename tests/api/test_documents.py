"""Document uploads: by content not name, size-limited, stored by hash, served by permission."""

import io
import zipfile

from tests.api.test_meetings import _meeting, hcp  # noqa: F401 (fixture)

# A real one-page PDF (uploads count a PDF's pages, and refuse one that cannot be read).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
       b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
       b"startxref\n164\n%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _upload(client, meeting_id, headers, content, name, **fields):
    return client.post(f"/api/v1/meetings/{meeting_id}/documents", headers=headers,
                       files={"file": (name, content, "application/octet-stream")},
                       data={k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()})


def test_upload_download_and_types_by_content(client, hcp, settings):  # noqa: F811
    group, people = hcp
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    r = _upload(client, meeting["id"], sec, PDF, "../../etc/Meeting pack.pdf", title="January meeting pack")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["content_type"] == "application/pdf" and doc["filename"] == "Meeting pack.pdf"
    assert doc["size"] == len(PDF) and len(doc["sha256"]) == 64
    stored = settings.storage_dir / doc["sha256"][:2] / doc["sha256"][2:4] / doc["sha256"]
    assert stored.read_bytes() == PDF

    download = client.get(f"/api/v1/documents/{doc['id']}/content", headers=people["outsider"][1])
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "Meeting%20pack.pdf" in disposition
    assert download.headers["x-content-type-options"] == "nosniff"

    same = _upload(client, meeting["id"], sec, PDF, "copy.pdf").json()
    assert same["sha256"] == doc["sha256"]  # stored once
    assert _upload(client, meeting["id"], sec, _docx(), "paper.docx").json()["content_type"].endswith(
        "wordprocessingml.document")
    assert _upload(client, meeting["id"], sec, PNG, "chart.png").json()["content_type"] == "image/png"
    assert _upload(client, meeting["id"], sec, b"name,count\r\nA,1\r\n", "data.csv").json()[
        "content_type"] == "text/csv"
    hits = client.get("/api/v1/search", params={"q": "january pack"}, headers=sec).json()["items"]
    assert [h["kind"] for h in hits] == ["document"]


def test_disguised_oversized_and_empty_uploads_are_refused(client, hcp, settings, app):  # noqa: F811
    group, people = hcp
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    for content, name in [(b"MZ\x90\x00 an executable", "report.pdf"), (b"<html><script>x</script>,\n", "a.csv"),
                          (b"PK\x03\x04 not really a zip", "paper.docx"), (b"\x00\x01\x02", "data.csv")]:
        r = _upload(client, meeting["id"], sec, content, name)
        assert r.status_code == 415, (name, r.status_code)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert _upload(client, meeting["id"], sec, b"", "empty.pdf").status_code == 422
    app.state.settings.max_upload_mb = 1
    try:
        big = _upload(client, meeting["id"], sec, PDF + b"0" * (1024 * 1024), "big.pdf")
        assert big.status_code == 413
    finally:
        app.state.settings.max_upload_mb = 25
    assert client.get(f"/api/v1/meetings/{meeting['id']}/documents", headers=sec).json()["items"] == []
    temporary = settings.storage_dir / "tmp"
    assert not temporary.exists() or list(temporary.iterdir()) == []  # nothing half-written is left
    assert _upload(client, meeting["id"], people["member"][1], PDF, "x.pdf").status_code == 403
    assert _upload(client, meeting["id"], sec, PDF, "x.pdf", agenda_item_id=987654).status_code == 422


def test_confidential_documents_are_for_members_only(client, hcp):  # noqa: F811
    group, people = hcp
    sec = people["secretary"][1]
    meeting = _meeting(client, group.id, sec)
    item = client.post(f"/api/v1/meetings/{meeting['id']}/agenda-items", json={"title": "Contract",
                                                                              "confidential": True},
                       headers=sec).json()
    doc = _upload(client, meeting["id"], sec, PDF, "contract.pdf", agenda_item_id=item["id"]).json()
    assert doc["confidential"] is True  # inherited from its agenda item
    for who, status in [("member", 200), ("observer", 404), ("outsider", 404)]:
        headers = people[who][1]
        assert client.get(f"/api/v1/documents/{doc['id']}/content", headers=headers).status_code == status, who
        assert client.get(f"/api/v1/documents/{doc['id']}", headers=headers).status_code == status, who
        listed = client.get(f"/api/v1/meetings/{meeting['id']}/documents", headers=headers).json()["items"]
        assert (len(listed) == 1) is (status == 200)
