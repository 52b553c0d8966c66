//! The node client: every call has a timeout, is counted, and is retried with exponential
//! backoff when (and only when) its error is retryable. `eth_getLogs` ranges adapt to what the
//! node accepts: a range refused as too large, or that timed out, is split in two.

use std::{
    collections::VecDeque,
    future::Future,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed},
        Arc, Mutex,
    },
    time::{Duration, SystemTime},
};

use alloy::{
    eips::{BlockId, BlockNumberOrTag},
    primitives::{Address, B256},
    providers::{DynProvider, Provider, ProviderBuilder},
    pubsub::Subscription,
    rpc::types::{Filter, Header, Log},
    transports::TransportResult,
};
use registrar_log::Metrics;
use registrar_schemas::{
    abi::{trex::ITREXViews, IERC20Metadata},
    BlockNumber, BlockRef,
};
use tracing::{debug, warn};

use crate::{
    error::retry_after,
    trace::{Call, Trace},
    AdaptiveRange, IngestError, RpcErrorKind,
};

/// What a T-REX contract's views point to.
pub struct SuiteLinks {
    /// A token's identity registry: the contract is a T-REX token.
    pub identity_registry: Option<Address>,
    /// Every linked contract, the identity registry included.
    pub all: Vec<Address>,
}

/// How to talk to the node.
#[derive(Clone, Debug)]
pub struct RpcConfig {
    /// `http(s)://` or `ws(s)://`.
    pub url: String,
    /// Nodes of the same chain tried in turn when the one in use keeps failing.
    pub fallbacks: Vec<String>,
    /// The longest one call may take.
    pub timeout: Duration,
    /// Attempts per call before ingest stops, for retryable errors.
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RpcConfig {
    fn default() -> Self {
        RpcConfig {
            url: "http://127.0.0.1:8545".into(),
            fallbacks: Vec::new(),
            timeout: Duration::from_secs(30),
            max_attempts: 30,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
        }
    }
}

/// A failed attempt: the kind decides what happens next.
struct Failure {
    kind: RpcErrorKind,
    message: String,
    /// How long the node asked us to wait (`Retry-After`, or a hint in the error payload).
    retry_after: Option<Duration>,
}

/// A JSON-RPC node, and the fallbacks of the same chain tried in turn.
pub struct Rpc {
    /// The nodes that could be connected to, by URL, the configured one first.
    providers: Vec<(String, DynProvider)>,
    /// The node in use: the next one is tried after a retryable failure.
    active: AtomicUsize,
    config: RpcConfig,
    metrics: Arc<Metrics>,
    /// The node refused `debug_traceTransaction` once: it is not asked again.
    cannot_trace: AtomicBool,
}

impl Rpc {
    /// Connects to the node and its fallbacks. A fallback that cannot be reached now is left out
    /// with a warning; the first that can is used; none is an error.
    pub async fn connect(config: RpcConfig, metrics: Arc<Metrics>) -> Result<Self, IngestError> {
        let mut providers = Vec::new();
        let mut first_error = None;
        for url in std::iter::once(&config.url).chain(&config.fallbacks) {
            match ProviderBuilder::new().connect(url).await {
                Ok(p) => providers.push((url.clone(), p.erased())),
                Err(e) => {
                    warn!(target: "ingest", %url, error = %e, "cannot connect to a node; trying the others");
                    first_error.get_or_insert(IngestError::Connect { url: url.clone(), message: e.to_string() });
                }
            }
        }
        if providers.is_empty() {
            return Err(first_error.expect("at least the configured node was tried"));
        }
        Ok(Rpc { providers, active: AtomicUsize::new(0), config, metrics, cannot_trace: AtomicBool::new(false) })
    }

    /// The node in use.
    fn provider(&self) -> &DynProvider {
        &self.providers[self.active.load(Relaxed) % self.providers.len()].1
    }

    /// Moves to the next node after a retryable failure of the one in use.
    fn next_node(&self, failure: &Failure) {
        if self.providers.len() < 2 {
            return;
        }
        let next = (self.active.load(Relaxed) + 1) % self.providers.len();
        self.active.store(next, Relaxed);
        warn!(target: "ingest", url = %self.providers[next].0, error = %failure.message, "the node in use keeps failing: trying the next");
    }

