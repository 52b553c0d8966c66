//! The request budget: what one GraphQL document may ask for, checked before async-graphql
//! parses or validates it.
//!
//! async-graphql's own checks (depth, complexity, directives) walk fragment spreads without
//! memoising them, so a 2 KB document of 30 fragments that each spread the next one twice costs
//! 2^30 steps before any limit answers. Here every fragment's cost is computed once and reused,
//! so the check is linear in the document's size, and it counts what the document asks for after
//! fragments are expanded: fields, root fields (aliases included), directives and the fields that
//! scan the state (their cost reflects rows read, not the 1 a plain field costs).

use std::collections::HashMap;

use async_graphql::parser::{
    parse_query,
    types::{ExecutableDocument, Selection, SelectionSet},
    Positioned,
};

/// Largest query text (the document; variables carry uploads and are bounded by the body limit).
pub const MAX_QUERY_BYTES: usize = 64 << 10;
/// Deepest nesting of `{`, `(` and `[` in the query text: the parser recurses on each.
pub const MAX_NESTING: usize = 64;
/// Most fields one document asks for once its fragments are expanded.
pub const MAX_FIELDS: u64 = 10_000;
/// Most root fields (aliases of the same field included) of one document.
pub const MAX_ROOT_FIELDS: u64 = 32;
/// Most directives once fragments are expanded.
pub const MAX_DIRECTIVES: u64 = 200;
/// Most fragment definitions in one document.
pub const MAX_FRAGMENTS: usize = 200;
/// Most state scans one document may cause: each of [`SCAN_FIELDS`] costs one.
pub const MAX_SCANS: u64 = 64;

/// Fields whose resolver reads many rows of the state or the archive (a history scan, a list, a
/// report, a search), whatever `first` says. Each costs one scan of the [`MAX_SCANS`] budget.
pub const SCAN_FIELDS: &[&str] = &[
    "tokens",
    "holders",
    "transfers",
    "partitions",
    "proposals",
    "votesCast",
    "corporateActions",
    "distributions",
    "bonds",
    "vaultRequests",
    "pool",
    "complianceSetup",
    "investors",
    "investor",
    "investorCount",
    "investorsByCountry",
    "whitelist",
    "complianceRules",
    "labelHistory",
    "undecodedLogs",
    "disclosures",
    "anchors",
    "disclosureProof",
    "consistencyProof",
    "report",
    "snippet",
];

/// Why a document was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("the query is {0} bytes; at most {MAX_QUERY_BYTES} are accepted")]
    TooLong(usize),
    #[error("the query nests brackets more than {MAX_NESTING} deep")]
    TooDeep,
    #[error("{0}")]
    Syntax(String),
    #[error("the query has {0} fragments; at most {MAX_FRAGMENTS} are accepted")]
    TooManyFragments(usize),
    #[error("fragment {0} spreads itself")]
    FragmentCycle(String),
    #[error("the query asks for {0} fields once fragments are expanded; at most {MAX_FIELDS} are accepted")]
    TooManyFields(u64),
    #[error("the query has {0} root fields (aliases count); at most {MAX_ROOT_FIELDS} are accepted")]
    TooManyRootFields(u64),
    #[error("the query has {0} directives once fragments are expanded; at most {MAX_DIRECTIVES} are accepted")]
    TooManyDirectives(u64),
    #[error(
        "the query reads {0} lists, histories, reports or searches; at most {MAX_SCANS} are accepted in one request"
    )]
    TooManyScans(u64),
}

/// What a selection set costs once its fragments are expanded. Counts saturate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    pub fields: u64,
    /// Fields directly in the selection set (through spreads and inline fragments too).
    pub top_fields: u64,
    pub directives: u64,
    pub scans: u64,
}

impl Cost {
    fn add(&mut self, other: Cost, top: bool) {
        self.fields = self.fields.saturating_add(other.fields);
        self.directives = self.directives.saturating_add(other.directives);
        self.scans = self.scans.saturating_add(other.scans);
        if top {
            self.top_fields = self.top_fields.saturating_add(other.top_fields);
        }
    }
}

/// Checks a query text against the budget and returns what it costs.
pub fn check_query(query: &str) -> Result<Cost, DocumentError> {
    checked_document(query).map(|(_, cost)| cost)
}

