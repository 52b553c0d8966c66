//! The GraphQL API and the operational endpoints of registrar, on axum.
//!
//! Resolvers only translate: they parse arguments, call the store's reads (off the async
//! runtime) and build API objects from domain types. See `schemas/registrar.graphql` for the
//! contract clients see.
//!
//! # Layout
//! - `schema`: builds the schema with its depth and complexity limits; exports the SDL.
//! - `resolvers`: one file per root field.
//! - `objects`: the API types, built `From` domain types, and the `BigInt` scalar.
//! - `limits`: the request budget: what one GraphQL document may ask for, checked in linear time.
//! - `http`: the axum router: `/graphql`, `/reports/{kind}`, `/health`, `/ready`, `/metrics`.
//! - `reports`: regulator reports (holder register, reconciliation) as CSV or JSON.
//! - `live`: subscriptions (WebSocket and SSE) that follow the state as it is committed.
//! - `state`: what the handlers share.
//! - `auth`: API keys and holder labels: who may publish, who may see private columns.

pub mod auth;
mod error;
mod http;
pub mod limits;
pub mod live;
mod objects;
mod order;
pub mod reports;
mod resolvers;
mod schema;
mod state;

pub use error::ApiError;
pub use http::{router, serve, serve_metrics, GRAPHQL_DEADLINE, MAX_BODY, MAX_CONNECTIONS, REQUEST_DEADLINE};
pub use objects::parse_address as parse_token;
pub use schema::{build_schema, sdl, RegistrarSchema};
pub use state::ApiState;