    /// Whether heads come by subscription: every node is a WebSocket one.
    pub fn is_pubsub(&self) -> bool {
        self.providers.iter().all(|(url, _)| url.starts_with("ws"))
    }

    /// Checks that every node answers the same chain id, and `expected` when given; returns it.
    /// A node that does not answer is left to the retries of later calls; one on another chain
    /// is an error at once (its blocks would be taken for a reorg, its logs for the token's).
    pub async fn check_chain(&self, expected: Option<u64>) -> Result<u64, IngestError> {
        let mut seen: Option<(String, u64)> = expected.map(|id| ("the configuration".to_string(), id));
        for (url, provider) in &self.providers {
            let id = match tokio::time::timeout(self.config.timeout, provider.get_chain_id()).await {
                Ok(Ok(id)) => id,
                Ok(Err(e)) => {
                    warn!(target: "ingest", %url, error = %e, "cannot read the node's chain id");
                    continue;
                }
                Err(_) => {
                    warn!(target: "ingest", %url, "no chain id from the node in time");
                    continue;
                }
            };
            match &seen {
                Some((source, want)) if *want != id => {
                    return Err(IngestError::WrongChain {
                        url: url.clone(),
                        actual: id,
                        expected: *want,
                        by: source.clone(),
                    })
                }
                Some(_) => {}
                None => seen = Some((url.clone(), id)),
            }
        }
        match seen {
            Some((_, id)) => Ok(id),
            None => self.chain_id().await,
        }
    }

    /// One attempt, with the timeout, counted in the metrics.
    async fn attempt<T, Fut>(&self, method: &'static str, fut: Fut) -> Result<T, Failure>
    where
        Fut: Future<Output = TransportResult<T>>,
    {
        self.metrics.rpc_requests.fetch_add(1, Relaxed);
        let failure = match tokio::time::timeout(self.config.timeout, fut).await {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => {
                Failure { kind: RpcErrorKind::classify(&e), message: e.to_string(), retry_after: retry_after(&e) }
            }
            Err(_) => Failure {
                kind: RpcErrorKind::Timeout,
                message: format!("no answer in {:?}", self.config.timeout),
                retry_after: None,
            },
        };
        self.metrics.rpc_error(failure.kind.label());
        debug!(target: "ingest", method, kind = failure.kind.label(), error = %failure.message, "rpc call failed");
        Err(failure)
    }

    /// The wait before attempt `attempt + 1`: exponential, capped, with jitter; longer when the
    /// node said it is rate limiting, and never shorter than the node asked for.
    fn backoff(&self, attempt: u32, failure: &Failure) -> Duration {
        let base = self.config.initial_backoff.saturating_mul(1 << attempt.min(16)).min(self.config.max_backoff);
        let base =
            if failure.kind == RpcErrorKind::RateLimited { (base * 4).min(self.config.max_backoff) } else { base };
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let jittered = base / 2 + base.mul_f64(f64::from(nanos % 1000) / 2000.0);
        failure.retry_after.map_or(jittered, |hint| jittered.max(hint))
    }

    /// Calls until success, a non-retryable error, or the attempts run out.
    async fn call<T, F, Fut>(&self, method: &'static str, f: F) -> Result<T, IngestError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = TransportResult<T>>,
    {
        self.call_or(method, f, |_| None).await
    }

    /// [`Rpc::call`], except that a failure `settle` turns into an error ends the call at once.
    async fn call_or<T, F, Fut>(
        &self,
        method: &'static str,
        mut f: F,
        settle: impl Fn(&Failure) -> Option<IngestError>,
    ) -> Result<T, IngestError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = TransportResult<T>>,
    {
        let mut attempt = 0;
        loop {
            match self.attempt(method, f()).await {
                Ok(v) => return Ok(v),
                Err(failure) => {
                    if let Some(e) = settle(&failure) {
                        return Err(e);
                    }
                    attempt += 1;
                    self.wait_before_retry(method, attempt, failure).await?;
                }
            }
        }
    }

    /// Sleeps before the next attempt, or gives up: when the error is not retryable or the
    /// attempts are used up.
    async fn wait_before_retry(&self, method: &'static str, attempt: u32, failure: Failure) -> Result<(), IngestError> {
        let retryable = match failure.kind {
            RpcErrorKind::RateLimited | RpcErrorKind::Timeout | RpcErrorKind::Unavailable => true,
            RpcErrorKind::RangeTooLarge | RpcErrorKind::Fatal => false,
        };
        if !retryable || attempt >= self.config.max_attempts {
            return Err(IngestError::Rpc { method, kind: failure.kind, attempts: attempt, message: failure.message });
        }
        if matches!(failure.kind, RpcErrorKind::Timeout | RpcErrorKind::Unavailable) {
            self.next_node(&failure);
        }
        let wait = self.backoff(attempt, &failure);
        warn!(target: "ingest", method, attempt, kind = failure.kind.label(), wait_ms = wait.as_millis() as u64, error = %failure.message, "rpc call failed, retrying");
        tokio::time::sleep(wait).await;
        Ok(())
    }

    pub async fn chain_id(&self) -> Result<u64, IngestError> {
        self.call("eth_chainId", || self.provider().get_chain_id()).await
    }

    pub async fn head(&self) -> Result<u64, IngestError> {
        self.call("eth_blockNumber", || self.provider().get_block_number()).await
    }

    /// The block at `number` on the node's current chain. A node that answers none is asked
    /// again a few times first: a replica behind a load balancer may not have it yet, and one
    /// such answer must not start a whole step over.
    pub async fn block(&self, number: u64) -> Result<BlockRef, IngestError> {
        for attempt in 0..MISSING_BLOCK_ATTEMPTS {
            let block = self
                .call("eth_getBlockByNumber", || async {
                    self.provider().get_block_by_number(BlockNumberOrTag::Number(number)).await
                })
                .await?;
            if let Some(block) = block {
                return Ok(block_ref(&block.header));
            }
            if attempt + 1 < MISSING_BLOCK_ATTEMPTS {
                tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt + 1))).await;
            }
        }
        Err(IngestError::MissingBlock(number))
    }

