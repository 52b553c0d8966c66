use alloy::transports::{RpcError, TransportErrorKind};
use registrar_log::LogError;

/// How a failed RPC call failed, for retries and the `registrar_rpc_errors_total` series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RpcErrorKind {
    /// HTTP 429 or a rate-limit error payload: wait longer.
    RateLimited,
    /// The node refused the block range or the size of the answer: shrink the range.
    RangeTooLarge,
    /// The call took longer than the timeout: shrink the range, try again.
    Timeout,
    /// 5xx, a dropped connection, an empty answer: try again.
    Unavailable,
    /// An answer that cannot be right and will not change: stop.
    Fatal,
}

impl RpcErrorKind {
    pub fn label(self) -> &'static str {
        match self {
            RpcErrorKind::RateLimited => "rate_limited",
            RpcErrorKind::RangeTooLarge => "range_too_large",
            RpcErrorKind::Timeout => "timeout",
            RpcErrorKind::Unavailable => "unavailable",
            RpcErrorKind::Fatal => "fatal",
        }
    }

    /// Sorts an alloy transport error. Unknown errors are fatal: stopping loudly beats skipping.
    pub fn classify(err: &RpcError<TransportErrorKind>) -> RpcErrorKind {
        match err {
            RpcError::Transport(kind) => match kind {
                TransportErrorKind::HttpError(e) | TransportErrorKind::HttpErrorWithRetryAfter { error: e, .. } => {
                    match e.status {
                        429 => RpcErrorKind::RateLimited,
                        413 => RpcErrorKind::RangeTooLarge,
                        500..=599 => RpcErrorKind::Unavailable,
                        _ => RpcErrorKind::Fatal,
                    }
                }
                // reqwest's connection errors (refused, reset, closed mid-body) arrive as custom errors.
                TransportErrorKind::Custom(e) if e.to_string().contains("429") => RpcErrorKind::RateLimited,
                TransportErrorKind::Custom(_)
                | TransportErrorKind::BackendGone
                | TransportErrorKind::MissingBatchResponse(_) => RpcErrorKind::Unavailable,
                TransportErrorKind::PubsubUnavailable | TransportErrorKind::NonRetryable(_) => RpcErrorKind::Fatal,
                _ => RpcErrorKind::Fatal,
            },
            RpcError::ErrorResp(payload) => {
                let msg = payload.message.to_lowercase();
                if payload.code == -32005
                    || msg.contains("query returned more than")
                    || msg.contains("block range")
                    || msg.contains("range too large")
                    || msg.contains("too many")
                    || msg.contains("exceed")
                    || msg.contains("response size")
                {
                    RpcErrorKind::RangeTooLarge
                } else if payload.code == 429 || msg.contains("rate limit") || msg.contains("capacity") {
                    RpcErrorKind::RateLimited
                } else if payload.is_retry_err() || msg.contains("header not found") || msg.contains("unknown block") {
                    RpcErrorKind::Unavailable
                } else {
                    RpcErrorKind::Fatal
                }
            }
            RpcError::NullResp => RpcErrorKind::Unavailable,
            // A body that is not JSON-RPC: a proxy's error page or a truncated answer.
            RpcError::DeserError { text, .. } if text.trim().is_empty() || !text.trim_start().starts_with('{') => {
                RpcErrorKind::Unavailable
            }
            _ => RpcErrorKind::Fatal,
        }
    }
}

/// The wait the node asked for with `Retry-After`, at most five minutes.
pub(crate) fn retry_after(err: &RpcError<TransportErrorKind>) -> Option<std::time::Duration> {
    match err {
        RpcError::Transport(TransportErrorKind::HttpErrorWithRetryAfter { retry_after, .. }) => {
            Some((*retry_after).min(std::time::Duration::from_secs(300)))
        }
        _ => None,
    }
}

