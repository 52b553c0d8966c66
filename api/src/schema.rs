//! The schema, with the limits that keep one query from taking the server down.

use async_graphql::Schema;

use crate::{
    live::Subscription,
    resolvers::{Mutation, Query},
    ApiState,
};

pub type RegistrarSchema = Schema<Query, Mutation, Subscription>;

/// Deepest query accepted.
pub const MAX_DEPTH: usize = 12;
/// Most expensive query accepted: a field costs 1, a list `first` times its fields.
pub const MAX_COMPLEXITY: usize = 50_000;

pub fn build_schema(state: Option<ApiState>) -> RegistrarSchema {
    let builder =
        Schema::build(Query::default(), Mutation, Subscription).limit_depth(MAX_DEPTH).limit_complexity(MAX_COMPLEXITY);
    match state {
        Some(state) => builder.data(state).finish(),
        None => builder.finish(),
    }
}

/// The schema in SDL, as exported to `schemas/registrar.graphql`.
pub fn sdl() -> String {
    build_schema(None).sdl()
}
