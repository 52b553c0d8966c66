// The API as the console uses it: GraphQL over POST with the API key the user entered, live
// feeds over Server-Sent Events, reports as downloads with their digest.

const KEY = 'registrar-api-key';

export function apiKey() {
  return sessionStorage.getItem(KEY) || '';
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

function headers() {
  const h = { 'content-type': 'application/json' };
  const key = apiKey();
  if (key) h['x-api-key'] = key;
  return h;
}

/** Runs a GraphQL query; resolves to its data or throws its first error. */
export async function gql(query, variables = {}) {
  const response = await fetch('/graphql', { method: 'POST', headers: headers(), body: JSON.stringify({ query, variables }) });
  let body;
  try {
    body = await response.json();
  } catch (e) {
    throw new Error(`the server answered ${response.status} without JSON`);
  }
  // Private fields (identities, labels) answer null with an error for readers without a key:
  // the rest of the answer stands.
  if (!body.data) throw new Error(body.errors && body.errors.length ? body.errors[0].message : 'no answer');
  return body.data;
}

/** Follows a subscription over SSE; calls `onData` with each answer's data. Returns a closer. */
export function subscribe(query, variables, onData, onError) {
  const params = new URLSearchParams({ query, variables: JSON.stringify(variables || {}) });
  const source = new EventSource(`/graphql/sse?${params}`);
  source.addEventListener('next', (e) => {
    const answer = JSON.parse(e.data);
    if (answer.errors && answer.errors.length) onError && onError(new Error(answer.errors[0].message));
    else onData(answer.data);
  });
  source.addEventListener('complete', () => source.close());
  source.onerror = () => onError && onError(new Error('the live feed was interrupted; reconnecting'));
  return () => source.close();
}

/** Fetches a report and saves it as a file; resolves to its digest, block and file name. */
export async function downloadReport(kind, params) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null));
  const response = await fetch(`/reports/${kind}?${query}`, { headers: headers() });
  if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
  const blob = await response.blob();
  const format = params.format || 'csv';
  const name = `${kind}-${params.token || 'all'}-${response.headers.get('x-registrar-block') || 'latest'}.${format}`;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return {
    name,
    digest: response.headers.get('x-registrar-digest'),
    block: response.headers.get('x-registrar-block'),
    hash: response.headers.get('x-registrar-block-hash'),
  };
}
