"""The review API on a real Flask app and a real SQLite file: the contract,
the spec, the bad inputs and the conflict check."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DATA

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed_units(small_model):
    """The paragraphs of two seed articles with the small model's review scores (computed once)."""
    from dangjian.model.review_queue import review_units

    units = []
    for path in sorted((DATA / "seeds").glob("*.txt"))[:2]:
        article = small_model.text_pipeline.process(path.read_text(encoding="utf-8"))
        units += [{"text": u.text, "key": f"{path.stem}-p{u.index}", "article": path.stem, "source": "种子"}
                  for u in article.units]
    return list(zip(units, review_units(small_model, [u["text"] for u in units])))


@pytest.fixture
def review_app(small_model, seed_units, tmp_path):
    """The app with a fresh review store holding the seed articles' paragraphs."""
    from dangjian.service.app import create_app

    app = create_app({"TESTING": True, "REVIEW_DB": str(tmp_path / "review.sqlite")}, model=small_model)
    app.extensions["review_store"].add_units(seed_units)
    return app


@pytest.fixture
def review_client(review_app):
    return review_app.test_client()


def spec_validator(client, name):
    from openapi_schema_validator import OAS30Validator
    from referencing import Registry, Resource

    spec = client.get("/openapi.json").get_json()
    registry = Registry().with_resource("urn:spec", Resource.opaque(spec))
    return OAS30Validator({"$ref": f"urn:spec#/components/schemas/{name}"}, registry=registry)


def test_review_spec_lists_the_review_endpoints(review_client):
    from openapi_spec_validator import validate

    spec = review_client.get("/openapi.json").get_json()
    validate(spec)
    assert {"/v1/review", "/v1/corrections"} <= set(spec["paths"])
    assert {"get", "post"} <= set(spec["paths"]["/v1/corrections"])


def test_review_queue_contract(review_client, small_model):
    body = review_client.get("/v1/review?limit=5").get_json()
    spec_validator(review_client, "ReviewQueue").validate(body)
    units = body["units"]
    assert len(units) == 5
    assert {"id", "text", "article", "themes", "primary", "scores", "evidence"} <= set(units[0])
    assert set(units[0]["scores"]) == set(small_model.codebook.ids)
    assert [u["worth"] for u in units] == sorted((u["worth"] for u in units), reverse=True)
    assert body["progress"]["reviewed"] == 0 and body["progress"]["queued"] > 5
    theme = units[0]["themes"][0]["id"] if units[0]["themes"] else "governance"
    themed = review_client.get(f"/v1/review?limit=200&theme={theme}").get_json()["units"]
    assert themed and all(theme in u["scores"] for u in themed)
    article = units[0]["article"]
    assert {u["article"] for u in review_client.get(f"/v1/review?limit=200&article={article}").get_json()["units"]} == {article}
    assert review_client.get("/v1/review?source=没有这个来源").get_json()["units"] == []


def test_review_correction_round_trip_and_conflict(review_client):
    unit = review_client.get("/v1/review?limit=1").get_json()["units"][0]
    reply = review_client.post("/v1/corrections", json={"unit_id": unit["id"], "labels": ["collective_economy", "governance"],
                                                        "primary": "governance", "reviewer": "王", "note": "<b>备注</b>",
                                                        "version": unit["version"]})
    assert reply.status_code == 201
    correction = reply.get_json()["correction"]
    spec_validator(review_client, "Correction").validate(correction)
    assert correction["labels"] == ["collective_economy", "governance"] and correction["version"] == 1
    assert correction["note"] == "<b>备注</b>" and correction["reviewer"] == "王"
    assert correction["prediction"]["themes"] == [t["id"] for t in unit["themes"]]
    queue = review_client.get("/v1/review?limit=200").get_json()
    assert unit["id"] not in [u["id"] for u in queue["units"]]
    assert queue["progress"]["reviewed"] == 1
    # a second reviewer working from the same version gets a 409, not an overwrite
    stale = review_client.post("/v1/corrections", json={"unit_id": unit["id"], "labels": [], "primary": None,
                                                        "reviewer": "李", "version": unit["version"]})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["error"]["code"] == "conflict" and body["current"]["version"] == 1
    assert body["current"]["correction"]["reviewer"] == "王"
    # without a version a correction is taken as made against an uncorrected unit: also a conflict here
    assert review_client.post("/v1/corrections", json={"unit_id": unit["id"], "labels": []}).status_code == 409
    listed = review_client.get("/v1/corrections").get_json()["corrections"]
    assert [(c["reviewer"], c["labels"]) for c in listed] == [("王", ["collective_economy", "governance"])]
    again = review_client.post("/v1/corrections", json={"unit_id": unit["id"], "labels": [], "version": 1})
    assert again.status_code == 201
    since = review_client.get("/v1/corrections", query_string={"since": correction["created_utc"]}).get_json()
    assert [c["id"] for c in since["corrections"]] == [again.get_json()["correction"]["id"]]


