//! What a document is and the text search sees of it. Accepted types: plain text, Markdown, HTML,
//! PDF (text extracted with `pdf-extract`) and JSON (e.g. a holder register commitment; also the
//! records the archive writes for on-chain document events). The declared type must match the
//! bytes.

use std::{
    io::{Read, Write},
    path::PathBuf,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use super::ArchiveError;

pub const PLAIN: &str = "text/plain";
pub const MARKDOWN: &str = "text/markdown";
pub const HTML: &str = "text/html";
pub const PDF: &str = "application/pdf";
pub const JSON: &str = "application/json";

/// The content types a submission may declare.
pub const SUBMITTABLE: &[&str] = &[PLAIN, MARKDOWN, HTML, PDF, JSON];

/// Checks `declared` against the bytes, or guesses the type when nothing is declared.
pub fn content_type(declared: Option<&str>, bytes: &[u8]) -> Result<&'static str, ArchiveError> {
    let is_pdf = bytes.starts_with(b"%PDF-");
    let declared = match declared.map(|d| d.split(';').next().unwrap_or("").trim().to_ascii_lowercase()) {
        None => {
            if is_pdf {
                return Ok(PDF);
            }
            let text = std::str::from_utf8(bytes).map_err(|_| ArchiveError::BadContent {
                content_type: "unknown".into(),
                reason: "neither a PDF nor UTF-8 text".into(),
            })?;
            let head = text.trim_start().get(..64).unwrap_or(text.trim_start()).to_ascii_lowercase();
            return Ok(if head.starts_with("<!doctype html") || head.starts_with("<html") { HTML } else { PLAIN });
        }
        Some(d) => d,
    };
    let known = SUBMITTABLE
        .iter()
        .copied()
        .find(|t| *t == declared)
        .ok_or_else(|| ArchiveError::UnsupportedType { got: declared.clone() })?;
    if known == PDF {
        if !is_pdf {
            return Err(ArchiveError::BadContent { content_type: known.into(), reason: "no %PDF- header".into() });
        }
    } else if std::str::from_utf8(bytes).is_err() {
        return Err(ArchiveError::BadContent { content_type: known.into(), reason: "not UTF-8".into() });
    } else if known == JSON {
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(bytes) {
            return Err(ArchiveError::BadContent { content_type: known.into(), reason: e.to_string() });
        }
    }
    Ok(known)
}

/// Where PDF text is extracted. A PDF can make a parser recurse until the stack overflows or
/// inflate a stream until memory runs out, and neither can be caught in the process it happens
/// in: the server extracts in a child process with limits ([`Extractor::Child`]).
#[derive(Clone, Debug, Default)]
pub enum Extractor {
    /// In this process: for tests and for tools that read documents already archived.
    #[default]
    InProcess,
    /// `program args… --memory-bytes N --cpu-seconds S --max-text-bytes M`, the document on its
    /// standard input, the text on its standard output (`registrar extract-text`).
    Child { program: PathBuf, args: Vec<String>, limits: ExtractLimits },
}

/// The limits of one extraction in a child process.
#[derive(Clone, Debug)]
pub struct ExtractLimits {
    /// Address space of the child (RLIMIT_AS).
    pub memory_bytes: u64,
    /// CPU time of the child (RLIMIT_CPU).
    pub cpu_seconds: u64,
    /// Wall time, after which the child is killed.
    pub wall: Duration,
    /// Text kept (the rest is cut off).
    pub max_text_bytes: usize,
}

impl Default for ExtractLimits {
    fn default() -> Self {
        ExtractLimits { memory_bytes: 1 << 30, cpu_seconds: 20, wall: Duration::from_secs(30), max_text_bytes: 4 << 20 }
    }
}

/// A document's searchable text, or none with the reason (a document whose text cannot be read
/// is archived all the same: its title and metadata are searchable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extracted {
    pub text: String,
    pub warning: Option<String>,
}

/// The searchable text of a document of a checked type.
pub fn extract(extractor: &Extractor, content_type: &str, bytes: &[u8]) -> Extracted {
    let text = |text: String| Extracted { text, warning: None };
    match content_type {
        PDF => {
            let result = match extractor {
                Extractor::InProcess => pdf_text(bytes, ExtractLimits::default().max_text_bytes),
                Extractor::Child { program, args, limits } => in_child(program, args, limits, bytes),
            };
            match result {
                Ok(t) => text(t),
                Err(reason) => Extracted { text: String::new(), warning: Some(reason) },
            }
        }
        HTML => text(strip_html(&String::from_utf8_lossy(bytes))),
        _ => text(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// A PDF's text in this process, cut to `max` bytes. pdf-extract panics on some malformed
/// files: that is an error here; a stack overflow or an allocation failure still aborts, which is
/// why the server runs this in a child ([`Extractor::Child`]).
pub fn pdf_text(bytes: &[u8], max: usize) -> Result<String, String> {
    match std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes)) {
        Ok(Ok(mut text)) => {
            if text.len() > max {
                let mut end = max;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.truncate(end);
            }
            Ok(text)
        }
        Ok(Err(e)) => Err(format!("unreadable PDF: {e}")),
        Err(_) => Err("unreadable PDF".into()),
    }
}

/// Runs the extractor child on `bytes` within `limits`.
fn in_child(
    program: &std::path::Path,
    args: &[String],
    limits: &ExtractLimits,
    bytes: &[u8],
) -> Result<String, String> {
    let mut child = Command::new(program)
        .args(args)
        .args(["--memory-bytes", &limits.memory_bytes.to_string()])
        .args(["--cpu-seconds", &limits.cpu_seconds.to_string()])
        .args(["--max-text-bytes", &limits.max_text_bytes.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the text extractor {}: {e}", program.display()))?;
    let mut stdin = child.stdin.take().expect("piped");
    let input = bytes.to_vec();
    // Writing and reading on threads of their own: a child that stops reading or writing
    // cannot hold this one past the deadline.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let stdout = child.stdout.take().expect("piped");
    let max = limits.max_text_bytes as u64;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.take(max).read_to_end(&mut out);
        out
    });
    let stderr = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stderr.take(4096).read_to_end(&mut out);
        out
    });
    let deadline = Instant::now() + limits.wall;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("text extraction ran past {} s and was stopped", limits.wall.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("cannot wait for the text extractor: {e}")),
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = errors.join().unwrap_or_default();
    if status.success() {
        return Ok(String::from_utf8_lossy(&out).into_owned());
    }
    let said = String::from_utf8_lossy(&err);
    let said = said.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    Err(match std::os::unix::process::ExitStatusExt::signal(&status) {
        Some(signal) => {
            format!("text extraction was killed by signal {signal} (a limit, or a crash) {said}").trim_end().to_string()
        }
        None => format!("text extraction failed ({status}) {said}").trim_end().to_string(),
    })
}