/// Parses a query text within the budget (its size and nesting are checked before it is
/// parsed) and returns the document with what it costs.
pub fn checked_document(query: &str) -> Result<(ExecutableDocument, Cost), DocumentError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(DocumentError::TooLong(query.len()));
    }
    if nesting(query) > MAX_NESTING {
        return Err(DocumentError::TooDeep);
    }
    let doc = parse_query(query).map_err(|e| DocumentError::Syntax(e.to_string()))?;
    let cost = check_document(&doc)?;
    Ok((doc, cost))
}

/// Checks `request`'s document against the budget and hands the parsed document to the request,
/// so that the schema does not parse it again; returns it for what follows the execution (the
/// answer's field order, the operation's type).
pub fn prepare(request: &mut async_graphql::Request) -> Result<ExecutableDocument, DocumentError> {
    let (doc, _) = checked_document(&request.query)?;
    request.set_parsed_query(doc.clone());
    Ok(doc)
}

/// The deepest bracket nesting of a GraphQL text, outside strings and comments.
fn nesting(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '(' | '[' => {
                depth += 1;
                max = max.max(depth);
            }
            '}' | ')' | ']' => depth = depth.saturating_sub(1),
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' || c == '\r' {
                        break;
                    }
                }
            }
            '"' => {
                // A string (block strings are three quotes: the empty strings around balance out).
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    max
}

/// Checks a parsed document: every operation and every fragment definition (validation visits
/// them all), each fragment's cost computed once.
pub fn check_document(doc: &ExecutableDocument) -> Result<Cost, DocumentError> {
    if doc.fragments.len() > MAX_FRAGMENTS {
        return Err(DocumentError::TooManyFragments(doc.fragments.len()));
    }
    let mut walker = Walker { doc, memo: HashMap::new(), visiting: Vec::new() };
    let mut total = Cost::default();
    for (_, operation) in doc.operations.iter() {
        let mut cost = walker.selection_set(&operation.node.selection_set)?;
        cost.directives = cost.directives.saturating_add(operation.node.directives.len() as u64);
        if cost.top_fields > MAX_ROOT_FIELDS {
            return Err(DocumentError::TooManyRootFields(cost.top_fields));
        }
        total.add(cost, true);
    }
    for name in doc.fragments.keys() {
        let cost = walker.fragment(name.as_str())?;
        total.add(cost, false);
    }
    if total.fields > MAX_FIELDS {
        return Err(DocumentError::TooManyFields(total.fields));
    }
    if total.directives > MAX_DIRECTIVES {
        return Err(DocumentError::TooManyDirectives(total.directives));
    }
    if total.scans > MAX_SCANS {
        return Err(DocumentError::TooManyScans(total.scans));
    }
    Ok(total)
}

struct Walker<'a> {
    doc: &'a ExecutableDocument,
    memo: HashMap<&'a str, Cost>,
    /// Fragments being expanded, to find cycles (validation refuses them; the count must end).
    visiting: Vec<&'a str>,
}

impl<'a> Walker<'a> {
    fn fragment(&mut self, name: &'a str) -> Result<Cost, DocumentError> {
        if let Some(cost) = self.memo.get(name) {
            return Ok(*cost);
        }
        if self.visiting.contains(&name) {
            return Err(DocumentError::FragmentCycle(name.to_string()));
        }
        // A spread of an unknown fragment is validation's to report; it costs nothing here.
        let Some((key, definition)) = self.doc.fragments.get_key_value(name) else { return Ok(Cost::default()) };
        self.visiting.push(key.as_str());
        let mut cost = self.selection_set(&definition.node.selection_set)?;
        cost.directives = cost.directives.saturating_add(definition.node.directives.len() as u64);
        self.visiting.pop();
        self.memo.insert(key.as_str(), cost);
        Ok(cost)
    }