@pytest.mark.parametrize("body, status, code", [
    ({"unit_id": "UNIT", "labels": ["nonsense"], "primary": "nonsense"}, 422, "unknown_theme"),
    ({"unit_id": "UNIT", "labels": ["governance"], "primary": "organization"}, 422, "invalid_primary"),
    ({"unit_id": "UNIT", "labels": ["governance"]}, 422, "invalid_primary"),
    ({"unit_id": "UNIT", "labels": [], "primary": "governance"}, 422, "invalid_primary"),
    ({"unit_id": "UNIT", "labels": "governance", "primary": "governance"}, 422, "invalid_labels"),
    ({"unit_id": 987654, "labels": []}, 404, "unknown_unit"),
    ({"unit_id": "7", "labels": []}, 422, "invalid_unit_id"),
    ({"unit_id": True, "labels": []}, 422, "invalid_unit_id"),
    ({"labels": []}, 422, "missing_unit_id"),
    ({"unit_id": "UNIT"}, 422, "missing_labels"),
    ({"unit_id": "UNIT", "labels": [], "version": -1}, 422, "invalid_version"),
    ({"unit_id": "UNIT", "labels": [], "version": "0"}, 422, "invalid_version"),
    ({"unit_id": "UNIT", "labels": [], "reviewer": 5}, 422, "invalid_reviewer"),
    ({"unit_id": "UNIT", "labels": [], "note": "长" * 2001}, 422, "invalid_note"),
    ({"unit_id": "UNIT", "labels": [], "extra": 1}, 422, "unknown_field"),
    ([1, 2], 422, "invalid_body"),
])
def test_review_correction_bad_inputs(review_client, body, status, code):
    unit_id = review_client.get("/v1/review?limit=1").get_json()["units"][0]["id"]
    if isinstance(body, dict) and body.get("unit_id") == "UNIT":
        body = dict(body, unit_id=unit_id)
    reply = review_client.post("/v1/corrections", json=body)
    assert reply.status_code == status
    assert reply.get_json()["error"]["code"] == code
    assert review_client.get("/v1/corrections").get_json()["corrections"] == []


@pytest.mark.parametrize("query, code", [
    ("theme=nonsense", "unknown_theme"), ("limit=0", "invalid_limit"), ("limit=abc", "invalid_limit"),
    ("limit=100000", "invalid_limit"),
])
def test_review_queue_bad_inputs(review_client, query, code):
    reply = review_client.get(f"/v1/review?{query}")
    assert reply.status_code == 422 and reply.get_json()["error"]["code"] == code


def test_review_corrections_bad_since(review_client):
    reply = review_client.get("/v1/corrections?since=yesterday")
    assert reply.status_code == 422 and reply.get_json()["error"]["code"] == "invalid_since"


def test_review_post_needs_json(review_client):
    reply = review_client.post("/v1/corrections", data="unit_id=1", content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 415


def test_review_endpoints_without_a_store_answer_503(client):
    for reply in (client.get("/v1/review"), client.get("/v1/corrections"),
                  client.post("/v1/corrections", json={"unit_id": 1, "labels": []})):
        assert reply.status_code == 503
        assert reply.get_json()["error"]["code"] == "review_store_unavailable"


def test_review_page_is_served_and_linked(review_client):
    page = review_client.get("/review")
    assert page.status_code == 200 and "复核" in page.get_data(as_text=True)
    assert 'href="/review"' in review_client.get("/").get_data(as_text=True)


@pytest.fixture(scope="module")
def shared_review_client(small_model, seed_units, tmp_path_factory):
    """One app and store for the fuzz test's many examples."""
    from dangjian.service.app import create_app

    app = create_app({"TESTING": True, "REVIEW_DB": str(tmp_path_factory.mktemp("fuzz") / "review.sqlite")},
                     model=small_model)
    app.extensions["review_store"].add_units(seed_units)
    return app.test_client()


correction_values = st.one_of(st.none(), st.booleans(), st.integers(-3, 40), st.text(max_size=12),
                              st.lists(st.sampled_from(["governance", "organization", "collective_economy", "x", ""]),
                                       max_size=4))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(["unit_id", "labels", "primary", "reviewer", "note", "version", "other"]),
                            correction_values, max_size=7))
def test_review_fuzz_corrections_never_give_5xx(shared_review_client, body):
    reply = shared_review_client.post("/v1/corrections", json=body)
    assert reply.status_code in (201, 404, 409, 422)
    data = reply.get_json()
    if reply.status_code == 201:
        assert set(data["correction"]["labels"]) <= {"governance", "organization", "collective_economy"}
    else:
        assert set(data["error"]) == {"code", "message"}
