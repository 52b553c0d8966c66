//! Full-text search over the archive with tantivy: title and extracted text, filters by token,
//! kind and time, highlighted snippets, pages. The index is derived: each commit records how many
//! leaves it covers, a restart indexes what a crash left out, and `registrar archive reindex`
//! rebuilds it from the archive.

use std::{ops::Bound, path::Path, sync::Mutex};

use tantivy::{
    collector::{Count, TopDocs},
    directory::MmapDirectory,
    query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery},
    schema::{Field, IndexRecordOption, Schema, Value, FAST, INDEXED, STORED, STRING, TEXT},
    snippet::SnippetGenerator,
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

use super::{ArchiveError, Disclosure};

/// Heap of the index writer.
const WRITER_HEAP: usize = 64 << 20;

/// Deepest result a page may reach (offset plus page size): tantivy collects `offset + limit`
/// documents to answer a page, so the offset is bounded like Elasticsearch's result window.
pub const MAX_RESULT_WINDOW: usize = 10_000;
/// Longest search text, in bytes.
pub const MAX_SEARCH_TEXT: usize = 1_000;
/// Most words and operators (`AND`, `OR`, `NOT`, `(`, `+`, `-`, `!`) in a search text.
pub const MAX_SEARCH_TERMS: usize = 64;
/// Deepest parenthesis nesting in a search text.
pub const MAX_SEARCH_NESTING: usize = 8;

/// Checks a search text against the bounds above before tantivy's grammar, which recurses on
/// every parenthesis and prefix operator without a limit of its own, sees it.
pub fn check_search_text(text: &str) -> Result<(), String> {
    if text.len() > MAX_SEARCH_TEXT {
        return Err(format!("the search text is {} bytes; at most {MAX_SEARCH_TEXT} are accepted", text.len()));
    }
    let (mut depth, mut deepest, mut operators) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
                operators += 1;
            }
            ')' => depth = depth.saturating_sub(1),
            '+' | '-' | '!' => operators += 1,
            _ => {}
        }
    }
    if deepest > MAX_SEARCH_NESTING {
        return Err(format!("the search nests parentheses {deepest} deep; at most {MAX_SEARCH_NESTING} are accepted"));
    }
    let words = text.split(|c: char| c.is_whitespace() || "()+-!".contains(c)).filter(|w| !w.is_empty()).count();
    if words + operators > MAX_SEARCH_TERMS {
        return Err(format!(
            "the search has {} words and operators; at most {MAX_SEARCH_TERMS} are accepted",
            words + operators
        ));
    }
    Ok(())
}

struct Fields {
    leaf: Field,
    token: Field,
    kind: Field,
    timestamp: Field,
    title: Field,
    body: Field,
}

pub struct SearchIndex {
    index: Index,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    fields: Fields,
}

/// A search: every filter is optional.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub token: Option<[u8; 20]>,
    pub kind: Option<String>,
    /// Unix seconds, inclusive.
    pub from: Option<u64>,
    /// Unix seconds, inclusive.
    pub to: Option<u64>,
    /// Query text (tantivy's syntax: words, "phrases", AND/OR, -exclusions).
    pub text: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

/// One result: the leaf index and, for a text query, an HTML snippet with `<b>` highlights.
#[derive(Clone, Debug)]
pub struct Hit {
    pub leaf_index: u64,
    pub snippet: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SearchPage {
    pub hits: Vec<Hit>,
    pub total: usize,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        leaf: b.add_u64_field("leaf", INDEXED | STORED | FAST),
        token: b.add_text_field("token", STRING),
        kind: b.add_text_field("kind", STRING),
        timestamp: b.add_u64_field("timestamp", INDEXED | FAST),
        title: b.add_text_field("title", TEXT | STORED),
        body: b.add_text_field("body", TEXT | STORED),
    };
    (b.build(), fields)
}

