//! What a list looks like: its fields, their types and SQL columns, and its defaults.

use crate::{parse_sort, Error, SortKey};

/// Wazuh's `MAXIMUM_DATABASE_LIMIT` (`framework/wazuh/core/common.py`): the largest `limit` a list accepts.
pub const WAZUH_MAX_LIMIT: u64 = 100_000;

/// How a field is typed, which decides how comparisons, sorting and searching work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// Free text. `=`, `!=`, `<`, `>` compare ASCII-case-insensitively (SQLite `COLLATE NOCASE`); sorting is
    /// case-sensitive byte order (SQLite `BINARY`), as in Wazuh, whose columns carry no collation.
    Text,
    /// A 64-bit integer, compared and sorted numerically; `~` and search match its decimal text.
    Integer,
    /// A date stored as text (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS[.f][Z|±HH:MM]`).
    /// Compared and sorted as instants (whole seconds, UTC); `q` values may be dates or timeframes (`7d`).
    Date,
}

impl FieldKind {
    pub(crate) fn word(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Integer => "integer",
            FieldKind::Date => "date",
        }
    }
}

/// One field of a list as the API exposes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Exposed dot path, e.g. `os.name`; nested in output as `{"os":{"name":..}}`.
    pub name: String,
    /// The field's type.
    pub kind: FieldKind,
    /// SQL expression that yields the field from the `from` clause, e.g. `os_name` or `a.os_name`.
    /// It is trusted schema text and is spliced into SQL as is.
    pub column: String,
    /// Whether the free-text `search` parameter looks into this field (Wazuh searches every field).
    pub searchable: bool,
    /// For a list-valued field (an agent's groups): SQL `FROM … WHERE …` over the rows holding the
    /// values and the column of the value, so a condition holds when any value satisfies it (what
    /// the in-memory executor does with a JSON array). `column` still renders the field's output.
    pub members: Option<(String, String)>,
    /// SQL that yields the field's output as JSON text, when the output is not the column's value
    /// (an integer id shown zero-padded, a list gathered from another table). Filters and sorting
    /// still use `column`; the in-memory executor does not use it.
    pub output_json: Option<String>,
    /// Sorts text case-insensitively (lower-cased), as Wazuh's in-memory listings (rules,
    /// decoders, lists) do, instead of in byte order.
    pub sort_nocase: bool,
    /// A date compared and sorted to the microsecond, as Wazuh's in-memory listings (MITRE)
    /// compare `datetime`s. Only the in-memory executor honours it; SQL compares whole seconds.
    pub sub_second: bool,
}

impl Field {
    /// A searchable field.
    pub fn new(name: impl Into<String>, kind: FieldKind, column: impl Into<String>) -> Self {
        Field {
            name: name.into(),
            kind,
            column: column.into(),
            searchable: true,
            members: None,
            output_json: None,
            sort_nocase: false,
            sub_second: false,
        }
    }

    /// Renders this field in SQL results with `json_sql` (trusted schema text yielding JSON text,
    /// or NULL to leave the field out).
    #[must_use]
    pub fn output_json(mut self, json_sql: impl Into<String>) -> Self {
        self.output_json = Some(json_sql.into());
        self
    }

    /// The SQL expression the field is selected with.
    pub fn output_sql(&self) -> &str {
        self.output_json.as_deref().unwrap_or(&self.column)
    }

    /// Makes this a list-valued field whose values are the `value_column` of `from_where` (trusted
    /// schema text, e.g. `agent_groups WHERE agent_id = agents.id`).
    #[must_use]
    pub fn members(mut self, from_where: impl Into<String>, value_column: impl Into<String>) -> Self {
        self.members = Some((from_where.into(), value_column.into()));
        self
    }

    /// A searchable [`FieldKind::Text`] field.
    pub fn text(name: impl Into<String>, column: impl Into<String>) -> Self {
        Field::new(name, FieldKind::Text, column)
    }

    /// A searchable [`FieldKind::Integer`] field.
    pub fn integer(name: impl Into<String>, column: impl Into<String>) -> Self {
        Field::new(name, FieldKind::Integer, column)
    }

    /// A searchable [`FieldKind::Date`] field.
    pub fn date(name: impl Into<String>, column: impl Into<String>) -> Self {
        Field::new(name, FieldKind::Date, column)
    }

    /// Sorts this text field ignoring case (see [`Field::sort_nocase`]).
    #[must_use]
    pub fn sorted_nocase(mut self) -> Self {
        self.sort_nocase = true;
        self
    }