    /// The hash of block `number` on the node's current chain.
    pub async fn block_hash(&self, number: u64) -> Result<B256, IngestError> {
        Ok(self.block(number).await?.hash)
    }

    /// A subscription to new heads, over a pubsub transport.
    pub async fn subscribe_heads(&self) -> Result<Subscription<Header>, IngestError> {
        self.call("eth_subscribe", || async { self.provider().subscribe_blocks().await }).await
    }

    /// The logs of `addresses` in `[from, to]`, split into smaller ranges as the node demands.
    pub async fn logs(
        &self,
        addresses: &[Address],
        from: u64,
        to: u64,
        range: &Mutex<AdaptiveRange>,
    ) -> Result<Vec<Log>, IngestError> {
        let mut out = Vec::new();
        let mut pending = VecDeque::from([(from, to)]);
        let mut attempt = 0;
        while let Some((a, b)) = pending.pop_front() {
            let filter = Filter::new().address(addresses.to_vec()).from_block(a).to_block(b);
            match self.attempt("eth_getLogs", self.provider().get_logs(&filter)).await {
                Ok(logs) => {
                    attempt = 0;
                    range.lock().expect("range lock poisoned").success(b - a + 1, logs.len());
                    out.extend(logs);
                }
                Err(f) if matches!(f.kind, RpcErrorKind::RangeTooLarge | RpcErrorKind::Timeout) && b > a => {
                    range.lock().expect("range lock poisoned").shrink(b - a + 1);
                    let mid = a + (b - a) / 2;
                    debug!(target: "ingest", from = a, to = b, kind = f.kind.label(), "splitting log range");
                    pending.push_front((mid + 1, b));
                    pending.push_front((a, mid));
                }
                Err(f) => {
                    attempt += 1;
                    debug!(target: "ingest", from = a, to = b, "eth_getLogs failed");
                    self.wait_before_retry("eth_getLogs", attempt, f).await?;
                    pending.push_front((a, b));
                }
            }
        }
        Ok(out)
    }

    /// The logs of `addresses` in the block with this hash (EIP-234): exactly that block's, even
    /// while the node's chain is being replaced (a range query can answer logs of replaced blocks).
    /// A block the node no longer has (replaced since its header was read) is the chain
    /// changing under the reads, answered at once, not an outage to wait out.
    pub async fn logs_at_hash(&self, addresses: &[Address], hash: B256) -> Result<Vec<Log>, IngestError> {
        let filter = Filter::new().address(addresses.to_vec()).at_block_hash(hash);
        self.call_or(
            "eth_getLogs",
            || self.provider().get_logs(&filter),
            |f| {
                block_is_gone(&f.message)
                    .then(|| IngestError::Inconsistent(format!("block {hash} is gone from the node: {}", f.message)))
            },
        )
        .await
    }

