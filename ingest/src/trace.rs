//! Reading a `callTracer` answer without recursion.
//!
//! A call trace nests one frame per call depth, up to the EVM's 1,024, and a node may answer
//! deeper still: any holder can make a transaction that calls the token from 1,000 frames down.
//! serde_json's tree refuses more than 128 levels (and a recursive parser without that limit
//! would overflow the stack), so the frames are read here with a stack on the heap, taking from
//! each only `type`, `from`, `to`, `input` and `calls`.

use alloy::primitives::{Address, Bytes};

/// One call of a transaction: the transaction's own, or one a contract made inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub from: Address,
    /// `None` for a contract creation.
    pub to: Option<Address>,
    pub input: Bytes,
}

/// Most containers open at once: far above the EVM's call depth (each frame is two: its object
/// and its `calls` array), and a bound on the memory a hostile answer can hold.
pub const MAX_TRACE_NESTING: usize = 16_384;

/// What a trace answer holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Trace {
    /// Not a call tracer's frame: `null`, or an object without `from` (anvil answers an empty
    /// struct-log trace for a transaction it does not know; some nodes ignore the tracer).
    NotAFrame,
    /// Every call, the transaction's own first, then the calls inside it in execution order.
    Calls(Vec<Call>),
}

#[derive(Default)]
struct Frame {
    ty: Option<String>,
    from: Option<String>,
    to: Option<String>,
    input: Option<String>,
}

/// What an open container is.
enum Open {
    /// A frame's object (its index), or another object (`None`), and the key whose value is next.
    Object { frame: Option<usize>, key: Option<String> },
    /// A frame's `calls` (the frame's index), or another array.
    Array { calls_of: Option<usize> },
}

/// Reads the frames of a `callTracer` answer (JSON text) in execution order.
pub fn flatten(text: &str) -> Result<Trace, &'static str> {
    let mut lexer = Lexer { bytes: text.as_bytes(), at: 0 };
    // Frames in the order their objects open: a frame opens before the frames inside it, and
    // siblings open in order, so this is execution order (depth first).
    let mut frames: Vec<Frame> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut top_is_object = false;
    // Whether a value has just completed in the innermost container (then `,` or a close).
    let mut after_value = false;
    loop {
        let token = lexer.next()?;
        let Some(token) = token else {
            return if stack.is_empty() && (after_value || top_is_object) {
                finish(frames, top_is_object)
            } else {
                Err("the trace ends early")
            };
        };
        if stack.is_empty() && (after_value || top_is_object) {
            return Err("text after the trace");
        }
        match (stack.last_mut(), token) {
            // Between values: a separator or a close.
            (Some(Open::Object { key, .. }), Token::Comma) if after_value && key.is_none() => after_value = false,
            (Some(Open::Array { .. }), Token::Comma) if after_value => after_value = false,
            (Some(Open::Object { key, .. }), Token::Close(b'}')) if key.is_none() => {
                stack.pop();
                after_value = true;
            }
            (Some(Open::Array { .. }), Token::Close(b']')) => {
                stack.pop();
                after_value = true;
            }
            (_, Token::Comma | Token::Close(_)) => return Err("misplaced separator"),
            (_, _) if after_value => return Err("a missing separator"),
            // A key of an object.
            (Some(Open::Object { key: key @ None, .. }), Token::Str(span)) => {
                if lexer.next()? != Some(Token::Colon) {
                    return Err("a key without a colon");
                }
                *key = Some(decode_string(span)?);
            }
            (Some(Open::Object { key: None, .. }), _) => return Err("an object key that is not a string"),
            (_, Token::Colon) => return Err("misplaced colon"),
            // A value: where it goes depends on the container and key.
            (place, token) => {
                let (in_frame, key, calls_of) = match place {
                    None => (None, None, None),
                    Some(Open::Object { frame, key }) => (*frame, key.take(), None),
                    Some(Open::Array { calls_of }) => (None, None, *calls_of),
                };
                match token {
                    Token::Open(b'{') => {
                        let frame = if stack.is_empty() {
                            top_is_object = true;
                            frames.push(Frame::default());
                            Some(frames.len() - 1)
                        } else if calls_of.is_some() {
                            frames.push(Frame::default());
                            Some(frames.len() - 1)
                        } else {
                            None
                        };
                        stack.push(Open::Object { frame, key: None });
                    }
                    Token::Open(_) => {
                        let calls_of = in_frame.filter(|_| key.as_deref() == Some("calls"));
                        stack.push(Open::Array { calls_of });
                    }
                    Token::Str(span) => {
                        if let (Some(i), Some(k)) = (in_frame, key.as_deref()) {
                            let field = match k {
                                "type" => Some(&mut frames[i].ty),
                                "from" => Some(&mut frames[i].from),
                                "to" => Some(&mut frames[i].to),
                                "input" => Some(&mut frames[i].input),
                                _ => None,
                            };
                            if let Some(field) = field {
                                *field = Some(decode_string(span)?);
                            }
                        }
                        after_value = true;
                    }
                    Token::Scalar => after_value = true,
                    Token::Comma | Token::Colon | Token::Close(_) => unreachable!("handled above"),
                }
                if stack.len() > MAX_TRACE_NESTING {
                    return Err("a trace nested deeper than any call stack");
                }
                if matches!(token, Token::Open(_)) {
                    after_value = false;
                }
            }
        }
    }
}

