//! The HTTP surface: GraphQL and GraphiQL, health, readiness and metrics, served with bounds on
//! what one client can hold: connections, header and body sizes, time to send headers, time to
//! finish a request.

use std::{net::SocketAddr, sync::atomic::Ordering::Relaxed, sync::Arc, time::Duration};

use async_graphql_axum::GraphQLResponse;
use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
    routing::get,
    Router,
};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{net::TcpListener, sync::Semaphore};
use tracing::{info, warn};

use crate::auth::ApiKey;

use crate::{build_schema, limits, resolvers::Caller, ApiState, RegistrarSchema};

/// Largest request body: a disclosure of the archive's size limit, base64-encoded, fits.
pub const MAX_BODY: usize = 32 << 20;
/// Longest a GraphQL request may run. Past it the client gets an error and the request's reads
/// are dropped (a read already running on the blocking pool finishes and frees its slot).
pub const GRAPHQL_DEADLINE: Duration = Duration::from_secs(10);
/// Longest any request may take, its body's upload included.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(60);
/// Longest a client may take to send a request's headers, or stay idle between requests.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head (request line and headers).
pub const MAX_HEAD_BYTES: usize = 64 << 10;
/// Most connections served at once; further clients wait in the listen backlog.
pub const MAX_CONNECTIONS: usize = 1024;
/// How long shutdown waits for requests in flight.
const DRAIN_DEADLINE: Duration = Duration::from_secs(30);

pub fn router(state: ApiState) -> Router {
    let schema = build_schema(Some(state.clone()));
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql).layer(axum::Extension(schema.clone())))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .route("/graphql/ws", get(crate::live::websocket).layer(axum::Extension(schema.clone())))
        .route("/graphql/sse", get(crate::live::sse).post(crate::live::sse).layer(axum::Extension(schema)))
        .route("/graphiql/{file}", get(graphiql_asset))
        .route("/", get(console_page))
        .route("/console/{file}", get(console_asset))
        .route("/content/{hash}", get(content))
        .route("/reports/{kind}", get(report))
        .route("/reports/holders/commitment", get(commitment))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .layer(middleware::from_fn(deadline))
        .layer(middleware::from_fn(cors))
        .with_state(state)
}

/// Lets pages of other origins read the API (dashboards, the console served elsewhere): every
/// answer allows any origin, and a preflight (`OPTIONS`) is answered here. Nothing rides on
/// cookies: an API key is a header the page itself sends.
async fn cors(request: Request, next: Next) -> Response {
    let preflight = request.method() == axum::http::Method::OPTIONS;
    let mut response = if preflight { StatusCode::NO_CONTENT.into_response() } else { next.run(request).await };
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
    if preflight {
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, header::HeaderValue::from_static("GET, POST, OPTIONS"));
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            header::HeaderValue::from_static("content-type, authorization, x-api-key"),
        );
        h.insert(header::ACCESS_CONTROL_MAX_AGE, header::HeaderValue::from_static("600"));
    }
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        header::HeaderValue::from_static("x-registrar-block, x-registrar-block-hash, x-registrar-digest"),
    );
    response
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: ApiState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr: SocketAddr = listener.local_addr()?;
    info!(target: "api", %addr, "graphql at http://{addr}/graphql");
    let live = state.live.clone();
    let shutdown = async move {
        shutdown.await;
        // Subscriptions last: they end now, with the requests in flight left to finish.
        live.close();
    };
    serve_router(listener, router(state), shutdown).await
}

