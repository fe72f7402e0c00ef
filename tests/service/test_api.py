import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SEEDS

pytestmark = pytest.mark.slow

SEED_TEXT = SEEDS[4].read_text(encoding="utf-8")
ERROR_KEYS = {"code", "message"}


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_classify_returns_paragraphs_with_themes(client, small_model):
    r = client.post("/v1/classify", json={"text": SEED_TEXT, "title": "博山区农村基层党建"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["model"] == small_model.version
    assert body["article"]["title"] == "博山区农村基层党建"
    assert {"id", "name", "share"} <= set(body["article"]["themes"][0])
    p = body["paragraphs"][0]
    assert {"index", "heading", "text", "start", "end", "themes", "primary", "evidence", "topics"} <= set(p)
    assert any(p["themes"] for p in body["paragraphs"])
    assert "互学共促谋发展" in [p["heading"] for p in body["paragraphs"]]


def test_classify_a_single_short_paragraph(client):
    text = "村党支部领办土地股份合作社，发展特色种植产业，村集体经济收入增加到38万元。"
    body = client.post("/v1/classify", json={"text": text}).get_json()
    assert [p["text"] for p in body["paragraphs"]] == [text]
    docs = client.post("/v1/classify/batch", json={"documents": [
        {"id": "a", "text": "开展党员冬训，组织农村党员集中学习培训。"},
        {"id": "b", "text": "网格员走访群众，化解矛盾纠纷。"}]}).get_json()["documents"]
    assert [len(d["paragraphs"]) for d in docs] == [1, 1]


def test_classify_matches_the_library(client, small_model):
    body = client.post("/v1/classify", json={"text": SEED_TEXT}).get_json()
    direct = small_model.predict_article(SEED_TEXT).to_dict()
    assert body["paragraphs"] == direct["paragraphs"]
    assert body["article"] == direct["article"]


def test_openapi_schemas_match_the_result_type(client):
    """The spec's Paragraph and Article are exactly the fields of the one result type."""
    from dataclasses import fields

    from dangjian.model.results import ARTICLE_FIELDS, ParagraphLabels

    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    assert set(schemas["Paragraph"]["properties"]) == {f.name for f in fields(ParagraphLabels)}
    assert set(schemas["Paragraph"]["required"]) == {f.name for f in fields(ParagraphLabels)}
    assert set(schemas["Article"]["properties"]) == set(ARTICLE_FIELDS)


def test_classify_batch(client):
    docs = [{"id": "a", "text": SEED_TEXT}, {"id": 7, "text": SEEDS[1].read_text(encoding="utf-8"), "title": "t"}]
    r = client.post("/v1/classify/batch", json={"documents": docs})
    assert r.status_code == 200
    out = r.get_json()["documents"]
    assert [d["id"] for d in out] == ["a", "7"]
    assert out[1]["article"]["title"] == "t"
    single = client.post("/v1/classify", json={"text": SEED_TEXT}).get_json()
    assert out[0]["paragraphs"] == single["paragraphs"]


def test_themes_topics_model_healthz(client, small_model):
    themes = client.get("/v1/themes").get_json()["themes"]
    assert [t["id"] for t in themes] == small_model.codebook.ids
    assert themes[0]["keywords"] and themes[0]["name"] == "教育培训"
    topics = client.get("/v1/topics").get_json()["topics"]
    assert len(topics) == small_model.classifier.topic_model_.n_topics_
    assert topics[0]["theme"] == "cadre_training" and topics[-1]["theme"] == "residual"
    card = client.get("/v1/model").get_json()
    assert card["model_version"] == small_model.version
    assert "heldout" in card["metrics"] and card["limits"]["max_chars_per_doc"] == 20_000
    assert client.get("/healthz").get_json() == {"status": "ok", "model": small_model.version}


def test_openapi_spec_is_valid(client):
    from openapi_spec_validator import validate

    spec = client.get("/openapi.json").get_json()
    validate(spec)
    assert {"/v1/classify", "/v1/classify/batch", "/v1/themes", "/v1/topics", "/v1/model", "/healthz",
            "/openapi.json"} <= set(spec["paths"])


def test_classify_response_matches_the_spec(client):
    from openapi_schema_validator import OAS30Validator
    from referencing import Registry, Resource

    spec = client.get("/openapi.json").get_json()
    registry = Registry().with_resource("urn:spec", Resource.opaque(spec))
    for path, body, name in (("/v1/classify", {"text": SEED_TEXT}, "ClassifyResponse"),
                             ("/v1/classify/batch", {"documents": [{"id": "x", "text": SEED_TEXT}]}, "BatchResponse")):
        schema = {"$ref": f"urn:spec#/components/schemas/{name}"}
        OAS30Validator(schema, registry=registry).validate(client.post(path, json=body).get_json())


@pytest.mark.parametrize(
    "kwargs, status, code",
    [
        (dict(data="{not json", content_type="application/json"), 400, "invalid_json"),
        (dict(data={"text": "abc"}), 415, "unsupported_media_type"),  # a form body
        (dict(data="text=abc", content_type="text/plain"), 415, "unsupported_media_type"),
        (dict(json=["text"]), 422, "invalid_body"),
        (dict(json="just a string"), 422, "invalid_body"),
        (dict(json={}), 422, "missing_text"),
        (dict(json={"title": "x"}), 422, "missing_text"),
        (dict(json={"text": ""}), 422, "empty_text"),
        (dict(json={"text": "   \n "}), 422, "empty_text"),
        (dict(json={"text": 42}), 422, "invalid_text"),
        (dict(json={"text": ["a"]}), 422, "invalid_text"),
        (dict(json={"text": None}), 422, "invalid_text"),
        (dict(json={"text": "党建", "title": 5}), 422, "invalid_title"),
        (dict(json={"text": "党建", "colour": "red"}), 422, "unknown_field"),
        (dict(data=b'{"text": "\xff\xfe\xfa"}', content_type="application/json"), 400, "invalid_encoding"),
        (dict(json={"text": "党" * 20_001}), 413, "text_too_long"),
    ],
)
def test_classify_bad_input(client, kwargs, status, code):
    assert_error(client.post("/v1/classify", **kwargs), status, code)


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({}, 422, "missing_documents"),
        ({"documents": "x"}, 422, "invalid_documents"),
        ({"documents": []}, 422, "empty_documents"),
        ({"documents": [{"id": str(i), "text": "党建"} for i in range(6)]}, 413, "too_many_documents"),
        ({"documents": [{"id": "a"}]}, 422, "missing_text"),
        ({"documents": [{"text": "党建"}]}, 422, "missing_id"),
        ({"documents": [{"id": "a", "text": ""}]}, 422, "empty_text"),
        ({"documents": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}, 422, "duplicate_id"),
        ({"documents": ["text"]}, 422, "invalid_document"),
        ({"documents": [{"id": {"x": 1}, "text": "党建"}]}, 422, "invalid_id"),
    ],
)
def test_batch_bad_input(client, body, status, code):
    error = assert_error(client.post("/v1/classify/batch", json=body), status, code)
    assert error["message"]