fn finish(frames: Vec<Frame>, top_is_object: bool) -> Result<Trace, &'static str> {
    if !top_is_object || frames.first().is_none_or(|f| f.from.is_none()) {
        return Ok(Trace::NotAFrame);
    }
    let address = |text: &Option<String>| -> Result<Option<Address>, &'static str> {
        match text {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| "an address that does not parse"),
        }
    };
    let mut calls = Vec::with_capacity(frames.len());
    for frame in &frames {
        let from = address(&frame.from)?.ok_or("a frame without `from`")?;
        let input = match &frame.input {
            Some(hex) => hex.parse::<Bytes>().map_err(|_| "input that is not hex")?,
            None => Bytes::new(),
        };
        let creates = frame.ty.as_deref().is_some_and(|t| t.starts_with("CREATE"));
        calls.push(Call { from, to: if creates { None } else { address(&frame.to)? }, input });
    }
    Ok(Trace::Calls(calls))
}

/// A JSON string's text, its escapes decoded (serde_json reads a string without recursion).
fn decode_string(span: &str) -> Result<String, &'static str> {
    serde_json::from_str(span).map_err(|_| "a string that is not JSON")
}

#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Open(u8),
    Close(u8),
    Comma,
    Colon,
    /// A string with its quotes.
    Str(&'a str),
    /// A number, `true`, `false` or `null`.
    Scalar,
}

struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Result<Option<Token<'a>>, &'static str> {
        while self.at < self.bytes.len() && matches!(self.bytes[self.at], b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
        let Some(&b) = self.bytes.get(self.at) else { return Ok(None) };
        let start = self.at;
        self.at += 1;
        Ok(Some(match b {
            b'{' | b'[' => Token::Open(b),
            b'}' | b']' => Token::Close(b),
            b',' => Token::Comma,
            b':' => Token::Colon,
            b'"' => {
                loop {
                    match self.bytes.get(self.at) {
                        None => return Err("a string that does not end"),
                        Some(b'\\') => self.at += 2,
                        Some(b'"') => {
                            self.at += 1;
                            break;
                        }
                        Some(_) => self.at += 1,
                    }
                }
                // Quotes and backslashes are ASCII: the span ends on a character boundary.
                Token::Str(std::str::from_utf8(&self.bytes[start..self.at]).map_err(|_| "a string that is not UTF-8")?)
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                while self.bytes.get(self.at).is_some_and(|c| c.is_ascii_alphanumeric() || b"+-.".contains(c)) {
                    self.at += 1;
                }
                let text = std::str::from_utf8(&self.bytes[start..self.at]).expect("ASCII");
                let valid = matches!(text, "true" | "false" | "null") || text.parse::<f64>().is_ok();
                if !valid {
                    return Err("a value that is not JSON");
                }
                Token::Scalar
            }
            _ => return Err("a character that is not JSON"),
        }))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn addr(n: u8) -> String {
        format!("0x{}", alloy::primitives::hex::encode([n; 20]))
    }

    fn frame(n: u8, ty: &str, calls: &str) -> String {
        format!(
            r#"{{"type":"{ty}","from":"{}","to":"{}","input":"0x{n:02x}","gas":"0x10","calls":[{calls}]}}"#,
            addr(n),
            addr(n + 1)
        )
    }

    #[test]
    fn frames_come_in_execution_order() {
        let inner = format!("{},{}", frame(2, "STATICCALL", ""), frame(3, "CALL", &frame(4, "DELEGATECALL", "")));
        let text = frame(1, "CALL", &format!("{inner},{}", frame(5, "CREATE", "")));
        let Trace::Calls(calls) = flatten(&text).unwrap() else { panic!("a frame") };
        let froms: Vec<u8> = calls.iter().map(|c| c.from.0[0]).collect();
        assert_eq!(froms, vec![1, 2, 3, 4, 5]);
        assert_eq!(calls[4].to, None, "a creation has no recipient");
        assert_eq!(calls[3].input.as_ref(), &[4]);
        // The same as serde_json's tree gives, where that can read it.
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap().len(), text.len());
    }

    #[test]
    fn keys_in_any_order_and_other_fields_are_skipped() {
        let text = format!(
            r#" {{ "calls": [ {} ], "output": {{"a": [1, {{"b": null}}]}}, "value": 1.5e3, "error": "out of gas \" x", "from": "{}", "to": "{}" }} "#,
            frame(7, "CALL", ""),
            addr(1),
            addr(2)
        );
        let Trace::Calls(calls) = flatten(&text).unwrap() else { panic!("a frame") };
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].from.0[0], 1);
        assert_eq!(calls[1].from.0[0], 7);
    }

    /// 1,024 nested calls (the EVM's limit) and far more: serde_json's tree stops at 128.
    #[test]
    fn deep_traces_are_read() {
        for depth in [1_024usize, 5_000] {
            let mut text = String::new();
            for _ in 0..depth {
                text.push_str(&format!(
                    r#"{{"type":"CALL","from":"{}","to":"{}","input":"0x","calls":["#,
                    addr(1),
                    addr(2)
                ));
            }
            text.push_str(&"]}".repeat(depth));
            assert!(serde_json::from_str::<serde_json::Value>(&text).is_err(), "serde_json refuses it");
            let Trace::Calls(calls) = flatten(&text).unwrap() else { panic!("a frame") };
            assert_eq!(calls.len(), depth);
        }
        let absurd = "[".repeat(MAX_TRACE_NESTING + 1);
        assert!(flatten(&absurd).is_err());
    }

    #[test]
    fn not_a_frame_and_malformed() {
        assert_eq!(flatten("null").unwrap(), Trace::NotAFrame);
        assert_eq!(flatten(r#"{"structLogs":[],"gas":0}"#).unwrap(), Trace::NotAFrame);
        for bad in
            ["", "{", r#"{"from":"0x01"}"#, r#"{"from" "x"}"#, "{,}", "[1 2]", "{} {}", r#"{"a":tru}"#, r#"{"from":"#]
        {
            assert!(flatten(bad).is_err(), "{bad}");
        }
        let nested_without_from = format!(r#"{{"from":"{}","calls":[{{"to":"{}"}}]}}"#, addr(1), addr(2));
        assert!(flatten(&nested_without_from).is_err());
    }

    proptest! {
        /// Any bytes get an answer, never a panic.
        #[test]
        fn any_text_is_answered(text in "[\\[\\]{}:,\"a-z0-9 \\\\.-]{0,300}") {
            let _ = flatten(&text);
        }

        /// A random tree of frames, written by serde_json, reads back in depth-first order.
        #[test]
        fn random_trees_read_depth_first(parents in proptest::collection::vec(any::<prop::sample::Index>(), 0..40)) {
            // Frame i + 1's parent is one of the frames before it.
            let n = parents.len() + 1;
            let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
            for (i, p) in parents.iter().enumerate() {
                children[p.index(i + 1)].push(i + 1);
            }
            fn build(i: usize, children: &[Vec<usize>]) -> serde_json::Value {
                let calls: Vec<_> = children[i].iter().map(|c| build(*c, children)).collect();
                serde_json::json!({ "type": "CALL", "from": addr(i as u8), "to": addr(i as u8 + 1), "input": "0x", "calls": calls })
            }
            fn order(i: usize, children: &[Vec<usize>], out: &mut Vec<u8>) {
                out.push(i as u8);
                for c in &children[i] { order(*c, children, out); }
            }
            let mut expected = Vec::new();
            order(0, &children, &mut expected);
            let text = build(0, &children).to_string();
            let Trace::Calls(calls) = flatten(&text).unwrap() else { panic!("a frame") };
            prop_assert_eq!(calls.iter().map(|c| c.from.0[0]).collect::<Vec<_>>(), expected);
        }
    }
}
