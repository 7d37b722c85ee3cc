//! Bounds on an operation's text and breadth, checked when it is parsed and before any
//! resolver runs: the query's length, its fields in all (aliases and fragments expanded,
//! each weighted by what it costs the database) and its top-level fields. Depth and
//! page-size complexity are async-graphql's own limits.

/// What a field costs in the field budget, beyond the 1 every field costs: counts and
/// aggregates scan many rows whatever page size is asked for, and an audit verification
/// re-hashes whole chains. (A connection's own complexity multiplies its children by the
/// page size, so a count's real cost cannot be expressed there.)
fn cost(field: &str) -> usize {
    match field {
        "auditVerify" => 250,
        "dashboard" | "rectificationSection" => 100,
        "totalCount" | "byLeader" | "trend" => 50,
        _ => 1,
    }
}

use std::sync::Arc;

use async_graphql::{
    ErrorExtensionValues, Request, ServerError, ServerResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest,
    },
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use crate::config::Limits;

/// The extension that enforces [`OperationLimits`] on every request.
#[derive(Clone, Copy, Debug)]
pub struct OperationLimits {
    pub max_depth: usize,
    pub max_query_bytes: usize,
    pub max_fields: usize,
    pub max_root_fields: usize,
}

impl OperationLimits {
    /// The bounds configured in `limits`.
    pub fn from_limits(limits: &Limits) -> Self {
        Self {
            max_depth: limits.max_query_depth,
            max_query_bytes: limits.max_query_bytes,
            max_fields: limits.max_query_fields,
            max_root_fields: limits.max_root_fields,
        }
    }

    /// Why `doc` is too deep or too broad, if it is.
    pub fn check(&self, doc: &ExecutableDocument) -> Result<(), ServerError> {
        for (_, operation) in doc.operations.iter() {
            let mut spreads = self.max_fields;
            for field in root_fields(doc, &operation.node.selection_set.node, &mut spreads) {
                // Introspection has a bound of its own: the standard introspection query
                // (every client's "fetch the schema") nests 13 deep.
                let bound = if field.name.node.starts_with("__") {
                    self.max_depth.max(INTROSPECTION_DEPTH)
                } else {
                    self.max_depth
                };
                if depth(doc, &field.selection_set.node, 1, bound, &mut spreads) > bound {
                    return Err(limit_error(
                        "QUERY_TOO_DEEP",
                        format!("查询嵌套超过 {bound} 层"),
                    ));
                }
            }
        }
        let mut budget = Budget {
            doc,
            left: self.max_fields,
            // Fragments spread inside fragments: a cycle is a validation error reported
            // later, here it only must not loop.
            spreads_left: self.max_fields,
        };
        for (_, operation) in doc.operations.iter() {
            let root = &operation.node.selection_set.node;
            let mut root_budget = Budget {
                doc,
                left: self.max_root_fields,
                spreads_left: self.max_root_fields,
            };
            if !root_budget.count(root, false) {
                return Err(limit_error(
                    "QUERY_TOO_BROAD",
                    format!(
                        "一次请求最多查询 {} 个顶层字段（别名也计算在内），请分成几次请求",
                        self.max_root_fields
                    ),
                ));
            }
            if !budget.count(root, true) {
                return Err(limit_error(
                    "QUERY_TOO_BROAD",
                    format!(
                        "一次请求最多查询 {} 个字段（别名和片段展开后计算），请缩小查询",
                        self.max_fields
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// How deep introspection may nest.
const INTROSPECTION_DEPTH: usize = 20;

/// The top-level fields of a selection, fragments expanded.
fn root_fields<'d>(
    doc: &'d ExecutableDocument,
    set: &'d SelectionSet,
    spreads: &mut usize,
) -> Vec<&'d async_graphql::parser::types::Field> {
    let mut out = Vec::new();
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => out.push(&field.node),
            Selection::InlineFragment(fragment) => {
                out.extend(root_fields(doc, &fragment.node.selection_set.node, spreads));
            }
            Selection::FragmentSpread(spread) => {
                if *spreads == 0 {
                    continue;
                }
                *spreads -= 1;
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    out.extend(root_fields(doc, &fragment.node.selection_set.node, spreads));
                }
            }
        }
    }
    out
}

/// The depth of the deepest field under `set`, where `set`'s own fields are at `level + 1`;
/// stops descending past `bound`.
fn depth(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    level: usize,
    bound: usize,
    spreads: &mut usize,
) -> usize {
    if level > bound {
        return level;
    }
    let mut deepest = level;
    for item in &set.items {
        let d = match &item.node {
            Selection::Field(field) => depth(
                doc,
                &field.node.selection_set.node,
                level + 1,
                bound,
                spreads,
            ),
            Selection::InlineFragment(fragment) => depth(
                doc,
                &fragment.node.selection_set.node,
                level,
                bound,
                spreads,
            ),
            Selection::FragmentSpread(spread) => {
                if *spreads == 0 {
                    continue;
                }
                *spreads -= 1;
                match doc.fragments.get(&spread.node.fragment_name.node) {
                    Some(fragment) => depth(
                        doc,
                        &fragment.node.selection_set.node,
                        level,
                        bound,
                        spreads,
                    ),
                    None => level,
                }
            }
        };
        deepest = deepest.max(d);
        if deepest > bound {
            break;
        }
    }
    deepest
}

/// Counts fields against a budget, stopping as soon as it is spent.
struct Budget<'a> {
    doc: &'a ExecutableDocument,
    left: usize,
    spreads_left: usize,
}

impl Budget<'_> {
    /// False once more fields were met than the budget allows. `nested` counts the fields
    /// under each field too; otherwise only this level (fragments expanded).
    fn count(&mut self, set: &SelectionSet, nested: bool) -> bool {
        for item in &set.items {
            let ok = match &item.node {
                Selection::Field(field) => {
                    let weight = if nested {
                        cost(&field.node.name.node)
                    } else {
                        1
                    };
                    if self.left < weight {
                        return false;
                    }
                    self.left -= weight;
                    !nested || self.count(&field.node.selection_set.node, nested)
                }
                Selection::InlineFragment(fragment) => {
                    self.count(&fragment.node.selection_set.node, nested)
                }
                Selection::FragmentSpread(spread) => {
                    if self.spreads_left == 0 {
                        return false;
                    }
                    self.spreads_left -= 1;
                    match self.doc.fragments.get(&spread.node.fragment_name.node) {
                        Some(fragment) => self.count(&fragment.node.selection_set.node, nested),
                        None => true,
                    }
                }
            };
            if !ok {
                return false;
            }
        }
        true
    }
}

