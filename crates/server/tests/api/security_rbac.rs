//! RBAC enforcement and the token revocation triggers.

use reqwest::Method;
use serde_json::json;

use super::common::{grant, login, send, start, user_with_roles};

#[tokio::test]
async fn new_users_get_ids_from_100_and_weak_passwords_are_refused() {
    let s = start().await;
    let admin = s.token().await;
    assert_eq!(user_with_roles(&s, &admin, "alice", "").await, 100);
    assert_eq!(user_with_roles(&s, &admin, "bobby", "").await, 101);
    let (_, body) = send(
        &s,
        Method::POST,
        "/security/users",
        &admin,
        Some(json!({"username": "alice", "password": "Passw0rd!x"})),
    )
    .await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 5000);
    assert_eq!(body["data"]["failed_items"][0]["id"], json!(["alice"]));
    for (pw, code) in [("Sh0rt!", 5009), ("alllowercase1!", 5007), ("NoDigits!!", 5007)] {
        let (status, body) = send(
            &s,
            Method::POST,
            "/security/users",
            &admin,
            Some(json!({"username": "carol", "password": pw})),
        )
        .await;
        assert_eq!((status, body["error"].as_u64()), (400, Some(code)), "{pw}: {body}");
    }
}

#[tokio::test]
async fn a_user_without_roles_sees_nothing_and_may_do_nothing() {
    let s = start().await;
    let admin = s.token().await;
    user_with_roles(&s, &admin, "nobody", "").await;
    let t = login(&s, "nobody", "Passw0rd!x").await;
    let (status, body) = send(&s, Method::GET, "/security/users", &t, None).await;
    assert_eq!(
        (status, body["data"]["total_affected_items"].as_u64()),
        (200, Some(0)),
        "filtered, not refused"
    );
    let (status, body) = send(&s, Method::GET, "/security/users?user_ids=1", &t, None).await;
    assert_eq!((status, body["error"].as_u64()), (403, Some(4000)));
    assert_eq!(body["detail"], "Permission denied: Resource type: user:id");
    let (status, body) = send(&s, Method::GET, "/security/config", &t, None).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (403, Some("Permission denied: Resource type: *:*"))
    );
    let (status, body) = send(&s, Method::GET, "/security/users/me/policies", &t, None).await;
    assert_eq!((status, &body["data"]), (200, &json!({"rbac_mode": "white"})));
}

#[tokio::test]
async fn users_admin_role_reads_and_writes_users_readonly_does_not() {
    let s = start().await;
    let admin = s.token().await;
    user_with_roles(&s, &admin, "useradmin", "3").await; // users_admin
    user_with_roles(&s, &admin, "reader", "2").await; // readonly
    let ua = login(&s, "useradmin", "Passw0rd!x").await;
    let (status, body) = send(&s, Method::GET, "/security/users", &ua, None).await;
    assert_eq!((status, body["data"]["total_affected_items"].as_u64()), (200, Some(4)));
    let (status, _) = send(
        &s,
        Method::POST,
        "/security/users",
        &ua,
        Some(json!({"username": "made", "password": "Passw0rd!x"})),
    )
    .await;
    assert_eq!(status, 200);
    let ro = login(&s, "reader", "Passw0rd!x").await;
    let (status, _) = send(
        &s,
        Method::POST,
        "/security/users",
        &ro,
        Some(json!({"username": "nope", "password": "Passw0rd!x"})),
    )
    .await;
    assert_eq!(status, 403);
    let (_, body) = send(&s, Method::GET, "/security/users/me/policies", &ro, None).await;
    assert_eq!(
        body["data"]["agent:read"],
        json!({"agent:id:*": "allow", "agent:group:*": "allow"})
    );
    assert!(body["data"].get("agent:delete").is_none(), "readonly grants no writes");
}