    /// Compares this date field to the microsecond (see [`Field::sub_second`]).
    #[must_use]
    pub fn sub_second(mut self) -> Self {
        self.sub_second = true;
        self
    }

    /// Sets whether `search` looks into this field.
    #[must_use]
    pub fn searchable(mut self, searchable: bool) -> Self {
        self.searchable = searchable;
        self
    }
}

/// The fields of one list and its defaults. Build with [`Schema::builder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    fields: Vec<Field>,
    default_sort: Vec<SortKey>,
    always_present: Vec<String>,
    max_limit: u64,
    tie_breaker: Option<String>,
    distinct_keeps_empty: bool,
}

impl Schema {
    /// Starts a schema.
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder {
            fields: Vec::new(),
            default_sort: None,
            always_present: Vec::new(),
            max_limit: WAZUH_MAX_LIMIT,
            tie_breaker: None,
            distinct_keeps_empty: false,
        }
    }

    /// This schema plus fields for paths inside an open-ended object (e.g. `details.prematch`
    /// of a decoder, whose options vary per item), so conditions can name them. Names the schema
    /// already has are skipped.
    #[must_use]
    pub fn extended(&self, extra: impl IntoIterator<Item = Field>) -> Schema {
        let mut out = self.clone();
        for f in extra {
            if out.field(&f.name).is_none() {
                out.fields.push(f);
            }
        }
        out
    }

    /// All fields, in declaration order (which is also the key order of output items).
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The field with this exposed name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The order used when a query has no `sort`; it is also appended to every sort as the tie-breaker.
    pub fn default_sort(&self) -> &[SortKey] {
        &self.default_sort
    }

    /// Fields added to every non-distinct output item whatever `select` says (Wazuh's `min_select_fields`).
    pub fn always_present(&self) -> &[String] {
        &self.always_present
    }

    /// The largest accepted `limit`.
    pub fn max_limit(&self) -> u64 {
        self.max_limit
    }

    /// Whether `distinct` keeps combinations with empty fields (see
    /// [`SchemaBuilder::distinct_keeps_empty`]).
    pub fn distinct_keeps_empty(&self) -> bool {
        self.distinct_keeps_empty
    }

    /// SQL ordering rows that tie on every sort key (see [`SchemaBuilder::tie_breaker`]).
    pub fn tie_breaker(&self) -> Option<&str> {
        self.tie_breaker.as_deref()
    }

    pub(crate) fn names(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.name.clone()).collect()
    }
}

/// Builder for [`Schema`]; [`SchemaBuilder::build`] checks it for consistency.
#[derive(Debug, Clone)]
pub struct SchemaBuilder {
    fields: Vec<Field>,
    default_sort: Option<String>,
    always_present: Vec<String>,
    max_limit: u64,
    tie_breaker: Option<String>,
    distinct_keeps_empty: bool,
}

impl SchemaBuilder {
    /// Adds a field.
    #[must_use]
    pub fn field(mut self, field: Field) -> Self {
        self.fields.push(field);
        self
    }

    /// Sets the default order in `sort` syntax, e.g. `"id"` or `"-date_add,id"`. Without it the first field
    /// ascending is used. It should end in a unique field so paging is deterministic.
    #[must_use]
    pub fn default_sort(mut self, sort: impl Into<String>) -> Self {
        self.default_sort = Some(sort.into());
        self
    }

    /// Adds a field that every non-distinct output item carries (e.g. `id` for agents).
    #[must_use]
    pub fn always_present(mut self, name: impl Into<String>) -> Self {
        self.always_present.push(name.into());
        self
    }

    /// Sets the largest accepted `limit` (default [`WAZUH_MAX_LIMIT`]).
    #[must_use]
    pub fn max_limit(mut self, max: u64) -> Self {
        self.max_limit = max;
        self
    }

    /// Orders rows that tie on every sort key by `sql` (trusted schema text, e.g. a column holding
    /// the row's arrival order) in SQL queries, without making it a field: for lists whose order
    /// among equals is the order rows arrived in, as SQLite's row order is in Wazuh.
    #[must_use]
    pub fn tie_breaker(mut self, sql: impl Into<String>) -> Self {
        self.tie_breaker = Some(sql.into());
        self
    }

    /// Makes `distinct` list combinations whose fields are NULL or empty too (Wazuh's plain
    /// `SELECT DISTINCT`, as its SCA checks use) instead of leaving them out (its generic lists).
    #[must_use]
    pub fn distinct_keeps_empty(mut self) -> Self {
        self.distinct_keeps_empty = true;
        self
    }

