//! List endpoints: one page, or every item as a stream that holds one page at a time.

use std::collections::VecDeque;
use std::marker::PhantomData;

use futures_util::stream::{self, Stream};
use serde::de::DeserializeOwned;

use crate::models::{AffectedItems, Envelope};
use crate::{Client, Error, Wql};

/// An agent's connection status (`status=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentStatus {
    Active,
    Disconnected,
    NeverConnected,
    Pending,
}

impl AgentStatus {
    fn as_str(self) -> &'static str {
        match self {
            AgentStatus::Active => "active",
            AgentStatus::Disconnected => "disconnected",
            AgentStatus::NeverConnected => "never_connected",
            AgentStatus::Pending => "pending",
        }
    }
}

/// A list request: filters and list parameters, then [`ListRequest::page`] or
/// [`ListRequest::stream`].
pub struct ListRequest<T> {
    client: Client,
    path: String,
    params: Vec<(String, String)>,
    offset: u64,
    limit: Option<u64>,
    page_size: u64,
    /// The API version the endpoint appeared in.
    since: Option<&'static str>,
    _item: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> ListRequest<T> {
    pub(crate) fn new(client: Client, path: &str) -> Self {
        ListRequest {
            client,
            path: path.to_owned(),
            params: Vec::new(),
            offset: 0,
            limit: None,
            page_size: 500,
            since: None,
            _item: PhantomData,
        }
    }

    /// Refuses the request (before sending it) on a server older than `version`.
    pub(crate) fn since(mut self, version: &'static str) -> Self {
        self.since = Some(version);
        self
    }

    /// Any query parameter (`group`, `rule_ids`, `from`…).
    pub fn param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.push((name.to_owned(), value.into()));
        self
    }

    /// Agents of this status (`GET /agents`).
    pub fn status(self, status: AgentStatus) -> Self {
        self.param("status", status.as_str())
    }

    /// Only these fields.
    pub fn select<I, S>(self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let fields: Vec<String> = fields.into_iter().map(|f| f.as_ref().to_owned()).collect();
        self.param("select", fields.join(","))
    }

    /// Sort keys (`-id,name`).
    pub fn sort(self, sort: &str) -> Self {
        self.param("sort", sort)
    }

    /// Free-text search.
    pub fn search(self, text: &str) -> Self {
        self.param("search", text)
    }

    /// A WQL filter.
    pub fn q(self, query: &Wql) -> Self {
        self.param("q", query.as_str())
    }

    /// Items to skip.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Items to return at most (all when not set).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Items fetched per request when streaming (default 500, at most 100,000).
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = size.clamp(1, 100_000);
        self
    }

    async fn fetch(&self, offset: u64, limit: u64) -> Result<AffectedItems<T>, Error> {
        if let Some(since) = self.since {
            self.client
                .require_version(&format!("GET {}", self.path), since)
                .await?;
        }
        let mut query = self.params.clone();
        query.push(("offset".into(), offset.to_string()));
        query.push(("limit".into(), limit.to_string()));
        let envelope: Envelope<T> = self.client.get(&self.path, &query).await?;
        Ok(envelope.data)
    }

    /// One request: the items from `offset` (at most `limit`, default 500) and the total.
    pub async fn page(&self) -> Result<AffectedItems<T>, Error> {
        self.fetch(self.offset, self.limit.unwrap_or(500).min(100_000)).await
    }

    /// Every matching item, fetched a page at a time as the stream is read (memory holds one
    /// page, whatever the total).
    pub fn stream(self) -> impl Stream<Item = Result<T, Error>> + Unpin
    where
        T: 'static,
    {
        struct State<T> {
            request: ListRequest<T>,
            buffer: VecDeque<T>,
            next_offset: u64,
            remaining: Option<u64>,
            finished: bool,
        }
        let state = State {
            next_offset: self.offset,
            remaining: self.limit,
            request: self,
            buffer: VecDeque::new(),
            finished: false,
        };
        Box::pin(stream::unfold(state, |mut s| async move {
            loop {
                if s.remaining == Some(0) {
                    return None;
                }
                if let Some(item) = s.buffer.pop_front() {
                    if let Some(r) = s.remaining.as_mut() {
                        *r -= 1;
                    }
                    return Some((Ok(item), s));
                }
                if s.finished {
                    return None;
                }
                let size = s.remaining.map_or(s.request.page_size, |r| r.min(s.request.page_size));
                match s.request.fetch(s.next_offset, size).await {
                    Ok(page) => {
                        let got = page.affected_items.len() as u64;
                        s.next_offset += got;
                        s.finished = got < size || s.next_offset >= page.total_affected_items;
                        s.buffer = page.affected_items.into();
                    }
                    Err(e) => {
                        s.finished = true;
                        s.remaining = Some(0);
                        return Some((Err(e), s));
                    }
                }
            }
        }))
    }
}