/// Accepts connections (at most [`MAX_CONNECTIONS`] at once) and serves HTTP/1.1 on each (with
/// WebSocket upgrades) with [`HEADER_READ_TIMEOUT`], [`MAX_HEAD_BYTES`] and [`WRITE_DEADLINE`]; at
/// `shutdown`, stops accepting, lets requests in flight finish (up to [`DRAIN_DEADLINE`]) and
/// closes idle connections.
async fn serve_router(
    listener: TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let (closing, closed) = tokio::sync::watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT).max_buf_size(MAX_HEAD_BYTES);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the connection semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted.
                    warn!(target: "api", error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = http.serve_connection(TokioIo::new(WriteDeadline::new(stream)), service).with_upgrades();
        let mut closed = closed.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            // A client that goes away mid-request is an error of its connection only.
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = async { closed.wait_for(|c| *c).await.map(|_| ()) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    closing.send_replace(true);
    let all = u32::try_from(MAX_CONNECTIONS).expect("the connection limit fits u32");
    if tokio::time::timeout(DRAIN_DEADLINE, permits.acquire_many(all)).await.is_err() {
        warn!(target: "api", "requests still running at the drain deadline were cut");
    }
    Ok(())
}

/// Longest a connection's writes may wait on a client that reads nothing (a stalled
/// subscriber, a slow reader of a report): past it the connection is cut.
pub const WRITE_DEADLINE: Duration = Duration::from_secs(30);

/// A connection whose writes must make progress within [`WRITE_DEADLINE`].
struct WriteDeadline {
    inner: tokio::net::TcpStream,
    /// Armed when a write found the socket full; reset by any progress.
    stalled: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl WriteDeadline {
    fn new(inner: tokio::net::TcpStream) -> Self {
        WriteDeadline { inner, stalled: None }
    }

    /// After a write that could not proceed: pending until the deadline, then an error.
    fn stall<T>(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<T>> {
        use std::future::Future;
        let sleep = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_DEADLINE)));
        match sleep.as_mut().poll(cx) {
            std::task::Poll::Ready(()) => std::task::Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("the client took nothing for {} s", WRITE_DEADLINE.as_secs()),
            ))),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }

    fn progress<T>(
        &mut self,
        done: std::task::Poll<std::io::Result<T>>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<T>> {
        if done.is_pending() {
            return self.stall(cx);
        }
        self.stalled = None;
        done
    }
}

impl tokio::io::AsyncRead for WriteDeadline {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for WriteDeadline {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let done = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        self.progress(done, cx)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let done = std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.progress(done, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let done = std::pin::Pin::new(&mut self.inner).poll_flush(cx);
        self.progress(done, cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Ends any request that runs past [`REQUEST_DEADLINE`] (a slow body upload, a slow report).
async fn deadline(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_DEADLINE, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            (StatusCode::REQUEST_TIMEOUT, format!("the request took longer than {} s", REQUEST_DEADLINE.as_secs()))
                .into_response()
        }
    }
}

/// `/metrics` and `/health` alone, for a process without state (`registrar ingest`).
pub async fn serve_metrics(
    listener: TcpListener,
    metrics: std::sync::Arc<registrar_log::Metrics>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr: SocketAddr = listener.local_addr()?;
    info!(target: "api", %addr, "metrics at http://{addr}/metrics");
    let router = Router::new()
        .route("/health", get(health))
        .route(
            "/metrics",
            get(|State(m): State<std::sync::Arc<registrar_log::Metrics>>| async move {
                ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], m.render())
            }),
        )
        .with_state(metrics);
    serve_router(listener, router, shutdown).await
}

/// Runs a GraphQL request sent as JSON (`POST /graphql`), with the caller's API key (if any) in
/// its context: one operation (no batches), within [`MAX_BODY`], the document within the budget
/// of [`limits`], the execution within [`GRAPHQL_DEADLINE`]. A key that is sent but not valid is
/// refused (401) rather than read as anonymous.
async fn graphql(
    axum::Extension(schema): axum::Extension<RegistrarSchema>,
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(_) if body.trim_ascii_start().starts_with(b"[") => {
            return graphql_refusal(StatusCode::BAD_REQUEST, "batches are not accepted: send one operation per request")
        }
        Err(e) => {
            let message = format!("the body is not a GraphQL request ({{\"query\": …}} in JSON): {e}");
            return graphql_refusal(StatusCode::BAD_REQUEST, &message);
        }
    };
    execute(schema, state, &headers, request, false).await
}

/// `GET /graphql?query=…[&variables=…][&operationName=…]` runs a query (GraphQL over HTTP: a
/// mutation must be POSTed); without `query`, the GraphiQL page.
async fn graphql_get(
    axum::Extension(schema): axum::Extension<RegistrarSchema>,
    State(state): State<ApiState>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let Some(query) = query.filter(|q| q.split('&').any(|p| p.starts_with("query="))) else {
        return graphiql().await.into_response();
    };
    let request = match async_graphql::http::parse_query_string(&query) {
        Ok(request) => request,
        Err(e) => {
            return graphql_refusal(StatusCode::BAD_REQUEST, &format!("the query string is not a GraphQL request: {e}"))
        }
    };
    execute(schema, state, &headers, request, true).await
}

