// registrar's web console: tokens, cap tables as of any block or date, holders, the transfer
// journal, corporate actions, pools, report downloads, disclosure search, proof verification
// in the browser, and anchors. Preact with htm (no JSX step), bundled by esbuild; served by the
// binary with everything embedded, so it works offline.

import { h, render } from 'preact';
import { useEffect, useState, useCallback } from 'preact/hooks';
import htm from 'htm';
import { gql, subscribe, downloadReport, apiKey, setApiKey } from './api.js';
import { verifyProof, checkAnchor } from './verify.js';

const html = htm.bind(h);

// ---- routing: #/tokens, #/token/0x…, #/disclosures, #/verify, #/anchors ----

function useRoute() {
  const [hash, setHash] = useState(location.hash || '#/tokens');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/tokens');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.slice(2).split('/');
}

function useQuery(query, variables, deps) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    gql(query, variables).then(
      (data) => live && setState({ data }),
      (error) => live && setState({ error }),
    );
    return () => { live = false; };
  }, deps);
  return state;
}

const short = (a) => (a && a.length > 14 ? `${a.slice(0, 8)}…${a.slice(-6)}` : a);
const time = (t) => (t ? new Date(t * 1000).toISOString().replace('.000Z', 'Z') : '');

function units(value, decimals) {
  if (value == null) return '';
  if (!decimals) return BigInt(value).toLocaleString('en-US');
  const v = BigInt(value);
  const base = 10n ** BigInt(decimals);
  const frac = (v % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return (v / base).toLocaleString('en-US') + (frac ? `.${frac}` : '');
}

function Failure({ error }) {
  return error ? html`<p class="error" role="alert">${error.message || String(error)}</p>` : null;
}

// ---- the frame: navigation, live status, API key ----

function Status() {
  const [status, setStatus] = useState(null);
  const [event, setEvent] = useState('');
  useEffect(() => {
    gql('{ status { chainId indexedBlock headBlock finalizedBlock } }').then((d) => setStatus(d.status), () => {});
    return subscribe('subscription { blocks { number reverted final finalizedBlock headBlock } }', {}, (d) => {
      const b = d.blocks;
      setStatus((s) => ({ ...(s || {}), indexedBlock: b.number, finalizedBlock: b.finalizedBlock, headBlock: b.headBlock }));
      setEvent(b.reverted ? `reorg: back to block ${b.number}` : '');
    });
  }, []);
  if (!status) return html`<span class="status">connecting…</span>`;
  return html`<span class="status" aria-live="polite">
    chain ${status.chainId ?? ''} · indexed <b data-testid="indexed">${status.indexedBlock}</b> · final ${status.finalizedBlock} · head ${status.headBlock}
    ${event && html` · <b class="warn">${event}</b>`}
  </span>`;
}

function KeyForm() {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(apiKey());
  if (!open) {
    return html`<button class="link" onClick=${() => setOpen(true)}>${apiKey() ? 'API key set' : 'Enter API key'}</button>`;
  }
  const save = (e) => { e.preventDefault(); setApiKey(value.trim()); setOpen(false); location.reload(); };
  return html`<form class="key" onSubmit=${save}>
    <label>API key <input type="password" value=${value} onInput=${(e) => setValue(e.target.value)} autocomplete="off" /></label>
    <button type="submit">Use</button>
    <button type="button" onClick=${() => { setApiKey(''); setOpen(false); location.reload(); }}>Forget</button>
  </form>`;
}

function Frame({ route, children }) {
  const tab = (name, label) => html`<a href="#/${name}" aria-current=${route[0] === name ? 'page' : null}>${label}</a>`;
  return html`<header>
      <strong>registrar</strong>
      <nav aria-label="sections">${tab('tokens', 'Tokens')}${tab('disclosures', 'Disclosures')}${tab('verify', 'Verify a proof')}${tab('anchors', 'Anchors')}<a href="/graphql">GraphiQL</a></nav>
      <${Status} />
      <${KeyForm} />
    </header>
    <main>${children}</main>`;
}

// ---- tokens ----

function Tokens() {
  const q = useQuery('{ tokens(first: 200) { nodes { address name symbol decimals } } }', {}, []);
  return html`<h1>Tokens</h1>
    <${Failure} error=${q.error} />
    ${q.data && html`<table><thead><tr><th>Name</th><th>Symbol</th><th>Address</th></tr></thead><tbody>
      ${q.data.tokens.nodes.map((t) => html`<tr><td><a href=${`#/token/${t.address}`}>${t.name || '(no name)'}</a></td><td>${t.symbol}</td><td class="mono">${t.address}</td></tr>`)}
    </tbody></table>`}`;
}

// ---- a token: cap table in time, holders, transfers, corporate actions, pool, reports ----

function Token({ address }) {
  const [tab, setTab] = useState('cap');
  const head = useQuery('query($a: String!) { status { indexedBlock } token(address: $a) { name symbol decimals block } }', { a: address }, [address]);
  if (head.error) return html`<${Failure} error=${head.error} />`;
  if (!head.data) return html`<p>Loading…</p>`;
  const t = head.data.token;
  if (!t) return html`<p>No token ${address} is watched.</p>`;
  const tabs = [['cap', 'Cap table'], ['transfers', 'Transfers'], ['actions', 'Corporate actions'], ['pool', 'Pool'], ['reports', 'Reports']];
  return html`<h1>${t.name} <small>${t.symbol} · <span class="mono">${address}</span></small></h1>
    <div role="tablist">${tabs.map(([k, label]) => html`<button role="tab" aria-selected=${tab === k} onClick=${() => setTab(k)}>${label}</button>`)}</div>
    ${tab === 'cap' && html`<${CapTable} address=${address} decimals=${t.decimals} latest=${head.data.status.indexedBlock} />`}
    ${tab === 'transfers' && html`<${Transfers} address=${address} decimals=${t.decimals} />`}
    ${tab === 'actions' && html`<${Actions} address=${address} />`}
    ${tab === 'pool' && html`<${Pool} address=${address} decimals=${t.decimals} />`}
    ${tab === 'reports' && html`<${Reports} address=${address} />`}`;
}

function CapTable({ address, decimals, latest }) {
  const [block, setBlock] = useState(latest);
  const [date, setDate] = useState('');
  const [holder, setHolder] = useState(null);
  const asOf = date ? { at: new Date(date).toISOString().replace('.000Z', 'Z') } : { number: block };
  const q = useQuery(
    `query($a: String!, $b: BlockHeight) { token(address: $a, block: $b) { block finalized totalSupply holderCount partitions { name balance }
       holders(first: 100) { nodes { address balance frozen isFrozen ${apiKey() ? 'label' : ''} } } } }`,
    { a: address, b: asOf }, [address, block, date]);
  const t = q.data && q.data.token;
  return html`<section aria-label="cap table">
    <form class="asof" onSubmit=${(e) => e.preventDefault()}>
      <label>As of block <input type="range" min="0" max=${latest} value=${block} aria-label="block" data-testid="block-slider"
        onChange=${(e) => { setDate(''); setBlock(Number(e.target.value)); }} /></label>
      <input type="number" min="0" max=${latest} value=${block} aria-label="block number" data-testid="block-number"
        onChange=${(e) => { setDate(''); setBlock(Number(e.target.value)); }} />
      <label>or date <input type="datetime-local" value=${date} data-testid="as-of-date" onChange=${(e) => setDate(e.target.value)} /></label>
      <button type="button" onClick=${() => { setDate(''); setBlock(latest); }}>Latest</button>
    </form>
    <${Failure} error=${q.error} />
    ${t && html`<p data-testid="cap-summary">Block <b data-testid="cap-block">${t.block}</b>${t.finalized ? ' (final)' : ' (not final yet)'} ·
      supply <b data-testid="cap-supply">${units(t.totalSupply, decimals)}</b> · ${t.holderCount} holders
      ${t.partitions.length > 0 && html` · partitions: ${t.partitions.map((p) => `${p.name} ${units(p.balance, decimals)}`).join(', ')}`}</p>
      <table data-testid="cap-table"><thead><tr><th>Holder</th><th class="num">Balance</th><th class="num">Share</th><th>Frozen</th><th>Label</th></tr></thead><tbody>
      ${t.holders.nodes.map((n) => html`<tr>
        <td><button class="link mono" onClick=${() => setHolder(n.address)}>${n.address}</button></td>
        <td class="num">${units(n.balance, decimals)}</td>
        <td class="num">${t.totalSupply !== '0' ? (Number((BigInt(n.balance) * 1000000n) / BigInt(t.totalSupply)) / 10000).toFixed(2) + '%' : ''}</td>
        <td>${n.isFrozen ? 'wallet' : n.frozen !== '0' ? units(n.frozen, decimals) : ''}</td><td>${n.label || ''}</td></tr>`)}
      </tbody></table>`}
    ${holder && html`<${Holder} token=${address} address=${holder} decimals=${decimals} block=${t ? t.block : block} onClose=${() => setHolder(null)} />`}
  </section>`;
}

function Holder({ token, address, decimals, block, onClose }) {
  const q = useQuery(
    `query($t: String!, $h: String!, $b: BlockHeight) { token(address: $t, block: $b) {
       holder(address: $h) { address balance frozen isFrozen firstAcquiredBlock identity label country delegate
         investor { id } locks { reasonText value releaseTime } bonds { classId nonceId amount } partitions { name balance } }
       transfers(first: 50, where: { account: $h }) { totalCount nodes { from to value blockNumber blockTimestamp txHash } } } }`,
    { t: token, h: address, b: { number: block } }, [token, address, block]);
  const d = q.data && q.data.token;
  return html`<aside aria-label="holder" class="panel">
    <h2>Holder <span class="mono">${address}</span> <button onClick=${onClose} aria-label="close">×</button></h2>
    <${Failure} error=${q.error} />
    ${d && html`<dl>
        <dt>Balance</dt><dd>${units(d.holder.balance, decimals)}</dd>
        <dt>Frozen</dt><dd>${d.holder.isFrozen ? 'whole wallet' : units(d.holder.frozen, decimals)}</dd>
        <dt>Holder since block</dt><dd>${d.holder.firstAcquiredBlock ?? ''}</dd>
        <dt>Identity</dt><dd>${d.holder.identity ?? '(private: enter an API key)'}</dd>
        <dt>Label</dt><dd>${d.holder.label ?? ''}</dd>
        <dt>Country</dt><dd>${d.holder.country ?? ''}</dd>
        <dt>Investor</dt><dd>${d.holder.investor ? d.holder.investor.id : ''}</dd>
        <dt>Locks</dt><dd>${(d.holder.locks || []).map((l) => `${l.value} until ${time(Number(l.releaseTime))} (${l.reasonText})`).join('; ')}</dd>
        <dt>Bonds</dt><dd>${(d.holder.bonds || []).map((b) => `class ${b.classId}/${b.nonceId}: ${b.amount}`).join('; ')}</dd>
        <dt>Partitions</dt><dd>${(d.holder.partitions || []).map((p) => `${p.name}: ${units(p.balance, decimals)}`).join('; ')}</dd>
      </dl>
      <h3>History: ${d.transfers.totalCount} transfers</h3>
      <${TransferTable} rows=${d.transfers.nodes} decimals=${decimals} />`}
  </aside>`;
}

function TransferTable({ rows, decimals }) {
  return html`<table data-testid="transfers"><thead><tr><th>Block</th><th>Time</th><th>From</th><th>To</th><th class="num">Value</th><th>Transaction</th></tr></thead><tbody>
    ${rows.map((r) => html`<tr><td>${r.blockNumber}</td><td>${time(r.blockTimestamp)}</td><td class="mono" title=${r.from}>${short(r.from)}</td>
      <td class="mono" title=${r.to}>${short(r.to)}</td><td class="num">${units(r.value, decimals)}</td><td class="mono" title=${r.txHash}>${short(r.txHash)}</td></tr>`)}
  </tbody></table>`;
}

function Transfers({ address, decimals }) {
  const [filter, setFilter] = useState({ account: '', blockGte: '', blockLte: '' });
  const [applied, setApplied] = useState(filter);
  const [after, setAfter] = useState([null]);
  const where = {};
  if (applied.account) where.account = applied.account;
  if (applied.blockGte) where.blockGte = Number(applied.blockGte);
  if (applied.blockLte) where.blockLte = Number(applied.blockLte);
  const cursor = after[after.length - 1];
  const q = useQuery(
    `query($a: String!, $w: TransferWhere, $c: String) { token(address: $a) { transfers(first: 50, after: $c, where: $w) {
      totalCount pageInfo { endCursor hasNextPage } nodes { from to value blockNumber blockTimestamp txHash } } } }`,
    { a: address, w: where, c: cursor }, [address, JSON.stringify(applied), cursor]);
  const field = (k, label) => html`<label>${label} <input value=${filter[k]} onInput=${(e) => setFilter({ ...filter, [k]: e.target.value })} /></label>`;
  const page = q.data && q.data.token.transfers;
  return html`<section aria-label="transfer journal">
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); setAfter([null]); setApplied(filter); }}>
      ${field('account', 'Account (either side)')}${field('blockGte', 'From block')}${field('blockLte', 'To block')}<button type="submit">Filter</button>
    </form>
    <${Failure} error=${q.error} />
    ${page && html`<p>${page.totalCount} transfers</p><${TransferTable} rows=${page.nodes} decimals=${decimals} />
      <button disabled=${after.length < 2} onClick=${() => setAfter(after.slice(0, -1))}>Previous</button>
      <button disabled=${!page.pageInfo.hasNextPage} onClick=${() => setAfter([...after, page.pageInfo.endCursor])}>Next</button>`}
  </section>`;
}

function Actions({ address }) {
  const q = useQuery(`query($a: String!) { token(address: $a) {
      corporateActions(first: 100) { nodes { kind id numerator denominator amount price reason blockNumber timestamp txHash } }
      distributions(first: 100) { nodes { kind amount blockNumber } }
      proposals { proposalId forVotes againstVotes abstainVotes voters } } }`, { a: address }, [address]);
  const t = q.data && q.data.token;
  return html`<section aria-label="corporate actions"><${Failure} error=${q.error} />
    ${t && html`<h2>Corporate actions</h2>
      ${t.corporateActions.nodes.length === 0 ? html`<p>None.</p>` : html`<table><thead><tr><th>Block</th><th>Time</th><th>Kind</th><th>Id</th><th>Terms</th></tr></thead><tbody>
        ${t.corporateActions.nodes.map((a) => html`<tr><td>${a.blockNumber}</td><td>${time(a.timestamp)}</td><td>${a.kind}</td><td>${a.id}</td>
          <td>${[a.numerator && `${a.numerator}:${a.denominator}`, a.amount && `amount ${a.amount}`, a.price && `price ${a.price}`, a.reason].filter(Boolean).join(', ')}</td></tr>`)}
      </tbody></table>`}
      <h2>Distributions</h2>${t.distributions.nodes.length === 0 ? html`<p>None.</p>` : html`<ul>${t.distributions.nodes.map((d) => html`<li>block ${d.blockNumber}: ${d.kind} ${d.amount}</li>`)}</ul>`}
      <h2>Proposals</h2>${t.proposals.length === 0 ? html`<p>None.</p>` : html`<ul>${t.proposals.map((p) => html`<li>#${p.proposalId}: for ${p.forVotes}, against ${p.againstVotes}, abstain ${p.abstainVotes} (${p.voters} voters)</li>`)}</ul>`}`}
  </section>`;
}

function Pool({ address, decimals }) {
  const q = useQuery(`query($a: String!) { token(address: $a) { pool { totalValue totalShares shareValue assets { asset underlying amount value } } } }`, { a: address }, [address]);
  const p = q.data && q.data.token.pool;
  return html`<section aria-label="pool"><${Failure} error=${q.error} />
    ${q.data && !p && html`<p>This token is not a collateral pool.</p>`}
    ${p && html`<p>Total value ${p.totalValue} · shares ${units(p.totalShares, decimals)} · share value ${p.shareValue ?? ''}</p>
      <table><thead><tr><th>Asset</th><th>Underlying</th><th class="num">Amount</th><th class="num">Value</th></tr></thead><tbody>
      ${p.assets.map((a) => html`<tr><td class="mono">${a.asset}</td><td>${a.underlying ? 'yes' : ''}</td><td class="num">${a.amount}</td><td class="num">${a.value}</td></tr>`)}</tbody></table>`}
  </section>`;
}

const REPORTS = ['holders', 'investors', 'reconciliation', 'transfers', 'issuance', 'custody', 'open-items'];

function Reports({ address }) {
  const [form, setForm] = useState({ kind: 'holders', block: '', from: '', to: '', format: 'csv' });
  const [done, setDone] = useState(null);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const go = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      setDone(await downloadReport(form.kind, { token: address, block: form.block, from: form.from, to: form.to, format: form.format }));
    } catch (err) {
      setError(err);
    }
  };
  return html`<section aria-label="reports">
    <form class="filters" onSubmit=${go}>
      <label>Report <select value=${form.kind} onChange=${set('kind')} data-testid="report-kind">${REPORTS.map((k) => html`<option value=${k}>${k}</option>`)}</select></label>
      <label>As of block <input value=${form.block} onInput=${set('block')} placeholder="latest" /></label>
      <label>From <input value=${form.from} onInput=${set('from')} placeholder="block or date" /></label>
      <label>To <input value=${form.to} onInput=${set('to')} placeholder="block or date" /></label>
      <label>Format <select value=${form.format} onChange=${set('format')}><option>csv</option><option>json</option></select></label>
      <button type="submit" data-testid="download">Download</button>
    </form>
    <${Failure} error=${error} />
    ${done && html`<p data-testid="report-done">Saved <b>${done.name}</b> as of block ${done.block}. Digest <span class="mono" data-testid="report-digest">${done.digest}</span></p>`}
  </section>`;
}

// ---- disclosures ----

/** A snippet with the server's `<b>` highlights, rendered without trusting any other markup. */
function Snippet({ text }) {
  const parts = text.split(/<\/?b>/);
  return html`<p class="snippet">${parts.map((p, i) => (i % 2 ? html`<mark>${p}</mark>` : p))}</p>`;
}

function Disclosures() {
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const q = useQuery(`query($s: String) { disclosures(search: $s, first: 50) { totalCount nodes { snippet disclosure {
      leafIndex contentHash token kind title timestamp contentType size source } } } }`, { s: search || null }, [search]);
  const [proof, setProof] = useState(null);
  const getProof = async (hash) => {
    const d = await gql('query($h: String!) { disclosureProof(hash: $h, anchoredOnly: false) { json } }', { h: hash });
    setProof({ hash, json: d.disclosureProof && d.disclosureProof.json });
  };
  return html`<h1>Disclosures</h1>
    <form role="search" onSubmit=${(e) => { e.preventDefault(); setSearch(e.target.elements.search.value.trim()); }}>
      <label>Search the archive <input type="search" name="search" value=${text} onInput=${(e) => setText(e.target.value)} data-testid="search" /></label>
      <button type="submit">Search</button>
    </form>
    <${Failure} error=${q.error} />
    ${q.data && html`<p data-testid="hits">${q.data.disclosures.totalCount} disclosures</p>
      <ol class="hits">${q.data.disclosures.nodes.map(({ snippet, disclosure: d }) => html`<li>
        <h3><a href=${`/content/${d.contentHash}`}>${d.title || d.kind}</a> <small>${d.kind} · leaf ${d.leafIndex} · ${time(d.timestamp)}</small></h3>
        ${snippet && html`<${Snippet} text=${snippet} />`}
        <p class="mono small">${d.contentHash} · ${d.contentType} · ${d.size} bytes · token ${short(d.token)}
          <button class="link" onClick=${() => getProof(d.contentHash)}>proof</button></p>
        ${proof && proof.hash === d.contentHash && html`${proof.json ? html`<a download=${`proof-${d.leafIndex}.json`} href=${'data:application/json,' + encodeURIComponent(proof.json)}>Save the proof file</a>` : 'no proof yet'}`}
      </li>`)}</ol>`}`;
}

// ---- proof verification in the browser ----

function readFile(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(new Uint8Array(r.result));
    r.onerror = () => reject(r.error);
    r.readAsArrayBuffer(file);
  });
}

function Verify() {
  const [files, setFiles] = useState({ proof: null, document: null });
  const [rpcUrl, setRpcUrl] = useState('');
  const [verdict, setVerdict] = useState(null);
  const [anchor, setAnchor] = useState(null);
  const [over, setOver] = useState(false);
  const take = useCallback(async (list) => {
    const next = { ...files };
    for (const f of list) {
      const bytes = await readFile(f);
      // A proof file is JSON with a leaf; anything else is the document.
      let isProof = false;
      try { isProof = !!JSON.parse(new TextDecoder().decode(bytes)).leaf; } catch (e) { isProof = false; }
      next[isProof ? 'proof' : 'document'] = { name: f.name, bytes };
    }
    setFiles(next);
    setVerdict(null);
    setAnchor(null);
  }, [files]);
  const run = async () => {
    setAnchor(null);
    const v = await verifyProof(files.proof.bytes, files.document ? files.document.bytes : null);
    setVerdict(v);
    if (v.valid && rpcUrl) {
      if (!v.anchor) setAnchor({ ok: false, message: 'the proof has no anchor to check on chain' });
      else checkAnchor(rpcUrl, v.anchor, v.treeSize, v.root).then((m) => setAnchor({ ok: true, message: m }), (e) => setAnchor({ ok: false, message: e.message }));
    }
  };
  return html`<h1>Verify a proof</h1>
    <p>Drop a proof file (from <span class="mono">registrar proof</span> or the Disclosures page) and the document it is about.
      The check runs in this page with registrar's own verifier (WebAssembly); nothing is sent anywhere, except the anchor check to the node you name.</p>
    <div class=${'drop' + (over ? ' over' : '')} data-testid="dropzone" role="region" aria-label="drop files here"
      onDragOver=${(e) => { e.preventDefault(); setOver(true); }} onDragLeave=${() => setOver(false)}
      onDrop=${(e) => { e.preventDefault(); setOver(false); take([...e.dataTransfer.files]); }}>
      <p>Drop the proof file and the document here, or choose them:</p>
      <label>Files <input type="file" multiple onChange=${(e) => take([...e.target.files])} /></label>
      <p>Proof: <b data-testid="proof-name">${files.proof ? files.proof.name : 'none'}</b> · Document: <b data-testid="document-name">${files.document ? files.document.name : 'none'}</b></p>
    </div>
    <label>Chain RPC URL for the anchor (optional) <input type="url" value=${rpcUrl} onInput=${(e) => setRpcUrl(e.target.value)} placeholder="http://127.0.0.1:8545" size="40" /></label>
    <button disabled=${!files.proof} onClick=${run} data-testid="verify">Verify</button>
    ${verdict && html`<div role="status" class=${verdict.valid ? 'ok' : 'bad'} data-testid="verdict">
      <p><b>${verdict.valid ? 'Valid' : verdict.malformed ? 'Not a proof file' : 'Invalid'}</b>: ${verdict.message}</p>
      ${verdict.documentHash && html`<p class="small mono">document BLAKE3 ${verdict.documentHash}</p>`}
    </div>`}
    ${anchor && html`<div role="status" class=${anchor.ok ? 'ok' : 'bad'} data-testid="anchor-verdict"><p><b>Anchor ${anchor.ok ? 'checked' : 'not confirmed'}</b>: ${anchor.message}</p></div>`}`;
}

// ---- anchors ----

function Anchors() {
  const q = useQuery('{ anchors(first: 100) { nodes { sequence treeSize root chainId contract txHash blockNumber matches previousTreeSize } } }', {}, []);
  const [live, setLive] = useState([]);
  useEffect(() => subscribe('subscription { anchors { treeSize root blockNumber matches } }', {}, (d) => setLive((l) => [...l, d.anchors])), []);
  const rows = q.data ? [...q.data.anchors.nodes, ...live] : [];
  return html`<h1>Anchors</h1><p>Roots of the disclosure log as anchored on chain, each with the consistency proof from the one before (GraphQL <span class="mono">anchors</span>).</p>
    <${Failure} error=${q.error} />
    ${q.data && (rows.length === 0 ? html`<p>No anchor yet.</p>` : html`<table><thead><tr><th>Tree size</th><th>Root</th><th>Block</th><th>Matches the archive</th></tr></thead><tbody>
      ${rows.map((a) => html`<tr><td>${a.treeSize}</td><td class="mono" title=${a.root}>${short(a.root)}</td><td>${a.blockNumber}</td><td>${a.matches ? 'yes' : 'NO'}</td></tr>`)}</tbody></table>`)}`;
}

function App() {
  const route = useRoute();
  let page;
  switch (route[0]) {
    case 'token': page = html`<${Token} address=${route[1]} />`; break;
    case 'disclosures': page = html`<${Disclosures} />`; break;
    case 'verify': page = html`<${Verify} />`; break;
    case 'anchors': page = html`<${Anchors} />`; break;
    default: page = html`<${Tokens} />`;
  }
  return html`<${Frame} route=${route}>${page}<//>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
