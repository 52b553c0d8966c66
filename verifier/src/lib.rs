//! The web console's proof verifier: [`registrar_merkle::check`] exported for
//! `wasm32-unknown-unknown` with a plain C ABI (no bindings generator), so the console checks
//! a proof file and its document in the browser, offline. `make console` builds it into
//! `api/assets/console/verifier.wasm`.
//!
//! JavaScript calls `alloc(n)` for each input, writes the bytes into the module's memory, calls
//! `verify(proof, proof_len, document, document_len)` (a `document_len` of `usize::MAX` means no
//! document), and reads the verdict's JSON at `result_ptr()` for `result_len()` bytes. Inputs are
//! freed by `verify`.

use std::cell::RefCell;

thread_local! {
    /// The last verdict's JSON, kept until the next call.
    static RESULT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The verdict of `proof` (a proof file's JSON) and, if given, `document`, as JSON.
pub fn verdict_json(proof: &[u8], document: Option<&[u8]>) -> Vec<u8> {
    let verdict = match std::str::from_utf8(proof) {
        Ok(text) => registrar_merkle::check(text, document),
        Err(_) => registrar_merkle::check("not utf-8", document),
    };
    serde_json::to_vec(&verdict).expect("a verdict serializes")
}

/// Reserves `len` bytes in the module's memory for JavaScript to write an input into.
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len);
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr
}

/// Checks the proof file at `proof` and the document at `document`, frees both, and keeps the
/// verdict for [`result_ptr`] and [`result_len`].
///
/// # Safety
/// Each pointer must come from [`alloc`] with its length, and hold that many written bytes.
#[no_mangle]
pub unsafe extern "C" fn verify(proof: *mut u8, proof_len: usize, document: *mut u8, document_len: usize) {
    // SAFETY: the caller passes buffers from `alloc` of these lengths, filled, and gives them up.
    let proof = unsafe { Vec::from_raw_parts(proof, proof_len, proof_len) };
    let document = (document_len != usize::MAX).then(|| {
        // SAFETY: as above.
        unsafe { Vec::from_raw_parts(document, document_len, document_len) }
    });
    let json = verdict_json(&proof, document.as_deref());
    RESULT.with(|r| *r.borrow_mut() = json);
}

/// Where the last verdict's JSON is.
#[no_mangle]
pub extern "C" fn result_ptr() -> *const u8 {
    RESULT.with(|r| r.borrow().as_ptr())
}

/// How long the last verdict's JSON is.
#[no_mangle]
pub extern "C" fn result_len() -> usize {
    RESULT.with(|r| r.borrow().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_file_is_a_verdict() {
        let v: serde_json::Value = serde_json::from_slice(&verdict_json(b"{", Some(b"doc"))).unwrap();
        assert_eq!(v["valid"], false);
        assert_eq!(v["malformed"], true);
        assert_eq!(v["documentHash"].as_str().map(str::len), Some(64));
    }

    #[test]
    fn the_exports_round_trip() {
        let input = b"not json";
        let ptr = alloc(input.len());
        // SAFETY: `ptr` has room for `input`, and `verify` takes it back.
        unsafe {
            std::ptr::copy_nonoverlapping(input.as_ptr(), ptr, input.len());
            verify(ptr, input.len(), std::ptr::null_mut(), usize::MAX);
        }
        // SAFETY: the result stays until the next call.
        let out = unsafe { std::slice::from_raw_parts(result_ptr(), result_len()) };
        let v: serde_json::Value = serde_json::from_slice(out).unwrap();
        assert_eq!(v["malformed"], true);
        assert!(v["documentHash"].is_null());
    }
}
