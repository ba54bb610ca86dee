"""The typed document survives its JSON form: what ingest writes, later stages read back."""

import json

from pipeline.model import Deadline, Document, Locality


def test_every_seed_round_trips_through_json(seed_docs):
    for key, doc in seed_docs.items():
        back = Document.from_json(json.loads(json.dumps(doc.to_json(), ensure_ascii=False)))
        assert back == doc, key


def test_nested_objects_come_back_typed(seed_docs):
    back = Document.from_json(seed_docs["004"].to_json())
    assert isinstance(back.document.locality, Locality)
    assert back.document.locality.name == "Quảng Ninh"
    assert all(isinstance(t.deadline, Deadline) for t in back.tasks if t.deadline is not None)


def test_unknown_keys_from_a_newer_version_are_ignored(seed_docs):
    data = seed_docs["003"].to_json()
    data["document"]["added_later"] = 1
    data["tasks"][0]["added_later"] = "x"
    back = Document.from_json(data)
    assert back.tasks[0].id == seed_docs["003"].tasks[0].id
