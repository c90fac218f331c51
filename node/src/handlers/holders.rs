//! Holder routes: registration (by an access terminal or admin, or a guardian for a
//! dependant), and the holder's own view of their status with its explanation.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hcx_protocol::identity::DocType;
use serde::{Deserialize, Serialize};

use super::{NodeState, blocking, is_holder};
use crate::api::{ApiBuilder, ApiError, ApiJson, ApiSchema, Auth, RouteSpec, Schema};
use crate::issuance::RegisterRequest;
use crate::node::Node;

/// `POST /v1/holders` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    name: String,
    document_type: u64,
    #[serde(default)]
    country: String,
    number: String,
    phone: Option<String>,
    guardian: Option<String>,
    jurisdiction: Option<String>,
}

impl ApiSchema for RegisterBody {
    fn schema() -> Schema {
        Schema::object("RegisterHolder")
            .field::<String>("name")
            .field::<u64>("document_type")
            .optional::<String>("country")
            .field::<String>("number")
            .optional::<String>("phone")
            .optional::<String>("guardian")
            .optional::<String>("jurisdiction")
    }
}

/// `POST /v1/holders` response.
#[derive(Debug, Serialize)]
pub struct Registered {
    holder_id: String,
    token: Option<String>,
    name_mask: String,
    number_mask: String,
    jurisdiction: String,
}

impl ApiSchema for Registered {
    fn schema() -> Schema {
        Schema::object("Registered")
            .field::<String>("holder_id")
            .optional::<String>("token")
            .field::<String>("name_mask")
            .field::<String>("number_mask")
            .field::<String>("jurisdiction")
    }
}

/// `GET /v1/holders/me/status` response.
#[derive(Debug, Serialize)]
pub struct StatusView {
    holder_id: String,
    colour: u8,
    colour_name: String,
    risk_level: String,
    reason: Option<String>,
    rule_set: String,
    rule_id: Option<String>,
    evidence: Vec<String>,
    history: Vec<serde_json::Value>,
}

impl ApiSchema for StatusView {
    fn schema() -> Schema {
        Schema::object("HolderStatus")
            .field::<String>("holder_id")
            .field::<u8>("colour")
            .field::<String>("colour_name")
            .field::<String>("risk_level")
            .optional::<String>("reason")
            .field::<String>("rule_set")
            .optional::<String>("rule_id")
            .field::<Vec<String>>("evidence")
            .field::<Vec<serde_json::Value>>("history")
    }
}

pub(crate) fn mount(b: ApiBuilder<Arc<Node>>) -> ApiBuilder<Arc<Node>> {
    b.route(
        RouteSpec::post(
            "/v1/holders",
            "Register a holder (real-name data stays on this node, sealed)",
        )
        .bearer()
        .request::<RegisterBody>()
        .response::<Registered>(StatusCode::CREATED)
        .tag("holders"),
        register,
    )
    .route(
        RouteSpec::get(
            "/v1/holders/me/status",
            "The calling holder's colour, why, and its history",
        )
        .bearer()
        .allow(is_holder, "holders")
        .response::<StatusView>(StatusCode::OK)
        .tag("holders"),
        my_status,
    )
}

async fn register(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<Response, ApiError> {
    let doc_type = DocType::from_code(body.document_type)
        .ok_or_else(|| ApiError::invalid_field("document_type", "1 to 6"))?;
    let req = RegisterRequest {
        name: body.name,
        doc_type,
        country: body.country,
        number: body.number,
        phone: body.phone,
        guardian: body.guardian,
        jurisdiction: body.jurisdiction,
    };
    let r = blocking(move || node.register_holder(&principal, req)).await?;
    let out = Registered {
        holder_id: r.holder.id,
        token: r.token,
        name_mask: r.holder.name_mask,
        number_mask: r.holder.number_mask,
        jurisdiction: r.holder.jurisdiction,
    };
    Ok((StatusCode::CREATED, axum::Json(out)).into_response())
}

async fn my_status(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
) -> Result<Response, ApiError> {
    let view = blocking(move || {
        let holder = node.holder_for_account(&principal.account.0)?;
        let rules = node.rules();
        let facts = node.accepted_facts(&holder.id)?;
        let a = rules.assess(&facts, node.clock.now());
        let history = node
            .status_history(&holder)?
            .into_iter()
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .collect();
        Ok(StatusView {
            holder_id: holder.id,
            colour: a.colour.0,
            colour_name: a.colour_name,
            risk_level: crate::present::risk(a.risk).to_owned(),
            reason: a.reason.map(|r| r.as_str().to_owned()),
            rule_set: format!("{}@{}", hex::encode(rules.id().hash), rules.id().version),
            rule_id: a.rule_id,
            evidence: a.evidence,
            history,
        })
    })
    .await?;
    Ok(axum::Json(view).into_response())
}

/// `POST /v1/holders/{id}/destroy` response.
#[derive(Debug, Serialize)]
pub struct Destroyed {
    holder_id: String,
    epochs_destroyed: Vec<u64>,
    records_rewrapped: u64,
}

impl ApiSchema for Destroyed {
    fn schema() -> Schema {
        Schema::object("Destroyed")
            .field::<String>("holder_id")
            .field::<Vec<u64>>("epochs_destroyed")
            .field::<u64>("records_rewrapped")
    }
}

pub(crate) fn mount_destroy(b: ApiBuilder<Arc<Node>>) -> ApiBuilder<Arc<Node>> {
    b.route(
        RouteSpec::post(
            "/v1/holders/{id}/destroy",
            "Destroy a holder's personal data for good (crypto-shred) and revoke their codes",
        )
        .bearer()
        .allow(super::is_admin, "admins of levels 1-2")
        .response::<Destroyed>(StatusCode::OK)
        .tag("holders"),
        destroy,
    )
}

async fn destroy(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
    crate::api::ApiPath(id): crate::api::ApiPath<String>,
) -> Result<Response, ApiError> {
    let holder_id = id.clone();
    let r = blocking(move || node.destroy_holder(&principal, &id)).await?;
    Ok(axum::Json(Destroyed {
        holder_id,
        epochs_destroyed: r.destroyed,
        records_rewrapped: r.rewrapped,
    })
    .into_response())
}
