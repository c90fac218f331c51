//! The OpenAPI 3.1 document served at `/openapi.json`, rendered from the [`RouteSpec`]s
//! the builder mounted (our own small registry rather than `utoipa`: no proc macros, and
//! the spec that mounts a route is the one that documents it).
//!
//! Schemas are described at the level of field names and JSON types with [`Schema`] and
//! the [`ApiSchema`] trait, implemented here for primitives, `Vec`, `Option`, and by
//! domain modules for their request/response types:
//!
//! ```ignore
//! impl ApiSchema for IssueRequest {
//!     fn schema() -> Schema {
//!         Schema::object("IssueRequest")
//!             .field::<String>("holder")
//!             .optional::<u64>("valid_secs")
//!     }
//! }
//! ```

use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::route::{Access, IdempotencyMode, RouteSpec};

/// A JSON schema, as much of it as the document needs.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Schema {
    /// A string, with an optional format (`"date-time"`, `"byte"`...) or description.
    String { format: Option<&'static str> },
    /// One of a fixed set of strings.
    Enum(Vec<&'static str>),
    /// An integer.
    Integer { minimum: Option<i64> },
    /// A floating-point number.
    Number,
    /// `true` / `false`.
    Boolean,
    /// Any JSON value.
    Any,
    /// An array of items.
    Array(Box<Self>),
    /// The inner schema or `null`.
    Nullable(Box<Self>),
    /// An object with named fields.
    Object {
        /// A name for the type (documentation only).
        name: &'static str,
        /// The fields in order.
        fields: Vec<Field>,
    },
}

/// One field of an object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The JSON name.
    pub name: &'static str,
    /// Its schema.
    pub schema: Schema,
    /// Whether it must be present.
    pub required: bool,
}

impl Schema {
    /// A plain string.
    pub fn string() -> Self {
        Self::String { format: None }
    }

    /// A string with a format hint (`"byte"` for base64, `"date-time"`...).
    pub fn string_format(format: &'static str) -> Self {
        Self::String {
            format: Some(format),
        }
    }

    /// An empty object named `name`; add fields with [`Self::field`] / [`Self::optional`].
    pub fn object(name: &'static str) -> Self {
        Self::Object {
            name,
            fields: Vec::new(),
        }
    }

    /// Adds a required field of type `T` (no-op on non-objects).
    pub fn field<T: ApiSchema>(self, name: &'static str) -> Self {
        self.with_field(name, T::schema(), true)
    }

    /// Adds an optional field of type `T` (no-op on non-objects).
    pub fn optional<T: ApiSchema>(self, name: &'static str) -> Self {
        self.with_field(name, T::schema(), false)
    }

    /// Adds a field with an explicit schema (no-op on non-objects).
    pub fn with_field(mut self, name: &'static str, schema: Self, required: bool) -> Self {
        if let Self::Object { fields, .. } = &mut self {
            fields.push(Field {
                name,
                schema,
                required,
            });
        }
        self
    }

    /// The page envelope `{"items": [item], "next_cursor": string|null}`.
    pub fn page(item: Self) -> Self {
        Self::object("Page")
            .with_field("items", Self::Array(Box::new(item)), true)
            .with_field(
                "next_cursor",
                Self::Nullable(Box::new(Self::string())),
                true,
            )
    }

    /// The JSON Schema rendering.
    pub fn to_json(&self) -> Value {
        match self {
            Self::String { format: None } => json!({"type": "string"}),
            Self::String { format: Some(f) } => json!({"type": "string", "format": f}),
            Self::Enum(values) => json!({"type": "string", "enum": values}),
            Self::Integer { minimum: None } => json!({"type": "integer"}),
            Self::Integer { minimum: Some(m) } => json!({"type": "integer", "minimum": m}),
            Self::Number => json!({"type": "number"}),
            Self::Boolean => json!({"type": "boolean"}),
            Self::Any => json!({}),
            Self::Array(item) => json!({"type": "array", "items": item.to_json()}),
            Self::Nullable(inner) => json!({"oneOf": [inner.to_json(), {"type": "null"}]}),
            Self::Object { name, fields } => {
                let mut props = Map::new();
                let mut required = Vec::new();
                for f in fields {
                    props.insert(f.name.to_owned(), f.schema.to_json());
                    if f.required {
                        required.push(f.name);
                    }
                }
                json!({"type": "object", "title": name, "properties": props,
                       "required": required})
            }
        }
    }
}

/// A Rust type's JSON schema, for request and response documentation.
pub trait ApiSchema {
    /// The schema of this type's JSON form.
    fn schema() -> Schema;
}