/// Runs one GraphQL request: the caller's key, the document's budget (the document parsed once,
/// after its size and nesting are checked), queries only if `queries_only` (GET), the deadline,
/// and the answer in the order the query asked for its fields.
async fn execute(
    schema: RegistrarSchema,
    state: ApiState,
    headers: &HeaderMap,
    mut request: async_graphql::Request,
    queries_only: bool,
) -> Response {
    let caller = match authenticate(&state, headers).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let doc = match limits::prepare(&mut request) {
        Ok(doc) => doc,
        Err(e) => return graphql_refusal(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let operation = request.operation_name.clone();
    if queries_only {
        use async_graphql::parser::types::OperationType;
        let ty = crate::order::operation(&doc, operation.as_deref()).map(|op| op.ty);
        if ty.is_some_and(|ty| ty != OperationType::Query) {
            return graphql_refusal(StatusCode::METHOD_NOT_ALLOWED, "GET runs queries only: send mutations with POST");
        }
    }
    if let Some(key) = caller {
        request = request.data(Caller(key));
    }
    match tokio::time::timeout(GRAPHQL_DEADLINE, schema.execute(request)).await {
        Ok(mut response) => {
            crate::order::in_document_order(&mut response.data, &doc, operation.as_deref());
            GraphQLResponse::from(response).into_response()
        }
        Err(_) => {
            state.metrics.api_deadline_exceeded.fetch_add(1, Relaxed);
            let message = format!("the request ran past its {} s deadline", GRAPHQL_DEADLINE.as_secs());
            graphql_refusal(StatusCode::OK, &message)
        }
    }
}

/// A GraphQL answer with one error and no data.
fn graphql_refusal(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "data": null, "errors": [{ "message": message }] });
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// The API key the request carries, authenticated once for the whole request: `Ok(None)` for
/// none, a 401 for one that is not valid (unknown, revoked or malformed).
async fn authenticate(state: &ApiState, headers: &HeaderMap) -> Result<Option<ApiKey>, Response> {
    let Some(secret) = api_key(headers) else { return Ok(None) };
    match state.key(secret).await {
        Some(key) => Ok(Some(key)),
        None => {
            let message = "the API key is not valid (unknown, revoked or malformed): send a valid key or none";
            let mut refused = graphql_refusal(StatusCode::UNAUTHORIZED, message);
            refused.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            Err(refused)
        }
    }
}

fn api_key(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    let key = bearer.or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()))?;
    Some(key.trim().to_string()).filter(|k| !k.is_empty())
}