    /// Checks names and references and builds the schema.
    pub fn build(self) -> Result<Schema, Error> {
        let SchemaBuilder {
            fields,
            default_sort,
            always_present,
            max_limit,
            tie_breaker,
            distinct_keeps_empty,
        } = self;
        if fields.is_empty() {
            return Err(Error::InvalidSchema("a schema needs at least one field".into()));
        }
        for (i, f) in fields.iter().enumerate() {
            let valid_segments = f
                .name
                .split('.')
                .all(|seg| !seg.is_empty() && seg.chars().all(is_word_char));
            if !valid_segments {
                return Err(Error::InvalidSchema(format!(
                    "field name '{}' must be dot-separated words of letters, digits and '_'",
                    f.name
                )));
            }
            if f.column.trim().is_empty() {
                return Err(Error::InvalidSchema(format!("field '{}' has an empty column", f.name)));
            }
            for g in &fields[..i] {
                if g.name == f.name {
                    return Err(Error::InvalidSchema(format!("field '{}' is declared twice", f.name)));
                }
                // An output item cannot hold both a value and an object under the same key.
                if is_path_prefix(&g.name, &f.name) || is_path_prefix(&f.name, &g.name) {
                    return Err(Error::InvalidSchema(format!(
                        "field '{}' and field '{}' would nest into each other",
                        g.name, f.name
                    )));
                }
            }
        }
        let mut schema = Schema {
            fields,
            default_sort: Vec::new(),
            always_present: Vec::new(),
            max_limit,
            tie_breaker,
            distinct_keeps_empty,
        };
        let default_sort = match default_sort {
            Some(s) => parse_sort(&s)?,
            None => vec![SortKey {
                field: schema.fields[0].name.clone(),
                descending: false,
            }],
        };
        for key in &default_sort {
            if schema.field(&key.field).is_none() {
                return Err(Error::InvalidSchema(format!(
                    "default sort field '{}' is not a field",
                    key.field
                )));
            }
        }
        for name in &always_present {
            if schema.field(name).is_none() {
                return Err(Error::InvalidSchema(format!(
                    "always-present field '{name}' is not a field"
                )));
            }
        }
        if max_limit == 0 {
            return Err(Error::InvalidSchema("max_limit must be at least 1".into()));
        }
        schema.default_sort = default_sort;
        schema.always_present = always_present;
        Ok(schema)
    }
}

/// `\w` as Python's `re` understands it for `str` patterns (close enough: letters, digits, underscore).
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `prefix` is a proper dot-path prefix of `path` (`os` of `os.name`, not `o` of `os.name`).
pub(crate) fn is_path_prefix(prefix: &str, path: &str) -> bool {
    path.len() > prefix.len() && path.starts_with(prefix) && path.as_bytes().get(prefix.len()) == Some(&b'.')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn builds_and_checks() {
        let s = Schema::builder()
            .field(Field::integer("id", "id"))
            .field(Field::text("os.name", "os_name").searchable(false))
            .default_sort("-id")
            .always_present("id")
            .build()
            .unwrap();
        assert_eq!(
            s.default_sort(),
            &[SortKey {
                field: "id".into(),
                descending: true
            }]
        );
        assert!(!s.field("os.name").unwrap().searchable);
        assert_eq!(s.max_limit(), WAZUH_MAX_LIMIT);

        let dup = Schema::builder()
            .field(Field::text("a", "a"))
            .field(Field::text("a", "b"))
            .build();
        assert_eq!(dup, Err(Error::InvalidSchema("field 'a' is declared twice".into())));
        let nest = Schema::builder()
            .field(Field::text("os", "a"))
            .field(Field::text("os.name", "b"))
            .build();
        assert!(matches!(nest, Err(Error::InvalidSchema(_))));
        let bad = Schema::builder().field(Field::text("a", "a")).default_sort("b").build();
        assert_eq!(
            bad,
            Err(Error::InvalidSchema("default sort field 'b' is not a field".into()))
        );
        assert!(Schema::builder().build().is_err());
        assert!(Schema::builder().field(Field::text("a.", "a")).build().is_err());
    }

    #[test]
    fn path_prefix() {
        assert!(is_path_prefix("os", "os.name"));
        assert!(!is_path_prefix("o", "os.name"));
        assert!(!is_path_prefix("os.name", "os.name"));
    }
}
