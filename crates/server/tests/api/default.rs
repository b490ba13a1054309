//! `GET /`, `GET /openapi.json`, fallbacks, `pretty`, headers.

use reqwest::Method;
use serde_json::json;

use super::common::{json_of, keys, start};

#[tokio::test]
async fn api_info_has_wazuhs_fields_in_order() {
    let s = start().await;
    let t = s.token().await;
    let (status, body) = s.get("/", Some(&t)).await;
    assert_eq!(status, 200);
    assert_eq!(body["error"], 0);
    assert_eq!(
        keys(&body["data"]),
        [
            "title",
            "api_version",
            "revision",
            "license_name",
            "license_url",
            "hostname",
            "timestamp"
        ]
    );
    assert_eq!(body["data"]["title"], "Wazuh API REST");
    assert_eq!(body["data"]["api_version"], "4.14.7");
    let ts = body["data"]["timestamp"].as_str().expect("timestamp");
    assert!(ts.ends_with('Z') && ts.len() == 20, "{ts}");
}

#[tokio::test]
async fn pretty_uses_three_space_indent_even_on_errors() {
    let s = start().await;
    let t = s.token().await;
    let text = s
        .call(Method::GET, "/?pretty=true", Some(&t))
        .await
        .text()
        .await
        .expect("body");
    assert!(text.starts_with("{\n   \"data\": {\n      \"title\""), "{text}");
    let resp = s.call(Method::GET, "/?pretty=maybe", Some(&t)).await;
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn unknown_parameters_and_bad_values_are_400_naming_them() {
    let s = start().await;
    let t = s.token().await;
    let (status, body) = s.get("/?foo=1&bar=2", Some(&t)).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"title": "Bad Request", "detail": "Extra query parameter(s) foo, bar not in spec"})
    );
    let (status, body) = s.get("/?pretty=maybe", Some(&t)).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["detail"],
        "'maybe' is not of type 'boolean'. Failed validating 'type' in schema: {'default': False, 'type': 'boolean'}. \
         On instance: 'maybe' - 'pretty'"
    );
}

#[tokio::test]
async fn unknown_path_and_method_answer_like_wazuh_before_auth() {
    let s = start().await;
    let (status, body) = s.get("/nope", None).await;
    assert_eq!(
        (status, body),
        (404, json!({"title": "Not Found", "detail": "404: Not Found"}))
    );
    let (status, body) = json_of(s.call(Method::PATCH, "/", None).await).await;
    assert_eq!(
        (status, body),
        (
            405,
            json!({"title": "Method Not Allowed", "detail": "405: Method Not Allowed"})
        )
    );
}

#[tokio::test]
async fn error_bodies_are_problem_json_and_security_headers_are_set() {
    let s = start().await;
    let resp = s.call(Method::GET, "/", None).await;
    assert_eq!(
        resp.headers()["content-type"],
        "application/problem+json; charset=utf-8"
    );
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(resp.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn openapi_document_lists_exactly_the_served_routes() {
    let s = start().await;
    let (status, doc) = s.get("/openapi.json", None).await;
    assert_eq!(status, 200, "served without a token");
    let mut in_doc: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in ["get", "post", "put", "delete"] {
            if item.get(m).is_some() {
                in_doc.push((m.to_uppercase(), path.clone()));
            }
        }
    }
    let mut served: Vec<(String, String)> = oxsec_server::api::routes()
        .served()
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    in_doc.sort();
    served.sort();
    served.dedup();
    assert_eq!(in_doc, served);
    assert_eq!(doc["paths"]["/openapi.json"]["get"]["x-oxsec-extension"], true);
    assert!(doc["paths"]["/"]["get"].get("x-oxsec-extension").is_none());
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let s = start_with_small_uploads().await;
    let t = s.token().await;
    let resp = s
        .client
        .post(format!("{}/", s.base))
        .bearer_auth(&t)
        .body(vec![b'x'; 2048])
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 413);
}

async fn start_with_small_uploads() -> super::common::TestServer {
    super::common::start_with(&[("OXSEC_MAX_UPLOAD_SIZE", "1024")]).await
}

#[tokio::test]
async fn plain_http_when_https_is_disabled() {
    let s = super::common::start_with(&[("OXSEC_HTTPS__ENABLED", "no")]).await;
    assert!(s.base.starts_with("http://"));
    let t = s.token().await;
    assert_eq!(s.get("/", Some(&t)).await.0, 200);
}

#[tokio::test]
async fn cors_headers_follow_the_configuration() {
    let s = super::common::start_with(&[
        ("OXSEC_CORS__ENABLED", "yes"),
        ("OXSEC_CORS__SOURCE_ROUTE", "https://ui.example"),
    ])
    .await;
    let resp = s
        .client
        .get(format!("{}/", s.base))
        .header("origin", "https://ui.example")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.headers()["access-control-allow-origin"], "https://ui.example");
    let resp = s
        .client
        .get(format!("{}/", s.base))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("send");
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let resp = s
        .client
        .request(Method::OPTIONS, format!("{}/agents", s.base))
        .header("origin", "https://ui.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .expect("preflight");
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("access-control-allow-methods").is_some());
}