def test_batch_error_names_the_document(client):
    error = assert_error(client.post("/v1/classify/batch", json={"documents": [{"id": "a", "text": "党建"}, {"id": "b"}]}),
                         422, "missing_text")
    assert "documents[1]" in error["message"]


def test_body_over_limit_is_refused_before_parsing(client):
    big = b'{"text": "' + b"a" * (600 * 1024) + b'"}'
    assert_error(client.post("/v1/classify", data=big, content_type="application/json"), 413, "request_too_large")


def test_unknown_route_and_method_are_json(client):
    assert_error(client.get("/v1/nope"), 404, "not_found")
    r = client.get("/v1/classify")
    assert_error(r, 405, "method_not_allowed")
    assert "POST" in r.headers["Allow"]
    assert_error(client.delete("/v1/themes"), 405, "method_not_allowed")


# text with lone surrogates too (hypothesis leaves category Cs out by default)
any_text = st.text(st.characters(exclude_categories=()), max_size=50)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
request_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"text": json_values}, optional={"title": json_values, "id": json_values}),
    st.fixed_dictionaries({"text": st.text(min_size=1, max_size=300)}, optional={"title": st.text(max_size=20)}),
    st.fixed_dictionaries({"documents": st.lists(
        st.fixed_dictionaries({"id": st.text(max_size=5) | st.integers(), "text": st.text(max_size=200)},
                              optional={"title": json_values}), max_size=7)}),
    st.fixed_dictionaries({"documents": json_values}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=request_bodies, path=st.sampled_from(["/v1/classify", "/v1/classify/batch"]))
def test_fuzz_json_bodies_never_give_5xx(client, body, path):
    r = client.post(path, data=json.dumps(body), content_type="application/json")
    assert r.status_code < 500
    assert r.mimetype == "application/json"
    if r.status_code >= 400:
        assert set(r.get_json()["error"]) == ERROR_KEYS


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(min_value=500, max_value=80_000), opener=st.sampled_from(["[", '{"a":']),
       path=st.sampled_from(["/v1/classify", "/v1/classify/batch"]))
def test_fuzz_deep_nesting_is_a_400(client, depth, opener, path):
    closer = "]" if opener == "[" else "}"
    r = client.post(path, data=opener * depth + closer * depth, content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_json"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=request_bodies, path=st.sampled_from(["/v1/classify", "/v1/classify/batch"]),
       extra=st.integers(min_value=0, max_value=1))
def test_fuzz_chunked_bodies_never_give_5xx(client, app, body, path, extra):
    """The same bodies sent without a Content-Length, as a chunked request
    reaches the app (the server has de-chunked it and says the stream ends);
    ``extra`` pads some of them over the body limit."""
    import io

    data = json.dumps(body).encode()
    if extra:
        data += b" " * app.config["MAX_CONTENT_LENGTH"]
    r = client.post(path, input_stream=io.BytesIO(data), content_type="application/json",
                    headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert r.status_code < 500
    assert r.mimetype == "application/json"
    if extra:
        assert r.status_code == 413


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300), content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
def test_fuzz_raw_bytes_never_give_5xx(client, raw, content_type):
    r = client.post("/v1/classify", data=raw, content_type=content_type)
    assert r.status_code < 500
    assert r.mimetype == "application/json"


def test_create_app_without_model_says_how_to_train(tmp_path):
    from dangjian.model.errors import ArtifactError
    from dangjian.service.app import create_app

    with pytest.raises(ArtifactError, match="dangjian train"):
        create_app({"MODEL_DIR": str(tmp_path / "none")})


def test_serve_without_model_exits_with_message(tmp_path, capsys):
    from dangjian.service.app import main

    assert main(["--model", str(tmp_path / "none")]) == 1
    assert "dangjian train" in capsys.readouterr().err


def test_env_variable_selects_the_model(monkeypatch, small_trained):
    from dangjian.service.app import create_app

    result, _ = small_trained
    monkeypatch.setenv("DANGJIAN_MODEL", str(result.bundle))
    app = create_app()
    assert app.config["MODEL_DIR"] == str(result.bundle)
    assert app.test_client().get("/healthz").get_json()["model"] == result.bundle.name


def test_index_page_is_chinese_html(client):
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "基层党建文本主题分析" in r.get_data(as_text=True)