/// Why ingest stopped.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("rpc {method} failed ({kind:?}) after {attempts} attempts: {message}")]
    Rpc { method: &'static str, kind: RpcErrorKind, attempts: u32, message: String },
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
    #[error("the node {url} is on chain {actual}, not chain {expected} ({by} says {expected})")]
    WrongChain { url: String, actual: u64, expected: u64, by: String },
    #[error("node returned no block {0}")]
    MissingBlock(u64),
    #[error("reorg deeper than the kept window: no block of {window} known blocks (down to {lowest}) is on the node's chain")]
    ReorgTooDeep { window: usize, lowest: u64 },
    #[error("reorg below the finalized block {finalized}: common ancestor {ancestor}; raise --confirmations")]
    ReorgBelowFinality { ancestor: u64, finalized: u64 },
    #[error("chain id changed from {expected} to {found}: the node is on another chain")]
    ChainChanged { expected: u64, found: u64 },
    #[error("the log's last {records} records hold no commit: cannot tell where ingest left off")]
    LostPosition { records: u64 },
    #[error("the node's answers disagree, a reorg is under way: {0}")]
    Inconsistent(String),
    #[error("log without {0}: the node returned a pending log")]
    IncompleteLog(&'static str),
    #[error("event log: {0}")]
    Log(#[from] LogError),
    #[error("task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl IngestError {
    /// Whether running ingest again from the log may get past the error.
    pub fn is_retryable(&self) -> bool {
        match self {
            IngestError::Rpc { kind, .. } => match kind {
                RpcErrorKind::RateLimited | RpcErrorKind::Timeout | RpcErrorKind::Unavailable => true,
                RpcErrorKind::RangeTooLarge | RpcErrorKind::Fatal => false,
            },
            IngestError::Connect { .. } | IngestError::Inconsistent(_) => true,
            IngestError::Log(e) => e.is_retryable(),
            IngestError::MissingBlock(_)
            | IngestError::WrongChain { .. }
            | IngestError::ReorgTooDeep { .. }
            | IngestError::ReorgBelowFinality { .. }
            | IngestError::ChainChanged { .. }
            | IngestError::IncompleteLog(_)
            | IngestError::LostPosition { .. }
            | IngestError::Join(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use alloy::{
        rpc::json_rpc::ErrorPayload,
        transports::{HttpError, RpcError, TransportErrorKind},
    };

    use super::RpcErrorKind;

    fn http(status: u16) -> RpcError<TransportErrorKind> {
        RpcError::Transport(TransportErrorKind::HttpError(HttpError { status, body: String::new() }))
    }

    fn payload(code: i64, message: &str) -> RpcError<TransportErrorKind> {
        RpcError::ErrorResp(ErrorPayload { code, message: message.to_string().into(), data: None })
    }

    #[test]
    fn errors_are_sorted_by_what_to_do_next() {
        assert_eq!(RpcErrorKind::classify(&http(429)), RpcErrorKind::RateLimited);
        assert_eq!(RpcErrorKind::classify(&http(503)), RpcErrorKind::Unavailable);
        assert_eq!(RpcErrorKind::classify(&http(413)), RpcErrorKind::RangeTooLarge);
        assert_eq!(RpcErrorKind::classify(&http(401)), RpcErrorKind::Fatal);
        assert_eq!(RpcErrorKind::classify(&payload(-32005, "limit exceeded")), RpcErrorKind::RangeTooLarge);
        assert_eq!(
            RpcErrorKind::classify(&payload(-32602, "query returned more than 10000 results")),
            RpcErrorKind::RangeTooLarge
        );
        assert_eq!(RpcErrorKind::classify(&payload(-32000, "header not found")), RpcErrorKind::Unavailable);
        assert_eq!(RpcErrorKind::classify(&payload(-32601, "method not found")), RpcErrorKind::Fatal);
        assert_eq!(RpcErrorKind::classify(&RpcError::NullResp), RpcErrorKind::Unavailable);
        let dropped = RpcError::Transport(TransportErrorKind::Custom("connection reset by peer".into()));
        assert_eq!(RpcErrorKind::classify(&dropped), RpcErrorKind::Unavailable);
    }
}
