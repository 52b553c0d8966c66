//! The endpoints subscriptions run over: `graphql-transport-ws` (and the older `graphql-ws`) at
//! `GET /graphql/ws`, and Server-Sent Events at `GET|POST /graphql/sse` for clients without
//! WebSockets. Both run documents under the same budget as queries ([`crate::limits`]) and
//! answer fields in the order asked.
//!
//! Backpressure: a subscription's stream is read only when its connection has taken the last
//! message, so a subscriber costs one message and the socket's buffers, never a queue. A
//! WebSocket subscriber that leaves a message untaken for [`SLOW_SUBSCRIBER`] is closed with
//! [`SLOW_CLOSE_CODE`]; an SSE (or any) connection that takes nothing for as long is cut by the
//! server's write deadline.

use std::sync::Arc;

use async_graphql::{
    futures_util::stream::BoxStream,
    http::{WebSocketProtocols, WsMessage, ALL_WEBSOCKET_PROTOCOLS},
    parser::types::ExecutableDocument,
    Data, Executor, Request, Response as GraphQLAnswer,
};
use axum::{
    body::Bytes,
    extract::{
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
        RawQuery, State,
    },
    http::{header, HeaderMap, Method, StatusCode},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    Extension,
};
use futures::{SinkExt, StreamExt};
use tracing::debug;

use super::{MAX_SUBSCRIPTIONS_PER_CONNECTION, SLOW_CLOSE_CODE, SLOW_SUBSCRIBER};
use crate::{limits, ApiState, RegistrarSchema};

/// Largest message a WebSocket client may send: a document of [`limits::MAX_QUERY_BYTES`] and
/// its variables.
const MAX_CLIENT_MESSAGE: usize = 2 * limits::MAX_QUERY_BYTES;
/// How often an idle SSE stream sends a comment, so proxies keep it open.
const SSE_KEEPALIVE: std::time::Duration = std::time::Duration::from_secs(15);

/// The schema as subscriptions run it: each document checked against the query budget first,
/// each answer's fields put in the order the document asked for them.
#[derive(Clone)]
struct Checked(RegistrarSchema);

impl Checked {
    /// The answers to a request [`limits::prepare`] has checked (`doc` is its document), their
    /// fields in the order the document asks for them.
    fn stream(
        &self,
        request: Request,
        doc: ExecutableDocument,
        session: Arc<Data>,
    ) -> BoxStream<'static, GraphQLAnswer> {
        let operation = request.operation_name.clone();
        self.0
            .execute_stream_with_session_data(request, session)
            .map(move |mut answer| {
                crate::order::in_document_order(&mut answer.data, &doc, operation.as_deref());
                answer
            })
            .boxed()
    }
}

impl Executor for Checked {
    async fn execute(&self, mut request: Request) -> GraphQLAnswer {
        match limits::prepare(&mut request) {
            Ok(doc) => {
                let operation = request.operation_name.clone();
                let mut answer = self.0.execute(request).await;
                crate::order::in_document_order(&mut answer.data, &doc, operation.as_deref());
                answer
            }
            Err(e) => refusal(e.to_string()),
        }
    }

    fn execute_stream(&self, mut request: Request, session: Option<Arc<Data>>) -> BoxStream<'static, GraphQLAnswer> {
        match limits::prepare(&mut request) {
            Ok(doc) => self.stream(request, doc, session.unwrap_or_default()),
            Err(e) => futures::stream::once(futures::future::ready(refusal(e.to_string()))).boxed(),
        }
    }
}

fn refusal(message: String) -> GraphQLAnswer {
    GraphQLAnswer::from_errors(vec![async_graphql::ServerError::new(message, None)])
}

/// `GET /graphql/ws`: subscriptions over a WebSocket (`graphql-transport-ws` or `graphql-ws`).
pub(crate) async fn websocket(
    State(state): State<ApiState>,
    Extension(schema): Extension<RegistrarSchema>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // The subprotocol the client offers first that we speak (`graphql-transport-ws`, `graphql-ws`).
    let offered = headers.get(header::SEC_WEBSOCKET_PROTOCOL).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let Some(protocol) = offered.split(',').find_map(|p| p.trim().parse::<WebSocketProtocols>().ok()) else {
        return (StatusCode::BAD_REQUEST, "offer the graphql-transport-ws (or graphql-ws) subprotocol").into_response();
    };
    let Some(slot) = state.live.slot() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many live subscribers; try again later").into_response();
    };
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| async move {
            serve_socket(socket, Checked(schema), protocol, state).await;
            drop(slot);
        })
}