    /// `name`, `symbol` and `decimals` of a token, empty where the contract lacks the view.
    pub async fn token_metadata(&self, token: Address) -> Result<(String, String, u8), IngestError> {
        let erc20 = IERC20Metadata::new(token, self.provider());
        let name = self.optional_view("name", || async { erc20.name().call().await }).await?.unwrap_or_default();
        let symbol = self.optional_view("symbol", || async { erc20.symbol().call().await }).await?.unwrap_or_default();
        let decimals = self.optional_view("decimals", || async { erc20.decimals().call().await }).await?.unwrap_or(0);
        Ok((name, symbol, decimals))
    }

    /// The contracts a T-REX contract points to, read with its views: a token's identity
    /// registry and compliance, a registry's storage and its claim topics and trusted issuers
    /// registries. Views a contract lacks are skipped; zero addresses are left out.
    pub async fn suite_links(&self, contract: Address) -> Result<SuiteLinks, IngestError> {
        let c = ITREXViews::new(contract, self.provider());
        let nonzero = |a: Option<Address>| a.filter(|a| !a.is_zero());
        let identity_registry =
            nonzero(self.optional_view("identityRegistry", || async { c.identityRegistry().call().await }).await?);
        let others = [
            self.optional_view("compliance", || async { c.compliance().call().await }).await?,
            self.optional_view("identityStorage", || async { c.identityStorage().call().await }).await?,
            self.optional_view("issuersRegistry", || async { c.issuersRegistry().call().await }).await?,
            self.optional_view("topicsRegistry", || async { c.topicsRegistry().call().await }).await?,
        ];
        let mut all: Vec<Address> = identity_registry.into_iter().collect();
        all.extend(others.into_iter().filter_map(nonzero));
        all.extend(self.ds_services(contract).await?);
        all.extend(self.st20_transfer_managers(contract).await?);
        Ok(SuiteLinks { identity_registry, all })
    }

    /// The services a DS contract uses (`getDSService`): its registry, lock manager, trust
    /// service, wallet manager, compliance and compliance configuration. None unless it answers
    /// for the registry.
    async fn ds_services(&self, contract: Address) -> Result<Vec<Address>, IngestError> {
        use registrar_schemas::{
            abi::ds::IDSViews, DS_COMPLIANCE_CONFIGURATION, DS_COMPLIANCE_SERVICE, DS_LOCK_MANAGER,
            DS_REGISTRY_SERVICE, DS_TRUST_SERVICE, DS_WALLET_MANAGER,
        };
        let c = IDSViews::new(contract, self.provider());
        let service = |id: u64| {
            let c = &c;
            async move {
                self.optional_view("getDSService", || async {
                    c.getDSService(alloy::primitives::U256::from(id)).call().await
                })
                .await
                .map(|a| a.filter(|a| !a.is_zero()))
            }
        };
        let Some(registry) = service(DS_REGISTRY_SERVICE).await? else { return Ok(Vec::new()) };
        let mut found = vec![registry];
        for id in
            [DS_LOCK_MANAGER, DS_TRUST_SERVICE, DS_WALLET_MANAGER, DS_COMPLIANCE_SERVICE, DS_COMPLIANCE_CONFIGURATION]
        {
            found.extend(service(id).await?);
        }
        Ok(found)
    }

    /// An ST-20 token's transfer managers (`getModulesByType(2)`, v2; v1 tokens are followed
    /// from their `LogModuleAdded` events).
    async fn st20_transfer_managers(&self, contract: Address) -> Result<Vec<Address>, IngestError> {
        use registrar_schemas::{abi::st20::IST20Views, ST20_TRANSFER_MANAGER};
        let c = IST20Views::new(contract, self.provider());
        let modules = self
            .optional_view("getModulesByType", || async { c.getModulesByType(ST20_TRANSFER_MANAGER).call().await })
            .await?
            .unwrap_or_default();
        // A hostile answer cannot make ingest follow without bound.
        Ok(modules.into_iter().filter(|a| !a.is_zero()).take(16).collect())
    }