impl SearchIndex {
    pub fn open(dir: &Path) -> Result<Self, ArchiveError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let directory = MmapDirectory::open(dir).map_err(|e| ArchiveError::Search(e.to_string()))?;
        let index = Index::open_or_create(directory, schema)?;
        let writer = index.writer_with_num_threads(1, WRITER_HEAP)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, writer: Mutex::new(writer), reader, fields })
    }

    /// How many leaves the last commit covers.
    pub fn indexed(&self) -> Result<u64, ArchiveError> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }

    pub fn add(&self, d: &Disclosure, text: &str) -> Result<(), ArchiveError> {
        self.add_fields(d.leaf_index, &d.leaf.token, &d.leaf.kind, d.leaf.timestamp, &d.title, text)
    }

    /// Adds one document by its fields (imports, benchmarks).
    pub fn add_fields(
        &self,
        leaf: u64,
        token: &[u8; 20],
        kind: &str,
        timestamp: u64,
        title: &str,
        text: &str,
    ) -> Result<(), ArchiveError> {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.leaf, leaf);
        doc.add_text(f.token, token_term(token));
        doc.add_text(f.kind, kind);
        doc.add_u64(f.timestamp, timestamp);
        doc.add_text(f.title, title);
        doc.add_text(f.body, text);
        self.writer.lock().expect("index writer lock").add_document(doc)?;
        Ok(())
    }

    /// Commits what was added, recording that the first `leaves` leaves are indexed.
    pub fn commit(&self, leaves: u64) -> Result<(), ArchiveError> {
        let mut writer = self.writer.lock().expect("index writer lock");
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&leaves.to_string());
        prepared.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Empties the index, for a rebuild.
    pub fn clear(&self) -> Result<(), ArchiveError> {
        self.writer.lock().expect("index writer lock").delete_all_documents()?;
        self.commit(0)
    }

    pub fn search(&self, q: &SearchQuery) -> Result<SearchPage, ArchiveError> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let text_query = match q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => {
                check_search_text(text).map_err(ArchiveError::BadSearch)?;
                let parser = QueryParser::for_index(&self.index, vec![f.title, f.body]);
                let parsed = parser.parse_query(text).map_err(|e| ArchiveError::BadSearch(e.to_string()))?;
                clauses.push((Occur::Must, parsed.box_clone()));
                Some(parsed)
            }
            None => None,
        };
        if let Some(token) = &q.token {
            let term = Term::from_field_text(f.token, &token_term(token));
            clauses.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        if let Some(kind) = &q.kind {
            let term = Term::from_field_text(f.kind, kind);
            clauses.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        if q.from.is_some() || q.to.is_some() {
            let bound = |v: Option<u64>| match v {
                Some(v) => Bound::Included(Term::from_field_u64(f.timestamp, v)),
                None => Bound::Unbounded,
            };
            clauses.push((Occur::Must, Box::new(RangeQuery::new(bound(q.from), bound(q.to)))));
        }
        let query: Box<dyn Query> =
            if clauses.is_empty() { Box::new(AllQuery) } else { Box::new(BooleanQuery::new(clauses)) };
        if q.offset.saturating_add(q.limit) > MAX_RESULT_WINDOW {
            return Err(ArchiveError::BadSearch(format!(
                "pages reach at most {MAX_RESULT_WINDOW} results deep (offset {} + first {}): narrow the search with token, kind, from or to",
                q.offset, q.limit
            )));
        }
        let total = searcher.search(&query, &Count)?;
        let limit = q.limit.max(1);
        if q.offset >= total {
            return Ok(SearchPage { hits: Vec::new(), total });
        }
        let addresses: Vec<DocAddress> = if text_query.is_some() {
            let top = TopDocs::with_limit(limit).and_offset(q.offset);
            searcher.search(&query, &top)?.into_iter().map(|(_, a)| a).collect()
        } else {
            // Without text, newest first.
            let top = TopDocs::with_limit(limit).and_offset(q.offset).order_by_fast_field::<u64>("leaf", Order::Desc);
            searcher.search(&query, &top)?.into_iter().map(|(_, a)| a).collect()
        };
        let snippets = match &text_query {
            Some(tq) => Some(SnippetGenerator::create(&searcher, tq.as_ref(), f.body)?),
            None => None,
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses.into_iter().take(q.limit) {
            let doc: TantivyDocument = searcher.doc(address)?;
            let leaf_index = doc
                .get_first(f.leaf)
                .and_then(|v| v.as_u64())
                .ok_or_else(|| ArchiveError::Search("a search document without its leaf".into()))?;
            let snippet = snippets.as_ref().map(|g| g.snippet_from_doc(&doc).to_html());
            hits.push(Hit { leaf_index, snippet });
        }
        Ok(SearchPage { hits, total })
    }
}

fn token_term(token: &[u8; 20]) -> String {
    hex::encode(token)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn index() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        index.add_fields(0, &[1; 20], "annual-report", 1, "Annual report", "collateral treasuries").unwrap();
        index.commit(1).unwrap();
        (dir, index)
    }

    fn text(t: &str) -> SearchQuery {
        SearchQuery { text: Some(t.to_string()), limit: 10, ..Default::default() }
    }

    /// What aborted the process before: a nesting that overflows the stack, a `NOT` chain, an
    /// offset tantivy sizes a buffer to. Each is a clear error now, on a thread with the stack of
    /// tokio's blocking pool.
    #[test]
    fn hostile_searches_are_refused() {
        let (_dir, index) = index();
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let nested = format!("{}a{}", "(".repeat(50_000), ")".repeat(50_000));
                let nots = format!("{}a", "NOT ".repeat(50_000));
                let short_nested = format!("{}a{}", "(".repeat(9), ")".repeat(9));
                for bad in [nested, nots, short_nested, "a ".repeat(65), "-".repeat(70)] {
                    assert!(matches!(index.search(&text(&bad)), Err(ArchiveError::BadSearch(_))), "{bad:.40}");
                }
                let deep = SearchQuery { offset: 100_000_000_000_000, limit: 10, ..Default::default() };
                assert!(matches!(index.search(&deep), Err(ArchiveError::BadSearch(_))));
                let past_the_end = SearchQuery { offset: 5, limit: 10, ..Default::default() };
                assert_eq!(index.search(&past_the_end).unwrap().hits.len(), 0);
                // The worst accepted: 8 parentheses deep with NOTs and words up to the term limit.
                let worst = format!("{}collateral{}", "(NOT x OR ".repeat(8), ")".repeat(8));
                assert!(check_search_text(&worst).is_ok());
                index.search(&text(&worst)).unwrap();
                assert_eq!(index.search(&text("collateral AND treasuries")).unwrap().hits.len(), 1);
            })
            .unwrap()
            .join()
            .unwrap();
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any text within the bounds gets a page or a clear error from tantivy's parser.
        #[test]
        fn any_bounded_search_is_answered(t in "[()a-c +\\-!\"~^:*\\[\\]{}]{0,300}|(NOT |AND |OR |\\(|\\)|a ){0,80}") {
            let (_dir, index) = index();
            let _ = index.search(&text(&t));
        }
    }
}