/// Pumps one connection: client messages into the protocol (at most
/// [`MAX_SUBSCRIPTIONS_PER_CONNECTION`] subscriptions at once), its messages out, each within
/// [`SLOW_SUBSCRIBER`].
async fn serve_socket(socket: WebSocket, executor: Checked, protocol: WebSocketProtocols, state: ApiState) {
    let (mut sink, incoming) = socket.split();
    let mut open = 0usize;
    let input = incoming
        .take_while(|m| futures::future::ready(m.is_ok()))
        .filter_map(|m| {
            futures::future::ready(match m {
                Ok(Message::Text(text)) => Some(Bytes::from(text)),
                Ok(Message::Binary(bytes)) => Some(bytes),
                _ => None,
            })
        })
        .map(move |bytes| {
            use async_graphql::http::ClientMessage;
            let message = ClientMessage::from_bytes(bytes)?;
            match &message {
                ClientMessage::Start { .. } if open == MAX_SUBSCRIPTIONS_PER_CONNECTION => {
                    return Err(serde::de::Error::custom(format!(
                        "at most {MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions on one connection"
                    )))
                }
                ClientMessage::Start { .. } => open += 1,
                ClientMessage::Stop { .. } => open = open.saturating_sub(1),
                _ => {}
            }
            Ok(message)
        });
    let messages = async_graphql::http::WebSocket::from_message_stream(executor, input, protocol);
    futures::pin_mut!(messages);
    loop {
        let message = tokio::select! {
            m = messages.next() => m,
            () = state.live.closed() => Some(WsMessage::Close(1001, "the server is shutting down".into())),
        };
        let Some(message) = message else { break };
        let closing = matches!(message, WsMessage::Close(..));
        let frame = match message {
            WsMessage::Text(text) => Message::Text(text.into()),
            WsMessage::Close(code, reason) => Message::Close(Some(CloseFrame { code, reason: reason.into() })),
        };
        match tokio::time::timeout(SLOW_SUBSCRIBER, sink.send(frame)).await {
            Ok(Ok(())) if !closing => {}
            Ok(_) => break,
            Err(_) => {
                debug!(target: "api", "a WebSocket subscriber took no message for {SLOW_SUBSCRIBER:?}: closed");
                state.metrics.slow_subscribers.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let close = CloseFrame { code: SLOW_CLOSE_CODE, reason: "subscriber too slow".into() };
                let _ = tokio::time::timeout(std::time::Duration::from_secs(1), sink.send(Message::Close(Some(close))))
                    .await;
                break;
            }
        }
    }
}

/// `GET /graphql/sse?query=subscription…` or `POST /graphql/sse` with a JSON request: a
/// subscription as Server-Sent Events (`event: next` with each answer, `event: complete` at the
/// end). Queries work too and end after their answer.
pub(crate) async fn sse(
    State(state): State<ApiState>,
    Extension(schema): Extension<RegistrarSchema>,
    method: Method,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut request: Request = if method == Method::POST {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return (StatusCode::BAD_REQUEST, format!("the body is not a GraphQL request: {e}")).into_response()
            }
        }
    } else {
        match async_graphql::http::parse_query_string(query.as_deref().unwrap_or_default()) {
            Ok(r) => r,
            Err(e) => {
                return (StatusCode::BAD_REQUEST, format!("the query string is not a GraphQL request: {e}"))
                    .into_response()
            }
        }
    };
    let doc = match limits::prepare(&mut request) {
        Ok(doc) => doc,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    // A stream has no place for writes (and a page's EventSource could be made to send one).
    let ty = crate::order::operation(&doc, request.operation_name.as_deref()).map(|op| op.ty);
    if ty == Some(async_graphql::parser::types::OperationType::Mutation) {
        return (StatusCode::METHOD_NOT_ALLOWED, "mutations are not streamed: POST them to /graphql").into_response();
    }
    let Some(slot) = state.live.slot() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many live subscribers; try again later").into_response();
    };
    let live = state.live.clone();
    let answers = Checked(schema).stream(request, doc, Default::default());
    let events = answers
        .map(|answer| Event::default().event("next").json_data(&answer))
        .chain(futures::stream::once(async { Ok(Event::default().event("complete").data("")) }))
        .take_until(async move {
            live.closed().await;
        })
        .map(move |event| {
            let _keep = &slot;
            event
        });
    let mut response = Sse::new(events).keep_alive(KeepAlive::new().interval(SSE_KEEPALIVE)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}