    /// The sender, recipient and input of a transaction.
    pub async fn transaction(&self, hash: B256) -> Result<Option<Call>, IngestError> {
        use alloy::consensus::Transaction as _;
        let tx = self.call("eth_getTransactionByHash", || self.provider().get_transaction_by_hash(hash)).await?;
        Ok(tx.map(|t| Call { from: t.inner.signer(), to: t.to(), input: t.input().clone() }))
    }

    /// Every call a transaction made, its own first and then the calls inside it in execution
    /// order (`debug_traceTransaction` with the `callTracer`). `None` when the node does not
    /// trace (the method is missing or disabled): then it is not asked again.
    pub async fn traced_calls(&self, hash: B256) -> Result<Option<Vec<Call>>, IngestError> {
        if self.cannot_trace.load(Relaxed) {
            return Ok(None);
        }
        let options = serde_json::json!({ "tracer": "callTracer" });
        // As text: a trace nests a frame per call depth, deeper than serde_json's tree reads.
        let trace: Option<Box<serde_json::value::RawValue>> = self
            .call("debug_traceTransaction", || async {
                let request = (hash, &options);
                match self
                    .provider()
                    .raw_request::<_, Box<serde_json::value::RawValue>>("debug_traceTransaction".into(), request)
                    .await
                {
                    Ok(trace) => Ok(Some(trace)),
                    Err(e) if e.as_error_resp().is_some_and(|p| tracing_unsupported(p.code, &p.message)) => Ok(None),
                    // Gone since its logs were read: the chain changed (told apart below).
                    Err(e) if e.as_error_resp().is_some_and(|p| p.message.to_lowercase().contains("not found")) => {
                        Ok(serde_json::value::RawValue::from_string("null".into()).ok())
                    }
                    Err(e) => Err(e),
                }
            })
            .await?;
        let malformed = |what: &str| IngestError::Rpc {
            method: "debug_traceTransaction",
            kind: RpcErrorKind::Fatal,
            attempts: 1,
            message: format!("malformed call trace of {hash}: {what}"),
        };
        let trace = match trace {
            Some(text) => Some(crate::trace::flatten(text.get()).map_err(malformed)?),
            None => None,
        };
        match trace {
            Some(Trace::Calls(calls)) => Ok(Some(calls)),
            // Not a call tracer's frame (or "not found"): the node does not know the transaction
            // (anvil answers an empty struct-log trace), or it ignored the tracer.
            Some(Trace::NotAFrame) if self.transaction(hash).await?.is_none() => {
                Err(IngestError::Inconsistent(format!("transaction {hash} is gone from the node")))
            }
            Some(Trace::NotAFrame) | None => {
                if !self.cannot_trace.swap(true, Relaxed) {
                    warn!(target: "ingest", "the node does not trace transactions (debug_traceTransaction): forced transfers and identity updates made through another contract are not told apart");
                }
                Ok(None)
            }
        }
    }

    /// An investor's country as identity registry storage (`storage`) or an identity registry
    /// holds it after `block`.
    pub async fn investor_country(
        &self,
        contract: Address,
        investor: Address,
        storage: bool,
        block: u64,
    ) -> Result<u16, IngestError> {
        let c = ITREXViews::new(contract, self.provider());
        let at = BlockId::number(block);
        let country = if storage {
            self.optional_view("storedInvestorCountry", || async {
                c.storedInvestorCountry(investor).block(at).call().await
            })
            .await?
        } else {
            self.optional_view("investorCountry", || async { c.investorCountry(investor).block(at).call().await })
                .await?
        };
        Ok(country.unwrap_or(0))
    }

    /// `name` and `symbol` of a token after `block`, empty where it lacks the view.
    pub async fn token_strings_at(&self, token: Address, block: u64) -> Result<(String, String), IngestError> {
        let erc20 = IERC20Metadata::new(token, self.provider());
        let at = BlockId::number(block);
        let name = self.optional_view("name", || async { erc20.name().block(at).call().await }).await?;
        let symbol = self.optional_view("symbol", || async { erc20.symbol().block(at).call().await }).await?;
        Ok((name.unwrap_or_default(), symbol.unwrap_or_default()))
    }