    /// The selection set's cost. Recursion follows the text's nesting, which [`nesting`] bounds
    /// for text and async-graphql's parser bounds for a parsed document; spreads are memoised.
    fn selection_set(&mut self, set: &'a Positioned<SelectionSet>) -> Result<Cost, DocumentError> {
        let mut cost = Cost::default();
        for item in &set.node.items {
            match &item.node {
                Selection::Field(field) => {
                    let f = &field.node;
                    let inner = self.selection_set(&f.selection_set)?;
                    let own = Cost {
                        fields: 1,
                        top_fields: 1,
                        directives: f.directives.len() as u64,
                        scans: u64::from(SCAN_FIELDS.contains(&f.name.node.as_str())),
                    };
                    cost.add(own, true);
                    cost.add(inner, false);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let mut inner = self.fragment(name)?;
                    inner.directives = inner.directives.saturating_add(spread.node.directives.len() as u64);
                    cost.add(inner, true);
                }
                Selection::InlineFragment(inline) => {
                    let mut inner = self.selection_set(&inline.node.selection_set)?;
                    inner.directives = inner.directives.saturating_add(inline.node.directives.len() as u64);
                    cost.add(inner, true);
                }
            }
            if cost.fields > MAX_FIELDS {
                return Err(DocumentError::TooManyFields(cost.fields));
            }
        }
        Ok(cost)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// 30 fragments, each spreading the next twice: 2^30 fields once expanded, in about 2 KB.
    fn doubling_fragments(n: usize) -> String {
        let mut q = String::from("{ ...F0 }\n");
        for i in 0..n {
            q.push_str(&format!("fragment F{i} on Query {{ ...F{} ...F{} }}\n", i + 1, i + 1));
        }
        q.push_str(&format!("fragment F{n} on Query {{ status {{ chainId }} }}\n"));
        q
    }

    #[test]
    fn doubling_fragments_are_refused_at_once() {
        let q = doubling_fragments(30);
        assert!(q.len() < 2_100, "{}", q.len());
        assert!(matches!(check_query(&q), Err(DocumentError::TooManyFields(_))), "{:?}", check_query(&q));
        // A few doublings are fine: 2^3 spreads of `status { chainId }` (root fields by spread).
        let q = doubling_fragments(3);
        let cost = check_query(&q).unwrap();
        assert_eq!(cost.top_fields, 8);
        // 16 fields in the operation, and the definitions F0..F3 (16, 8, 4 and 2), which validation visits.
        assert_eq!(cost.fields, 16 + 30);
    }

    #[test]
    fn aliases_count_as_root_fields_and_scans() {
        let one = r#"t0: token(address: "0x5fbdb2315678afecb367f032d93f642f64180aa3", block: {number: 3}) { holders(first: 1, orderBy: ADDRESS) { totalCount } }"#;
        let many = |n: usize| {
            format!("{{ {} }}", (0..n).map(|i| one.replacen("t0", &format!("t{i}"), 1)).collect::<Vec<_>>().join(" "))
        };
        assert_eq!(check_query(&many(5)).unwrap().scans, 5);
        assert_eq!(check_query(&many(5000)), Err(DocumentError::TooLong(many(5000).len())));
        assert_eq!(check_query(&many(33)), Err(DocumentError::TooManyRootFields(33)));
        let scans = format!(
            "{{ {} }}",
            (0..30).map(|i| format!("t{i}: token(address: \"0x01\") {{ holders {{ totalCount }} transfers {{ totalCount }} bonds {{ supply }} }}")).collect::<Vec<_>>().join(" ")
        );
        assert_eq!(check_query(&scans), Err(DocumentError::TooManyScans(90)));
    }

    #[test]
    fn directives_and_cycles() {
        let q = format!("{{ status {} {{ chainId }} }}", "@include(if: true) ".repeat(201));
        assert_eq!(check_query(&q), Err(DocumentError::TooManyDirectives(201)));
        let q = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        assert!(matches!(check_query(q), Err(DocumentError::FragmentCycle(_))));
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let q = format!("{}{}", "{ a ".repeat(50_000), "}".repeat(50_000));
        assert_eq!(check_query(&q[..MAX_QUERY_BYTES]), Err(DocumentError::TooDeep));
        let q = format!("{{ status(x: {}1{}) }}", "[".repeat(65), "]".repeat(65));
        assert_eq!(check_query(&q), Err(DocumentError::TooDeep));
        // Brackets in strings and comments do not count.
        let q = format!("{{ token(address: \"{}\") {{ name }} # {}\n}}", "{".repeat(100), "(".repeat(100));
        assert!(check_query(&q).is_ok());
    }

    proptest! {
        /// Any text gets an answer (a cost or an error), never a panic or a stack overflow.
        #[test]
        fn any_text_is_answered(text in "[{}()\\[\\]a-z .:@$!#\"\\\\,=0-9\n]{0,400}") {
            let _ = check_query(&text);
        }
    }
}