/// The text of an HTML page: tags, scripts and styles removed, common entities decoded.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let tag = &rest[open..];
        let lower = tag.get(..8).unwrap_or(tag).to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            find_ci(tag, "</script>").map(|i| i + "</script>".len())
        } else if lower.starts_with("<style") {
            find_ci(tag, "</style>").map(|i| i + "</style>".len())
        } else {
            tag.find('>').map(|i| i + 1)
        };
        match skip_to {
            Some(n) => rest = &tag[n..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where `needle` (lowercase ASCII) first occurs in `haystack`, ignoring ASCII case, without
/// copying the haystack: a page of many `<script` openers stays linear.
fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let first = n[0];
    let mut at = 0;
    while at + n.len() <= h.len() {
        let i = at + h[at..=h.len() - n.len()].iter().position(|b| b.to_ascii_lowercase() == first)?;
        if h[i..i + n.len()].eq_ignore_ascii_case(n) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn types_are_checked_against_the_bytes() {
        assert_eq!(content_type(None, b"hello").unwrap(), PLAIN);
        assert_eq!(content_type(None, b"<!DOCTYPE html><p>x</p>").unwrap(), HTML);
        assert_eq!(content_type(None, b"%PDF-1.4 ...").unwrap(), PDF);
        assert_eq!(content_type(Some("text/markdown; charset=utf-8"), b"# t").unwrap(), MARKDOWN);
        assert!(matches!(content_type(Some("application/pdf"), b"hello"), Err(ArchiveError::BadContent { .. })));
        assert!(matches!(content_type(Some("image/png"), b"x"), Err(ArchiveError::UnsupportedType { .. })));
        assert_eq!(content_type(Some("application/json"), br#"{"root":"ab"}"#).unwrap(), JSON);
        assert!(matches!(content_type(Some("application/json"), b"{nope"), Err(ArchiveError::BadContent { .. })));
        assert!(content_type(None, &[0xff, 0xfe, 0x00]).is_err());
        assert!(content_type(Some("text/plain"), &[0xff, 0xfe]).is_err());
    }

    #[test]
    fn html_text() {
        let t = strip_html(
            "<html><style>p{}</style><script>var a=1;</script><p>Net&nbsp;income &amp; <b>EBITDA</b></p></html>",
        );
        assert_eq!(t, "Net income & EBITDA");
    }

    pub(crate) use registrar_testkit::pdf::text_pdf as pdf;

    #[test]
    fn pdf_text_is_extracted() {
        let bytes = pdf("Coupon paid on schedule");
        assert_eq!(content_type(None, &bytes).unwrap(), PDF);
        let text = extract(&Extractor::InProcess, PDF, &bytes).text;
        assert!(text.contains("Coupon paid on schedule"), "{text:?}");
    }

    #[test]
    fn a_bad_pdf_has_no_text_and_a_warning() {
        let e = extract(&Extractor::InProcess, PDF, b"%PDF-1.4 garbage");
        assert_eq!(e.text, "");
        assert!(e.warning.is_some());
    }

    /// HTML stripping stays linear: 200,000 unclosed `<script` openers and as many closed ones.
    #[test]
    fn html_stripping_is_linear() {
        let closed = "<ScRiPt>x</sCrIpT>".repeat(200_000);
        assert_eq!(strip_html(&closed), "");
        let open = "<script".repeat(200_000);
        assert_eq!(strip_html(&open), "");
        assert_eq!(find_ci("aaa</SCRIPT>", "</script>"), Some(3));
        assert_eq!(find_ci("</scrip", "</script>"), None);
    }

    /// A child that fails, or outlives its wall time, gives no text and a reason; one that
    /// answers gives its text.
    #[test]
    fn children_within_limits() {
        let child = |script: &str, wall: u64| Extractor::Child {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into(), "extractor".into()],
            limits: ExtractLimits { wall: Duration::from_secs(wall), ..Default::default() },
        };
        let ok = extract(&child("cat >/dev/null; printf 'the text'", 10), PDF, b"%PDF-");
        assert_eq!(ok, Extracted { text: "the text".into(), warning: None });
        let failed = extract(&child("echo 'memory allocation failed' >&2; exit 3", 10), PDF, b"%PDF-");
        assert!(failed.warning.unwrap().contains("memory allocation failed"));
        let killed = extract(&child("kill -SEGV $$", 10), PDF, b"%PDF-");
        assert!(killed.warning.unwrap().contains("signal 11"));
        let slow = extract(&child("sleep 30", 1), PDF, &vec![b'x'; 1 << 20]);
        assert!(slow.warning.unwrap().contains("ran past 1 s"));
    }
}