    /// An `eth_call` whose revert or undecodable answer means "not implemented".
    async fn optional_view<T, F, Fut>(&self, view: &'static str, mut f: F) -> Result<Option<T>, IngestError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, alloy::contract::Error>>,
    {
        self.call("eth_call", || {
            let fut = f();
            async move {
                match fut.await {
                    Ok(v) => Ok(Some(v)),
                    Err(alloy::contract::Error::TransportError(e)) if e.as_error_resp().is_none() => Err(e),
                    Err(e) => {
                        debug!(target: "ingest", view, error = %e, "token view not available");
                        Ok(None)
                    }
                }
            }
        })
        .await
    }
}

pub(crate) fn block_ref(header: &Header) -> BlockRef {
    BlockRef {
        number: BlockNumber(header.number),
        hash: header.hash,
        parent_hash: header.parent_hash,
        timestamp: header.timestamp,
    }
}

/// Whether a JSON-RPC error says the node has no call tracer: the method is unknown (-32601),
/// or disabled (geth: "does not exist/is not available"; providers: "not supported").
fn tracing_unsupported(code: i64, message: &str) -> bool {
    let message = message.to_lowercase();
    code == -32601
        || ["does not exist", "not available", "not supported", "unsupported", "not enabled", "disabled"]
            .iter()
            .any(|m| message.contains(m))
}

/// Times a block the node says it does not have is asked for before it counts as missing (a
/// replica behind the one that gave the head: 50 + 100 + 150 + 200 ms of waiting in all), after
/// which the step starts over as for a reorg.
const MISSING_BLOCK_ATTEMPTS: u32 = 5;

/// Whether a node's error says the block asked for does not exist (any more): anvil and geth
/// answer "unknown block", others "block not found" or "header not found".
fn block_is_gone(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("unknown block") || m.contains("block not found") || m.contains("header not found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gone_blocks_are_recognised() {
        assert!(block_is_gone("server returned an error response: error code -32000: unknown block"));
        assert!(block_is_gone("Header not found"));
        assert!(!block_is_gone("rate limited"));
    }

    /// A forced transfer through an agent manager, as anvil's and geth's `callTracer` give it:
    /// the manager calls the token proxy, which delegates to its implementation.
    #[test]
    fn a_call_trace_flattens_in_execution_order() {
        let trace = serde_json::json!({
            "type": "CALL", "from": "0x1000000000000000000000000000000000000001",
            "to": "0x2000000000000000000000000000000000000002", "input": "0xaabbccdd",
            "calls": [
                { "type": "STATICCALL", "from": "0x2000000000000000000000000000000000000002",
                  "to": "0x3000000000000000000000000000000000000003", "input": "0x01" },
                { "type": "CALL", "from": "0x2000000000000000000000000000000000000002",
                  "to": "0x4000000000000000000000000000000000000004", "input": "0x9fc1d0e7",
                  "calls": [{ "type": "DELEGATECALL", "from": "0x4000000000000000000000000000000000000004",
                              "to": "0x5000000000000000000000000000000000000005", "input": "0x9fc1d0e7" }] },
                { "type": "CREATE", "from": "0x2000000000000000000000000000000000000002",
                  "to": "0x6000000000000000000000000000000000000006", "input": "0x6080" }
            ]
        });
        let Trace::Calls(calls) = crate::trace::flatten(&trace.to_string()).unwrap() else { panic!("a frame") };
        let shape: Vec<(u8, Option<u8>, usize)> =
            calls.iter().map(|c| (c.from[0] >> 4, c.to.map(|t| t[0] >> 4), c.input.len())).collect();
        assert_eq!(shape, vec![(1, Some(2), 4), (2, Some(3), 1), (2, Some(4), 4), (4, Some(5), 4), (2, None, 2)]);
        assert_eq!(crate::trace::flatten(r#"{ "to": "0x01" }"#).unwrap(), Trace::NotAFrame);
    }

    #[test]
    fn nodes_without_a_tracer_are_recognised() {
        assert!(tracing_unsupported(-32601, "Method not found"));
        assert!(tracing_unsupported(-32000, "the method debug_traceTransaction does not exist/is not available"));
        assert!(!tracing_unsupported(-32000, "transaction 0xab not found"));
    }
}