/// The query string of `GET /reports/{kind}`.
#[derive(serde::Deserialize)]
struct ReportQuery {
    token: String,
    block: Option<u64>,
    at: Option<String>,
    /// A range (transfers, issuance): from and to a block number or an RFC 3339 time.
    from: Option<String>,
    to: Option<String>,
    /// The holder of a statement.
    holder: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

/// `GET /reports/holders|reconciliation|transfers|issuance?token=0x…[&block=N|&at=RFC3339]`
/// `[&from=B|T&to=B|T][&format=csv|json]`: the
/// report, with its block, block hash and digest also in `X-Registrar-*` headers.
async fn report(
    State(state): State<ApiState>,
    headers: HeaderMap,
    axum::extract::Path(kind): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> Response {
    use crate::reports::{self, ReportFormat, ReportKind};

    let parsed = (|| -> Result<_, crate::ApiError> {
        let kind: ReportKind = kind.parse()?;
        let token = crate::objects::parse_address(&q.token)?;
        let as_of = reports::parse_as_of(q.block, q.at.as_deref(), q.to.as_deref())?;
        let from = q.from.as_deref().map(reports::parse_bound).transpose()?;
        let format: ReportFormat = q.format.as_deref().unwrap_or("json").parse()?;
        let holder = q.holder.as_deref().map(crate::objects::parse_address).transpose()?;
        Ok(reports::ReportRequest { kind, token, as_of, from, holder, format })
    })();
    let request = match parsed {
        Ok(p) => p,
        Err(e) => return report_error(e),
    };
    let caller = match authenticate(&state, &headers).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let private = state.private_view(caller.as_ref(), request.token);
    match state.read(move |db| Ok(reports::build(db, &request, private))).await {
        Ok(Ok(r)) => {
            let hash = r.block_hash.map_or_else(|| "unknown".to_string(), |h| format!("{h:#x}"));
            let headers = [
                (header::CONTENT_TYPE, r.content_type.to_string()),
                (header::HeaderName::from_static("x-registrar-block"), r.block.to_string()),
                (header::HeaderName::from_static("x-registrar-block-hash"), hash),
                (header::HeaderName::from_static("x-registrar-digest"), format!("blake3:{}", r.digest)),
            ];
            (headers, r.body).into_response()
        }
        Ok(Err(e)) | Err(e) => report_error(e),
    }
}

/// A report that could not be built: the caller's mistake (400), not indexed yet (503), or ours.
fn report_error(e: crate::ApiError) -> Response {
    use crate::ApiError as E;
    let status = match &e {
        E::Store(_) | E::Internal(_) | E::Keys(_) | E::Io(_) => StatusCode::INTERNAL_SERVER_ERROR,
        E::Archive(a) if !a.is_client_error() => StatusCode::INTERNAL_SERVER_ERROR,
        E::NotIndexed | E::NoArchive => StatusCode::SERVICE_UNAVAILABLE,
        E::Unauthenticated => StatusCode::UNAUTHORIZED,
        E::Forbidden(_) => StatusCode::FORBIDDEN,
        E::BadAddress(_)
        | E::BlockNotIndexed { .. }
        | E::BadFirst { .. }
        | E::BadCursor
        | E::Invalid { .. }
        | E::Archive(_) => StatusCode::BAD_REQUEST,
    };
    (status, e.to_string()).into_response()
}

/// The query string of `GET /reports/holders/commitment`.
#[derive(serde::Deserialize)]
struct CommitmentQuery {
    token: String,
    block: Option<u64>,
    at: Option<String>,
    /// With a holder: that holder's inclusion proof as well.
    holder: Option<String>,
}

/// `GET /reports/holders/commitment?token=0x…[&block=N|&at=…][&holder=0x…]`: the Merkle root over
/// the register's rows (JSON), or a holder's proof that their row is in it.
async fn commitment(
    State(state): State<ApiState>,
    axum::extract::Query(q): axum::extract::Query<CommitmentQuery>,
) -> Response {
    use crate::reports;
    let parsed = (|| -> Result<_, crate::ApiError> {
        let token = crate::objects::parse_address(&q.token)?;
        let as_of = reports::parse_as_of(q.block, q.at.as_deref(), None)?;
        let holder = q.holder.as_deref().map(crate::objects::parse_address).transpose()?;
        Ok((token, as_of, holder))
    })();
    let (token, as_of, holder) = match parsed {
        Ok(p) => p,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let built = state
        .read(move |db| {
            Ok(match holder {
                Some(h) => reports::holder_proof(db, token, as_of, h).map(|p| serde_json::to_string_pretty(&p)),
                None => reports::commit(db, token, as_of).map(|c| serde_json::to_string_pretty(&c)),
            })
        })
        .await;
    match built {
        Ok(Ok(Ok(json))) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Ok(Ok(Err(e))) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        Ok(Err(e)) | Err(e) => report_error(e),
    }
}

/// A disclosure's content by its BLAKE3 hash, with the content type it was accepted as.
async fn content(State(state): State<ApiState>, axum::extract::Path(hash): axum::extract::Path<String>) -> Response {
    let Ok(hash) = registrar_merkle::parse_hash(&hash) else {
        return (StatusCode::BAD_REQUEST, "expected a BLAKE3 hash: 64 hex digits").into_response();
    };
    let found = state
        .archive(move |a| match a.disclosure_by_hash(&hash)? {
            Some(d) => Ok(Some((d.content_type, a.content(&hash)?))),
            None => Ok(None),
        })
        .await;
    match found {
        Ok(Some((content_type, bytes))) => {
            // Issuers' bytes on the API's origin: never run as a page of it. No sniffing, no
            // scripts, a sandbox; markup is downloaded rather than shown.
            let disposition = if content_type.starts_with("text/html") { "attachment" } else { "inline" };
            let headers = [
                (header::CONTENT_TYPE, content_type),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_string()),
                (header::CONTENT_DISPOSITION, format!("{disposition}; filename=\"{hash}\"", hash = hex::encode(hash))),
                (header::HeaderName::from_static("cross-origin-resource-policy"), "same-origin".to_string()),
            ];
            (headers, bytes).into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, "no disclosure has this content").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
}

/// GraphiQL, with its scripts and styles served by this server (`/graphiql/…`): it works without
/// internet access.
async fn graphiql() -> Html<&'static str> {
    Html(GRAPHIQL_PAGE)
}

const GRAPHIQL_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>registrar GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
<style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.production.min.js"></script>
<script src="/graphiql/react-dom.production.min.js"></script>
<script src="/graphiql/graphiql.min.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  ReactDOM.createRoot(document.getElementById('graphiql'))
    .render(React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true }));
