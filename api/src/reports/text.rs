//! How values are written in reports: CSV text cells that are never formulas, partitions as
//! names, RFC 3339 times.

use alloy::primitives::B256;

use crate::ApiError;

/// A free-text CSV cell (a label, a name): a text a spreadsheet would take for a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, as OWASP
/// advises; a cell with a comma, a quote or a line break is quoted.
pub fn csv_text(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A partition as people read it: its bytes32 as text when it is a short printable name (ERC-1410
/// partitions are usually `"locked"`, `"unlocked"`, `"reg-d"` padded with zeros), else hex. A
/// name a spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) is shown in hex.
pub fn partition_label(partition: B256) -> String {
    let bytes = partition.as_slice();
    let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    let text = &bytes[..end];
    let printable = !text.is_empty()
        && text.iter().all(|b| b.is_ascii_graphic() && !b",;=\"".contains(b))
        && !text.starts_with(b"0x")
        && !text.starts_with(b"+")
        && !text.starts_with(b"-")
        && !text.starts_with(b"@");
    if printable {
        String::from_utf8_lossy(text).into_owned()
    } else {
        format!("{partition:#x}")
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` or `YYYY-MM-DD` (midnight UTC) to seconds since the epoch.
pub fn parse_rfc3339(text: &str) -> Result<u64, ApiError> {
    let bad =
        || ApiError::Invalid { field: "at", reason: format!("{text:?}: expected RFC 3339, e.g. 2026-11-23T00:00:00Z") };
    let num = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts[..] else { return Err(bad()) };
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || y < 1970 {
        return Err(bad());
    }
    let mut seconds = days_from_civil(y, m, d) * 86_400;
    if let Some(t) = time {
        let (clock, offset) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
            (c, 0)
        } else if let Some(at) = t.rfind(['+', '-']) {
            let (c, o) = t.split_at(at);
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (oh, om) = o[1..].split_once(':').ok_or_else(bad)?;
            (c, sign * (num(oh)? * 3600 + num(om)? * 60))
        } else {
            return Err(bad());
        };
        let clock = clock.split('.').next().unwrap_or_default();
        let hms: Vec<&str> = clock.split(':').collect();
        let [h, mi, s] = hms[..] else { return Err(bad()) };
        let (h, mi, s) = (num(h)?, num(mi)?, num(s)?);
        if h > 23 || mi > 59 || s > 60 {
            return Err(bad());
        }
        seconds += h * 3600 + mi * 60 + s - offset;
    }
    u64::try_from(seconds).map_err(|_| bad())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(parse_rfc3339("2026-11-23T00:00:00Z").unwrap(), 1_795_392_000);
        assert_eq!(parse_rfc3339("2026-11-23").unwrap(), 1_795_392_000);
        assert_eq!(parse_rfc3339("2026-11-23T01:30:00+01:30").unwrap(), 1_795_392_000);
        assert_eq!(parse_rfc3339("2000-02-29T12:00:00.250Z").unwrap(), 951_825_600);
        for bad in ["yesterday", "2026-13-01T00:00:00Z", "2026-11-23T25:00:00Z", "2026-11-23T00:00:00", "1969-12-31"] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn partitions_read_as_names_or_hex() {
        let mut b = [0u8; 32];
        b[..6].copy_from_slice(b"locked");
        assert_eq!(partition_label(B256::from(b)), "locked");
        b[0] = b';';
        assert!(partition_label(B256::from(b)).starts_with("0x3b"));
        assert_eq!(partition_label(B256::ZERO), format!("{:#x}", B256::ZERO));
        assert!(partition_label(B256::repeat_byte(0xff)).starts_with("0xffff"));
        // Names a spreadsheet would run as formulas are shown in hex.
        for formula in [&b"=cmd|'/C calc'!A0"[..], b"+1+1", b"-2+3", b"@SUM(A1)"] {
            let mut b = [0u8; 32];
            b[..formula.len()].copy_from_slice(formula);
            assert!(partition_label(B256::from(b)).starts_with("0x"), "{formula:?}");
        }
    }

    #[test]
    fn csv_text_cells_are_never_formulas() {
        assert_eq!(csv_text("Alice Holdings Ltd"), "Alice Holdings Ltd");
        assert_eq!(csv_text(""), "");
        assert_eq!(csv_text("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(csv_text("+1"), "'+1");
        assert_eq!(csv_text("-1"), "'-1");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("\tx"), "'\tx");
        assert_eq!(csv_text("\rx"), "\"'\rx\"");
        assert_eq!(csv_text("Smith, J."), "\"Smith, J.\"");
        assert_eq!(csv_text("two\nlines"), "\"two\nlines\"");
    }
}
