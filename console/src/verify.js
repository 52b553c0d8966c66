// Proof verification in the browser: the proof file and the document are checked by
// registrar's own verifier compiled to WebAssembly (nothing leaves the page); the anchor is
// checked against a JSON-RPC node the user names.

let verifier;

async function load() {
  if (!verifier) {
    const response = await fetch('/console/verifier.wasm');
    if (!response.ok) throw new Error('the verifier is not served');
    const { instance } = await WebAssembly.instantiate(await response.arrayBuffer(), {});
    verifier = instance.exports;
  }
  return verifier;
}

function put(exports, bytes) {
  const ptr = exports.alloc(bytes.length);
  new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
  return ptr;
}

/** The verdict of a proof file (bytes) and, if given, the document (bytes). */
export async function verifyProof(proofBytes, documentBytes) {
  const w = await load();
  const p = put(w, proofBytes);
  const MAX = 0xffffffff; // usize::MAX on wasm32: no document
  if (documentBytes) {
    const d = put(w, documentBytes);
    w.verify(p, proofBytes.length, d, documentBytes.length);
  } else {
    w.verify(p, proofBytes.length, 0, MAX);
  }
  const out = new Uint8Array(w.memory.buffer, w.result_ptr(), w.result_len());
  return JSON.parse(new TextDecoder().decode(out));
}

async function rpc(url, method, params) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

// `rootAt(uint64)` of the DisclosureAnchor contract.
const ROOT_AT = '0xeaa38b41';

/** Checks on chain that `root` is anchored at `size`; resolves to a sentence or throws why not. */
export async function checkAnchor(url, anchor, size, root) {
  const chainId = parseInt(await rpc(url, 'eth_chainId', []), 16);
  if (chainId !== anchor.chain_id) throw new Error(`the node is on chain ${chainId}, the anchor on chain ${anchor.chain_id}`);
  const data = ROOT_AT + BigInt(size).toString(16).padStart(64, '0');
  const result = await rpc(url, 'eth_call', [{ to: anchor.contract, data }, 'latest']);
  const anchored = result.replace(/^0x/, '').toLowerCase();
  if (/^0*$/.test(anchored)) throw new Error(`no root is anchored at size ${size} in ${anchor.contract}`);
  if (anchored !== root) throw new Error(`the root anchored at size ${size} is 0x${anchored}, not the proof's root`);
  return `the root is anchored at size ${size} in ${anchor.contract} on chain ${chainId}`;
}
