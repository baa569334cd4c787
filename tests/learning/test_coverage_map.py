"""docs/coverage/backend.yaml: every concept of the backend field has a published home in content/."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COVERAGE = ROOT / "docs" / "coverage" / "backend.yaml"
TOPICS = ROOT / "content" / "topics.yaml"


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_every_concept_of_the_backend_roadmap_is_listed_once_in_order():
    entries = load(COVERAGE)
    assert len(entries) == 137  # the roadmap's nodes of type "topic" and "subtopic"
    assert entries[0]["concept"] == "Internet"
    assert entries[-1]["concept"] == "Observability"
    for entry in entries:
        assert set(entry) <= {"concept", "topic", "section"}, entry
        assert entry["concept"], entry
        assert entry["topic"], entry


def test_every_concept_maps_to_a_published_topic_and_an_existing_section():
    topics = {topic["slug"]: topic for topic in load(TOPICS)}
    for entry in load(COVERAGE):
        topic = topics.get(entry["topic"])
        assert topic is not None, entry
        assert topic.get("published", True), entry
        if "section" in entry:
            assert f"#### {entry['section']}\n" in topic.get("body", ""), entry