#[tokio::test]
async fn password_change_role_unlink_and_config_change_revoke_tokens() {
    let s = start().await;
    let admin = s.token().await;
    let id = user_with_roles(&s, &admin, "dave", "3").await;
    let t = login(&s, "dave", "Passw0rd!x").await;
    assert_eq!(send(&s, Method::GET, "/security/users/me", &t, None).await.0, 200);

    // Password change.
    let (status, _) = send(
        &s,
        Method::PUT,
        &format!("/security/users/{id}"),
        &admin,
        Some(json!({"password": "N3w!passwd"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(send(&s, Method::GET, "/security/users/me", &t, None).await.0, 401);
    let t = login(&s, "dave", "N3w!passwd").await;
    assert_eq!(
        send(&s, Method::GET, "/security/users/me", &t, None).await.0,
        200,
        "a login right after works"
    );

    // Role unlink.
    let (status, body) = send(
        &s,
        Method::DELETE,
        &format!("/security/users/{id}/roles?role_ids=3"),
        &admin,
        None,
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (200, Some("All roles were unlinked from user dave"))
    );
    assert_eq!(send(&s, Method::GET, "/security/users/me", &t, None).await.0, 401);

    // Security config: every token, the admin's included.
    let fresh = s.token().await;
    let (status, body) = send(
        &s,
        Method::PUT,
        "/security/config",
        &fresh,
        Some(json!({"auth_token_exp_timeout": 600})),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (200, Some("Configuration was successfully updated"))
    );
    assert_eq!(send(&s, Method::GET, "/security/config", &fresh, None).await.0, 401);
    let after = s.token().await;
    let (_, body) = send(&s, Method::GET, "/security/config", &after, None).await;
    assert_eq!(
        body["data"],
        json!({"auth_token_exp_timeout": 600, "rbac_mode": "white"})
    );
    assert_eq!(send(&s, Method::DELETE, "/security/config", &after, None).await.0, 200);

    // Revoke all.
    let t = s.token().await;
    let (status, body) = send(&s, Method::PUT, "/security/user/revoke", &t, None).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (200, Some("Tokens were successfully revoked"))
    );
    assert_eq!(send(&s, Method::GET, "/security/users", &t, None).await.0, 401);
}

#[tokio::test]
async fn default_users_are_protected() {
    let s = start().await;
    let admin = s.token().await;
    let (_, body) = send(&s, Method::DELETE, "/security/users?user_ids=1,2", &admin, None).await;
    assert_eq!(body["data"]["failed_items"][0]["error"]["code"], 5004);
    assert_eq!(body["data"]["failed_items"][0]["id"], json!([1, 2]));
    let id = user_with_roles(&s, &admin, "erin", "3").await;
    let t = login(&s, "erin", "Passw0rd!x").await;
    let (status, body) = send(
        &s,
        Method::PUT,
        "/security/users/1",
        &t,
        Some(json!({"password": "Hijack3d!pw"})),
    )
    .await;
    assert_eq!((status, body["error"].as_u64()), (403, Some(5011)), "{body}");
    let (_, body) = send(&s, Method::DELETE, &format!("/security/users?user_ids={id}"), &t, None).await;
    assert_eq!(
        body["data"]["failed_items"][0]["error"]["code"], 5008,
        "a user cannot delete itself"
    );
}

#[tokio::test]
async fn a_deny_cannot_be_dodged_by_spelling_the_id_differently() {
    let s = start().await;
    let admin = s.token().await;
    let victim = user_with_roles(&s, &admin, "victim", "").await;
    let actor = user_with_roles(&s, &admin, "actor", "").await;
    grant(
        &s,
        &admin,
        actor,
        "editors",
        &[
            json!({"actions": ["security:update"], "resources": ["user:id:*"], "effect": "allow"}),
            json!({"actions": ["security:update"], "resources": [format!("user:id:{victim}")], "effect": "deny"}),
        ],
    )
    .await;
    let t = login(&s, "actor", "Passw0rd!x").await;
    for spelling in [format!("{victim}"), format!("0{victim}"), format!("00{victim}")] {
        let (status, body) = send(
            &s,
            Method::PUT,
            &format!("/security/users/{spelling}"),
            &t,
            Some(json!({"password": "Hijack3d!pw"})),
        )
        .await;
        assert_eq!(status, 403, "PUT /security/users/{spelling}: {body}");
    }
    let (status, body) = send(&s, Method::GET, "/security/users/+100", &t, None).await;
    assert!(
        matches!(status, 400 | 404 | 405),
        "a signed id is not an id: {status} {body}"
    );
    login(&s, "victim", "Passw0rd!x").await;
}

#[tokio::test]
async fn a_token_of_a_deleted_user_does_not_work_for_a_new_user_of_the_same_name() {
    let s = start().await;
    let admin = s.token().await;
    let id = user_with_roles(&s, &admin, "eveuser", "3").await;
    let old = login(&s, "eveuser", "Passw0rd!x").await;
    assert_eq!(send(&s, Method::GET, "/security/users/me", &old, None).await.0, 200);
    send(
        &s,
        Method::DELETE,
        &format!("/security/users?user_ids={id}"),
        &admin,
        None,
    )
    .await;
    user_with_roles(&s, &admin, "eveuser", "").await;
    assert_eq!(send(&s, Method::GET, "/security/users/me", &old, None).await.0, 401);
}

#[tokio::test]
async fn token_lifetimes_outside_int32_are_refused() {
    let s = start().await;
    let admin = s.token().await;
    let (status, body) = send(
        &s,
        Method::PUT,
        "/security/config",
        &admin,
        Some(json!({"auth_token_exp_timeout": 99_999_999_999_i64})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        send(&s, Method::GET, "/security/config", &admin, None).await.0,
        200,
        "nothing changed"
    );
}