fn limit_error(code: &'static str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", Value::from(code));
    error.extensions = Some(extensions);
    error
}

impl ExtensionFactory for OperationLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

/// The path of the first string in `value` holding a NUL character (which PostgreSQL
/// cannot store in text), if any.
fn nul_in(value: &Value, path: &mut Vec<String>) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::List(items) => items.iter().enumerate().any(|(i, v)| {
            path.push(i.to_string());
            let found = nul_in(v, path);
            if !found {
                path.pop();
            }
            found
        }),
        Value::Object(fields) => fields.iter().any(|(k, v)| {
            path.push(k.to_string());
            let found = nul_in(v, path);
            if !found {
                path.pop();
            }
            found
        }),
        _ => false,
    }
}

#[async_trait::async_trait]
impl Extension for OperationLimits {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let mut path = Vec::new();
        let in_variables = request.variables.iter().any(|(name, value)| {
            path.push(name.to_string());
            let found = nul_in(value, &mut path);
            if !found {
                path.pop();
            }
            found
        });
        if in_variables || request.query.contains('\0') {
            let mut error = limit_error(
                "VALIDATION",
                "输入含有空字符（NUL），请删除后重试".to_owned(),
            );
            if let Some(extensions) = error.extensions.as_mut() {
                extensions.set("field", Value::from(path.join(".")));
            }
            return Err(error);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if query.len() > self.max_query_bytes {
            return Err(limit_error(
                "QUERY_TOO_LARGE",
                format!(
                    "查询文本有 {} 字节，超过上限 {} 字节",
                    query.len(),
                    self.max_query_bytes
                ),
            ));
        }
        let doc = next.run(ctx, query, variables).await?;
        self.check(&doc)?;
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    const LIMITS: OperationLimits = OperationLimits {
        max_depth: 3,
        max_query_bytes: 1000,
        max_fields: 10,
        max_root_fields: 3,
    };

    fn code(query: &str) -> Option<String> {
        let doc = parse_query(query).unwrap();
        LIMITS
            .check(&doc)
            .err()
            .map(|e| e.extensions.unwrap().get("code").unwrap().to_string())
    }

    #[test]
    fn aliases_count_as_root_fields() {
        assert_eq!(code("{ a: me { id } b: me { id } c: me { id } }"), None);
        assert_eq!(
            code("{ a: me { id } b: me { id } c: me { id } d: me { id } }").as_deref(),
            Some("\"QUERY_TOO_BROAD\"")
        );
    }

    #[test]
    fn fragments_are_counted_each_time_they_are_spread() {
        let once = "query { me { ...F } } fragment F on Account { a b c d }";
        assert_eq!(code(once), None);
        let thrice = "query { x: me { ...F } y: me { ...F } z: me { ...F } }
                      fragment F on Account { a b c d }";
        assert!(code(thrice).is_some(), "15 fields expanded");
    }

    #[test]
    fn counts_weigh_what_they_cost() {
        assert_eq!(code("{ items { nodes { id } } }"), None);
        assert!(
            code("{ items { totalCount } }").is_some(),
            "a count is 50 fields"
        );
    }

    #[test]
    fn depth_is_bounded_and_introspection_has_its_own_bound() {
        assert_eq!(code("{ a { b { c } } }"), None);
        assert_eq!(
            code("{ a { b { c { d } } } }").as_deref(),
            Some("\"QUERY_TOO_DEEP\"")
        );
        assert_eq!(
            code("{ a { ...F } } fragment F on T { b { c { d } } }").as_deref(),
            Some("\"QUERY_TOO_DEEP\"")
        );
        assert_eq!(code("{ __schema { a { b { c { d } } } } }"), None);
    }

    #[test]
    fn self_spreading_fragments_stop_at_the_budget() {
        let cyclic = "query { me { ...F } } fragment F on Account { id ...F }";
        assert!(code(cyclic).is_some());
    }
}