</script>
</body>
</html>
"#;

/// The files GraphiQL's page loads, embedded in the binary (`api/assets/graphiql`, from npm).
const GRAPHIQL_ASSETS: &[(&str, &str, &[u8])] = &[
    ("graphiql.min.js", "text/javascript", include_bytes!("../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css", include_bytes!("../assets/graphiql/graphiql.min.css")),
    ("react.production.min.js", "text/javascript", include_bytes!("../assets/graphiql/react.production.min.js")),
    (
        "react-dom.production.min.js",
        "text/javascript",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    ),
];

async fn graphiql_asset(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    match GRAPHIQL_ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=86400")], *bytes)
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such GraphiQL file").into_response(),
    }
}

/// The web console (`console/`, built into `api/assets/console` by `make console`), embedded:
/// it works without a network.
const CONSOLE_ASSETS: &[(&str, &str, &[u8])] = &[
    ("index.html", "text/html; charset=utf-8", include_bytes!("../assets/console/index.html")),
    ("app.js", "text/javascript", include_bytes!("../assets/console/app.js")),
    ("app.css", "text/css", include_bytes!("../assets/console/app.css")),
    ("verifier.wasm", "application/wasm", include_bytes!("../assets/console/verifier.wasm")),
];

/// `/`: the console's page.
async fn console_page() -> Response {
    console_asset(axum::extract::Path("index.html".to_string())).await
}

async fn console_asset(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    match CONSOLE_ASSETS.iter().find(|(name, _, _)| *name == file) {
        // The page and its files change with the binary: revalidate rather than cache for a day.
        Some((_, content_type, bytes)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "no-cache")], *bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such console file").into_response(),
    }
}

async fn health() -> &'static str {
    "ok"
}

/// Ready when the projector has applied the whole log and the indexed block is within
/// `confirmations` of the chain head.
async fn ready(State(state): State<ApiState>) -> Response {
    let chain = match state.read(|db| db.chain_status()).await {
        Ok(s) => s,
        Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    };
    let Some(chain) = chain else {
        return (StatusCode::SERVICE_UNAVAILABLE, "nothing indexed yet").into_response();
    };
    if let Some(log) = state.log.clone() {
        let db = state.db.clone();
        // Records of each partition not applied yet (asking Kafka blocks).
        let behind = tokio::task::spawn_blocking(move || {
            let lags = registrar_store::partition_lags(log.as_ref(), &db)?;
            Ok::<_, registrar_store::StoreError>(
                lags.iter()
                    .filter(|l| l.behind() > 0)
                    .map(|l| format!("partition {}: applied {} of {} records", l.partition, l.applied, l.end))
                    .collect::<Vec<_>>(),
            )
        })
        .await;
        match behind {
            Ok(Ok(behind)) if behind.is_empty() => {}
            Ok(Ok(behind)) => {
                let msg = format!("projector behind the log: {}", behind.join("; "));
                return (StatusCode::SERVICE_UNAVAILABLE, msg).into_response();
            }
            Ok(Err(e)) => return (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
            Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
        }
    }
    let head = chain.head_block.0.max(state.metrics.chain_head_block.load(Relaxed));
    if chain.indexed_block.0 + state.confirmations < head {
        let msg = format!(
            "indexed block {} is more than {} blocks behind head {head}",
            chain.indexed_block, state.confirmations
        );
        return (StatusCode::SERVICE_UNAVAILABLE, msg).into_response();
    }
    (StatusCode::OK, format!("ready: indexed block {} of head {head}", chain.indexed_block)).into_response()
}

async fn metrics(State(state): State<ApiState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}