macro_rules! schema_for {
    ($schema:expr => $($t:ty),*) => { $(impl ApiSchema for $t {
        fn schema() -> Schema { $schema }
    })* };
}
schema_for!(Schema::string() => String, str);
schema_for!(Schema::Boolean => bool);
schema_for!(Schema::Integer { minimum: Some(0) } => u8, u16, u32, u64, usize);
schema_for!(Schema::Integer { minimum: None } => i8, i16, i32, i64);
schema_for!(Schema::Number => f32, f64);
schema_for!(Schema::Any => Value);

impl<T: ApiSchema> ApiSchema for Vec<T> {
    fn schema() -> Schema {
        Schema::Array(Box::new(T::schema()))
    }
}

impl<T: ApiSchema> ApiSchema for Option<T> {
    fn schema() -> Schema {
        Schema::Nullable(Box::new(T::schema()))
    }
}

impl ApiSchema for super::error::ErrorBody {
    fn schema() -> Schema {
        Schema::object("Error")
            .with_field(
                "code",
                Schema::Enum(ApiError::CODES.iter().map(|(c, _)| *c).collect()),
                true,
            )
            .field::<String>("message")
    }
}

/// Renders the OpenAPI 3.1 document for `routes`.
pub fn document(title: &str, version: &str, routes: &[RouteSpec]) -> Value {
    let mut paths = Map::new();
    for spec in routes {
        let entry = paths
            .entry(spec.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(ops) = entry {
            ops.insert(spec.method.as_str().to_lowercase(), operation(spec));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": {
                "Error": <super::error::ErrorBody as ApiSchema>::schema().to_json(),
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    })
}

fn operation(spec: &RouteSpec) -> Value {
    let mut op = Map::new();
    op.insert("summary".into(), json!(spec.summary));
    op.insert(
        "operationId".into(),
        json!(format!("{} {}", spec.method, spec.path)),
    );
    if let Some(d) = spec.description {
        op.insert("description".into(), json!(d));
    }
    if let Some(t) = spec.tag {
        op.insert("tags".into(), json!([t]));
    }
    if let Some((_, who)) = spec.allow {
        op.insert("x-allowed-callers".into(), json!(who));
    }
    match spec.access {
        Access::Public => {
            op.insert("security".into(), json!([]));
        }
        Access::Optional => {
            op.insert("security".into(), json!([{}, {"bearer": []}]));
        }
        Access::Bearer => {
            op.insert("security".into(), json!([{"bearer": []}]));
        }
    }
    op.insert("parameters".into(), Value::Array(parameters(spec)));
    if let Some(req) = &spec.request {
        op.insert(
            "requestBody".into(),
            json!({"required": true,
                   "content": {"application/json": {"schema": req.to_json()}}}),
        );
    }
    op.insert("responses".into(), responses(spec));
    Value::Object(op)
}

fn parameters(spec: &RouteSpec) -> Vec<Value> {
    let mut params: Vec<Value> = spec
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            json!({"name": name.trim_start_matches('*'), "in": "path", "required": true,
                   "schema": {"type": "string"}})
        })
        .collect();
    if spec.idempotency == IdempotencyMode::Required {
        params.push(json!({
            "name": "Idempotency-Key", "in": "header", "required": true,
            "description": "Client-chosen unique key (1-255 visible ASCII characters); a retry \
                            with the same key and body returns the stored response with \
                            `Idempotent-Replayed: true`.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        }));
    }
    if spec.paged {
        params.push(json!({"name": "limit", "in": "query", "required": false,
                           "schema": {"type": "integer", "minimum": 1}}));
        params.push(json!({"name": "cursor", "in": "query", "required": false,
                           "description": "`next_cursor` of the previous page",
                           "schema": {"type": "string"}}));
    }
    params
}

fn responses(spec: &RouteSpec) -> Value {
    let mut out = Map::new();
    let mut ok = Map::new();
    ok.insert("description".into(), json!("success"));
    if let Some(body) = &spec.response {
        ok.insert(
            "content".into(),
            json!({spec.response_type: {"schema": body.to_json()}}),
        );
    }
    out.insert(spec.success.as_u16().to_string(), Value::Object(ok));
    let error = |what: &str| {
        json!({"description": what,
               "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    };
    if spec.request.is_some() {
        out.insert("400".into(), error("malformed_json or invalid_field"));
        out.insert("413".into(), error("body_too_large"));
        out.insert("415".into(), error("unsupported_media_type"));
    }
    if spec.access != Access::Public {
        out.insert("401".into(), error("unauthenticated"));
    }
    if spec.allow.is_some() || spec.access == Access::Bearer {
        out.insert("403".into(), error("forbidden"));
    }
    if spec.idempotency == IdempotencyMode::Required {
        out.insert("428".into(), error("idempotency_key_required"));
        out.insert(
            "422".into(),
            error("unprocessable or idempotency_key_reused"),
        );
    }
    out.insert("429".into(), error("rate_limited (see Retry-After)"));
    out.insert("default".into(), error("any other error"));
    Value::Object(out)
}
