//! Answers in the order the query asked for its fields. GraphQL's response keeps the selection's
//! order (spec 7.2.2, "Serialized Map Ordering"); async-graphql resolves an object's fields in
//! parallel and keeps them in the order they finish, so the answer is put back in order here,
//! fragments and aliases included.

use async_graphql::{
    indexmap::IndexMap,
    parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet},
    Name, Value,
};

/// Deepest fragment spreads followed (a valid document has no cycles; this bounds one that does).
const MAX_FRAGMENT_DEPTH: usize = 32;

/// The operation a request runs: `name`, or the document's only one.
pub fn operation<'a>(doc: &'a ExecutableDocument, name: Option<&str>) -> Option<&'a OperationDefinition> {
    match &doc.operations {
        DocumentOperations::Single(op) => Some(&op.node),
        DocumentOperations::Multiple(ops) => match name.and_then(|n| ops.get(n)) {
            Some(op) => Some(&op.node),
            None if ops.len() == 1 => ops.values().next().map(|op| &op.node),
            None => None,
        },
    }
}

/// Puts `data` in the order in which `doc`'s operation (`name`, or its only one) selects the
/// fields.
pub fn in_document_order(data: &mut Value, doc: &ExecutableDocument, name: Option<&str>) {
    if let Some(op) = operation(doc, name) {
        order(data, &[&op.selection_set.node], doc);
    }
}

/// The response keys `sets` select, in order, each once with the sub-selections of its fields.
fn keys<'a>(
    sets: &[&'a SelectionSet],
    doc: &'a ExecutableDocument,
    depth: usize,
    out: &mut Vec<(Name, Vec<&'a SelectionSet>)>,
) {
    if depth > MAX_FRAGMENT_DEPTH {
        return;
    }
    for set in sets {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(f) => {
                    let key = f.node.alias.as_ref().unwrap_or(&f.node.name).node.clone();
                    let sub = &f.node.selection_set.node;
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, subs)) => subs.push(sub),
                        None => out.push((key, vec![sub])),
                    }
                }
                Selection::FragmentSpread(s) => {
                    if let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node) {
                        keys(&[&fragment.node.selection_set.node], doc, depth + 1, out);
                    }
                }
                Selection::InlineFragment(i) => keys(&[&i.node.selection_set.node], doc, depth + 1, out),
            }
        }
    }
}

fn order(value: &mut Value, sets: &[&SelectionSet], doc: &ExecutableDocument) {
    match value {
        Value::Object(fields) => {
            let mut selected = Vec::new();
            keys(sets, doc, 0, &mut selected);
            let mut ordered = IndexMap::with_capacity(fields.len());
            for (key, subs) in selected {
                if let Some(mut v) = fields.shift_remove(&key) {
                    order(&mut v, &subs, doc);
                    ordered.insert(key, v);
                }
            }
            // Anything the selection does not name (none in a valid answer) keeps its place after.
            ordered.extend(fields.drain(..));
            *fields = ordered;
        }
        Value::List(items) => {
            for item in items {
                order(item, sets, doc);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    /// [`in_document_order`] from the query text; a text that does not parse leaves `data` as it is.
    fn in_query_order(data: &mut Value, query: &str, name: Option<&str>) {
        if let Ok(doc) = parse_query(query) {
            in_document_order(data, &doc, name);
        }
    }

    fn keys_of(v: &Value) -> Vec<String> {
        match v {
            Value::Object(m) => m.keys().map(|k| k.to_string()).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn fields_come_back_as_asked() {
        let query = r#"query Q { token(address: "0x1") { symbol holders { nodes { balance address } } ...F t: transfers { from } name } }
            fragment F on Token { holder { frozen balance } }"#;
        // As async-graphql may answer: in the order the resolvers finished.
        let mut data = Value::from_json(serde_json::json!({
            "token": {
                "name": "N",
                "t": [{ "from": "a" }],
                "holder": { "balance": "1", "frozen": "0" },
                "holders": { "nodes": [{ "address": "x", "balance": "2" }, { "address": "y", "balance": "1" }] },
                "symbol": "S"
            }
        }))
        .unwrap();
        in_query_order(&mut data, query, Some("Q"));
        let Value::Object(root) = &data else { panic!() };
        let token = &root["token"];
        assert_eq!(keys_of(token), ["symbol", "holders", "holder", "t", "name"]);
        let Value::Object(t) = token else { panic!() };
        assert_eq!(keys_of(&t["holder"]), ["frozen", "balance"]);
        let Value::Object(holders) = &t["holders"] else { panic!() };
        let Value::List(nodes) = &holders["nodes"] else { panic!() };
        assert!(nodes.iter().all(|n| keys_of(n) == ["balance", "address"]));
    }

    #[test]
    fn a_fragment_cycle_or_a_bad_query_changes_nothing_and_ends() {
        let mut data = Value::from_json(serde_json::json!({ "b": 1, "a": 2 })).unwrap();
        in_query_order(&mut data, "{ a ...X } fragment X on Query { b ...X }", None);
        assert_eq!(keys_of(&data), ["a", "b"]);
        let mut same = data.clone();
        in_query_order(&mut same, "{ not a query", None);
        assert_eq!(same, data);
    }
}
