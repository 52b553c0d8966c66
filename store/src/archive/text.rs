//! What a document is and the text search sees of it. Accepted types: plain text, Markdown, HTML,
//! PDF (text extracted with `pdf-extract`) and JSON (e.g. a holder register commitment; also the
//! records the archive writes for on-chain document events). The declared type must match the
//! bytes.

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

/// The searchable text of a document of a checked type.
pub fn extract(content_type: &str, bytes: &[u8]) -> Result<String, ArchiveError> {
    match content_type {
        PDF => {
            // pdf-extract panics on some malformed files: a bad upload is an error, not a crash.
            let result = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes));
            match result {
                Ok(Ok(text)) => Ok(text),
                Ok(Err(e)) => Err(ArchiveError::BadContent { content_type: PDF.into(), reason: e.to_string() }),
                Err(_) => Err(ArchiveError::BadContent { content_type: PDF.into(), reason: "unreadable PDF".into() }),
            }
        }
        HTML => Ok(strip_html(&String::from_utf8_lossy(bytes))),
        _ => Ok(String::from_utf8_lossy(bytes).into_owned()),
    }
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

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack.to_ascii_lowercase().find(needle)
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

    /// A one-page PDF with `text` in Helvetica, offsets computed.
    pub(crate) fn pdf(text: &str) -> Vec<u8> {
        let content = format!("BT /F1 18 Tf 72 700 Td ({text}) Tj ET");
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
                .to_string(),
            format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
        );
        out
    }

    #[test]
    fn pdf_text_is_extracted() {
        let bytes = pdf("Coupon paid on schedule");
        assert_eq!(content_type(None, &bytes).unwrap(), PDF);
        let text = extract(PDF, &bytes).unwrap();
        assert!(text.contains("Coupon paid on schedule"), "{text:?}");
    }

    #[test]
    fn bad_pdf_is_an_error_not_a_panic() {
        assert!(extract(PDF, b"%PDF-1.4 garbage").is_err());
    }
}
